// Lowers graph nodes to LLVM kernel functions with the runtime's kernel ABI
// (runtime/compiled_model.h): `void SYMBOL(ptr args, i64 begin, i64 end)`.
//
// Each kernel is a thin entry that loads its buffer pointers from `args` and
// calls an always-inline body whose buffer parameters are `noalias`, so the
// loop vectorizer knows outputs never overlap inputs. A node whose output is
// written in place into input k's buffer (passes::MemoryPlan::inPlaceInput)
// gets input k's parameter as its output too: loads and stores then go
// through one `noalias` pointer, and the output's own parameter is unused.
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

// Throws kiln::Error naming the node and value when one of its inputs or
// outputs has no static shape.
void requireStaticShapes(const ir::Graph& graph, const ir::Node& node);

// Emits one kernel per node in `nodeIndices` into `module`. Every input and
// output of those nodes must have a static shape. `inPlaceInput`, when not
// empty, holds per graph node the input whose buffer output 0 is written into
// (-1: none). Throws kiln::Error naming the node when an op cannot be lowered.
std::vector<LoweredKernel> lowerNodes(const ir::Graph& graph, const std::vector<size_t>& nodeIndices,
                                      llvm::Module& module, const Target& target,
                                      const std::string& symbolPrefix,
                                      const std::vector<int>& inPlaceInput = {});

}  // namespace kiln::codegen
