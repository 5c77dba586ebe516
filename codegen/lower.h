// Lowers graph nodes to LLVM kernel functions with the runtime's kernel ABI
// (runtime/compiled_model.h): `void SYMBOL(ptr args, i64 begin, i64 end)`.
//
// Each kernel is a thin entry that loads its buffer pointers from `args` and
// calls an always-inline body whose buffer parameters are `noalias`, so the
// loop vectorizer knows outputs never overlap inputs.
#pragma once

#include <llvm/IR/Module.h>

#include <string>
#include <vector>

#include "codegen/target.h"
#include "ir/graph.h"

namespace kiln::codegen {

struct LoweredKernel {
  std::string symbol;
  size_t nodeIndex;
  int64_t parallelExtent;
};

// Emits one kernel per node in `nodeIndices` into `module`. Every input and
// output of those nodes must have a static shape. Throws kiln::Error naming the
// node when an op cannot be lowered.
std::vector<LoweredKernel> lowerNodes(const ir::Graph& graph, const std::vector<size_t>& nodeIndices,
                                      llvm::Module& module, const Target& target,
                                      const std::string& symbolPrefix);

}  // namespace kiln::codegen
