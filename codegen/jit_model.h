// A model compiled just in time: holds the imported graph and compiles one
// variant per distinct set of concrete input shapes on first use, caching it
// for the life of the object. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "codegen/compiler.h"
#include "ir/graph.h"
#include "runtime/compiled_model.h"

namespace kiln::codegen {

struct CompileStats {
  double specializeMs = 0;  // shape specialization + constant folding
  double codegenMs = 0;     // lowering, LLVM optimization, JIT
  double totalMs() const { return specializeMs + codegenMs; }
};

class JitModel {
 public:
  JitModel(ir::Graph graph, CompileOptions options);

  const ir::Graph& graph() const { return graph_; }
  const CompileOptions& options() const { return options_; }

  struct Variant {
    std::shared_ptr<const runtime::CompiledModel> model;
    CompileStats stats;
  };
  // inputShapes[i] is the shape of graph().inputs[i].
  Variant specialize(const std::vector<std::vector<int64_t>>& inputShapes);

  // Runs on inputs in graph().inputs order (dtypes must match; shapes select
  // the variant). Returns outputs in graph().outputs order.
  std::vector<runtime::Tensor> run(const std::vector<runtime::Tensor>& inputs,
                                   runtime::ThreadPool& pool);

 private:
  ir::Graph graph_;
  CompileOptions options_;
  std::mutex mutex_;
  std::map<std::vector<std::vector<int64_t>>, Variant> variants_;
};

}  // namespace kiln::codegen
