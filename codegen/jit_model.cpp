#include "codegen/jit_model.h"

#include "passes/specialize_shapes.h"

namespace kiln::codegen {

namespace {
double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

JitModel::JitModel(ir::Graph graph, CompileOptions options)
    : graph_(std::move(graph)), options_(std::move(options)) {}

JitModel::Variant JitModel::specialize(const std::vector<std::vector<int64_t>>& inputShapes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = variants_.find(inputShapes); it != variants_.end()) return it->second;

  Variant v;
  auto t0 = std::chrono::steady_clock::now();
  ir::Graph g = graph_;
  JitConstantEvaluator evaluator(options_.target);
  passes::specializeShapes(g, inputShapes, evaluator);
  g.removeDeadCode();
  v.stats.specializeMs = msSince(t0);

  auto t1 = std::chrono::steady_clock::now();
  v.model = compileStaticGraph(g, options_);
  v.stats.codegenMs = msSince(t1);
  variants_.emplace(inputShapes, v);
  return v;
}

std::vector<runtime::Tensor> JitModel::run(const std::vector<runtime::Tensor>& inputs,
                                           runtime::ThreadPool& pool) {
  if (inputs.size() != graph_.inputs.size())
    fail("model takes {} inputs, got {}", graph_.inputs.size(), inputs.size());
  std::vector<std::vector<int64_t>> shapes;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ir::Value& v = graph_.value(graph_.inputs[i]);
    if (inputs[i].dtype() != v.type.dtype)
      fail("input '{}' has dtype {}, expected {}", v.name, dtypeName(inputs[i].dtype()),
           dtypeName(v.type.dtype));
    shapes.push_back(inputs[i].shape());
  }
  return specialize(shapes).model->run(inputs, pool);
}

}  // namespace kiln::codegen
