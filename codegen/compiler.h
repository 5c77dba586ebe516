// The compile pipeline for one shape-specialized graph: memory plan -> LLVM
// kernels -> O3 for the target -> relocatable objects (a ModelImage, which the
// compile cache stores and AOT libraries link) -> ORC JIT ->
// runtime::CompiledModel.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "codegen/target.h"
#include "ir/graph.h"
#include "passes/constant_evaluator.h"
#include "passes/pass_manager.h"
#include "runtime/compiled_model.h"
#include "runtime/model_plan.h"

namespace kiln::codegen {

struct CompileOptions {
  int optLevel = 3;  // 0..3: LLVM's pipeline and instruction selection, and the default graph passes
  Target target = Target::host();
  // Graph pass pipeline run after shape specialization (passes/pipeline.h);
  // unset: passes::defaultPipeline(optLevel).
  std::optional<std::string> passes;
  passes::PassInstrumentation instrumentation;
  // Persistent compile cache directory (codegen/compile_cache.h); empty: no
  // cache. JitModel reads and fills it; instrumented compiles bypass it.
  std::string cacheDir;

  static CompileOptions atLevel(int level) {
    CompileOptions o;
    o.optLevel = level;
    return o;
  }
};

// A compiled model before its code is loaded: the plan (kernel table by symbol,
// constants, arena) and one relocatable object per kernel, for options.target.
struct ModelImage {
  runtime::ModelPlan plan;
  std::vector<std::string> objects;  // ELF relocatable objects defining the plan's kernel symbols
};

// `graph` must be fully static (run passes::specializeShapes first).
ModelImage buildModelImage(const ir::Graph& graph, const CompileOptions& options);

// Links the image's objects into a JIT for `target` (which must be able to run
// them: the host) and binds the kernel table. Throws kiln::Error when an object
// does not load or a kernel symbol is missing.
std::shared_ptr<const runtime::CompiledModel> loadModelImage(ModelImage image, const Target& target);

// buildModelImage, then loadModelImage.
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
