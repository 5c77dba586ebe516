// The compile pipeline for one shape-specialized graph: memory plan -> LLVM
// kernels -> O3 for the target -> ORC JIT -> runtime::CompiledModel.
#pragma once

#include <memory>

#include "codegen/target.h"
#include "ir/graph.h"
#include "passes/constant_evaluator.h"
#include "runtime/compiled_model.h"

namespace kiln::codegen {

struct CompileOptions {
  int optLevel = 3;  // 0..3 (LLVM pipeline and instruction selection); >= 1 also fuses epilogues
  Target target = Target::host();
};

// `graph` must be fully static (run passes::specializeShapes first).
std::shared_ptr<const runtime::CompiledModel> compileStaticGraph(const ir::Graph& graph,
                                                                 const CompileOptions& options);

// The assembly of every kernel of a static graph, as compileStaticGraph would
// build them (for tests of the emitted instructions and `kiln bench --asm`).
std::string compileToAssembly(const ir::Graph& graph, const CompileOptions& options);

// Folds constant nodes by JIT-compiling each node's own kernel (at O1: the
// folded tensors are small; compile speed matters more than kernel speed).
class JitConstantEvaluator : public passes::ConstantEvaluator {
 public:
  explicit JitConstantEvaluator(const Target& target);
  ~JitConstantEvaluator() override;
  std::vector<ir::TensorDataPtr> evaluate(const ir::Graph& graph, const ir::Node& node) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln::codegen
