// A graph pass: a named rewrite of an ir::Graph that keeps it valid
// (ir/verifier.h) and keeps the values it computes for the graph's outputs.
// Passes are listed once, in the registry (passes/registry.h), and run in
// pipelines (passes/pipeline.h) by the pass manager (passes/pass_manager.h),
// the way LLVM's `opt -passes=...` names its passes.
#pragma once

#include "ir/graph.h"
#include "passes/constant_evaluator.h"

namespace kiln::passes {

// What a pass may need beyond the graph.
struct PassContext {
  // Evaluates nodes whose inputs are all constant (fold-constants). Null
  // when no code generator is at hand; passes that need it then do nothing.
  ConstantEvaluator* evaluator = nullptr;
  // Largest tensor (bytes) fold-constants may create.
  int64_t maxFoldBytes = int64_t{64} << 20;
};

using PassFn = void (*)(ir::Graph& graph, PassContext& context);

struct PassInfo {
  const char* name;     // as written in pipelines: "cse", "fuse-epilogue"
  const char* summary;  // one line for `kiln opt --list-passes`
  PassFn run;
};

}  // namespace kiln::passes
