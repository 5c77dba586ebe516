#include "codegen/jit_model.h"

#include <cstring>

#include "codegen/compile_cache.h"
#include "passes/pipeline.h"
#include "passes/specialize_shapes.h"
#include "runtime/tensor_convert.h"

namespace kiln::codegen {

namespace {
double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<uint8_t> bytesOf(const runtime::Tensor& t) {
  const auto* p = static_cast<const uint8_t*>(t.data());
  return std::vector<uint8_t>(p, p + t.byteSize());
}
}  // namespace

JitModel::JitModel(ir::Graph graph, CompileOptions options)
    : graph_(std::move(graph)), options_(std::move(options)), producer_(graph_.values.size(), -1),
      valueKeyed_(graph_.inputs.size(), false) {
  for (size_t n = 0; n < graph_.nodes.size(); ++n)
    for (ir::ValueId v : graph_.nodes[n].outputs)
      if (v != ir::kNoValue) producer_.at(static_cast<size_t>(v)) = static_cast<int>(n);
}

bool JitModel::isValueKeyed(size_t i) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return valueKeyed_.at(i);
}

JitModel::Key JitModel::keyOf(const std::vector<runtime::Tensor>& inputs) const {
  Key key;
  for (size_t i = 0; i < inputs.size(); ++i) {
    key.first.push_back(inputs[i].shape());
    if (valueKeyed_[i]) key.second.push_back(bytesOf(inputs[i]));
  }
  return key;
}

ir::Graph prepareGraph(const ir::Graph& graph, const std::vector<std::vector<int64_t>>& shapes,
                       const std::vector<ir::TensorDataPtr>& values, const CompileOptions& options) {
  ir::Graph g = graph;
  JitConstantEvaluator evaluator(Target::host());  // folding runs here, whatever the kernels' target
  passes::specializeShapes(g, shapes, evaluator, values);
  g.removeDeadCode();
  passes::PassContext context;
  context.evaluator = &evaluator;
  passes::PassInstrumentation instrumentation = options.instrumentation;
  for (const ir::TensorDataPtr& bound : values) instrumentation.boundInputs |= bound != nullptr;
  passes::runPipeline(g, passes::parsePipeline(options.passes.value_or(passes::defaultPipeline(options.optLevel))),
                      context, instrumentation);
  return g;
}

std::string JitModel::cacheKeyOf(const std::vector<runtime::Tensor>& inputs) const {
  if (options_.cacheDir.empty()) return {};
  const passes::PassInstrumentation& ins = options_.instrumentation;
  if (ins.printIrAfterAll || !ins.printIrAfter.empty() || ins.timePasses) return {};
  std::vector<std::vector<int64_t>> shapes;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (valueKeyed_[i]) return {};  // its contents would have to be part of the key
    shapes.push_back(inputs[i].shape());
  }
  if (digest_.empty()) digest_ = graphDigest(graph_);
  return cacheKey(digest_, options_.passes.value_or(passes::defaultPipeline(options_.optLevel)), options_, shapes);
}

JitModel::Variant JitModel::compile(const std::vector<runtime::Tensor>& inputs) const {
  Variant v;
  auto t0 = std::chrono::steady_clock::now();
  std::string key = cacheKeyOf(inputs);
  std::optional<CompileCache> cache;
  if (!key.empty()) {
    cache.emplace(options_.cacheDir);
    if (std::optional<ModelImage> image = cache->load(key)) {
      v.model = loadModelImage(std::move(*image), options_.target);
      v.stats.cacheHit = true;
      v.stats.codegenMs = msSince(t0);
      return v;
    }
    v.stats.cacheNote = cache->lastRejection();
  }
  std::vector<std::vector<int64_t>> shapes;
  std::vector<ir::TensorDataPtr> values(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    shapes.push_back(inputs[i].shape());
    if (!valueKeyed_[i]) continue;
    values[i] = runtime::toTensorData(inputs[i]);
  }
  ir::Graph g = prepareGraph(graph_, shapes, values, options_);
  v.stats.specializeMs = msSince(t0);

  auto t1 = std::chrono::steady_clock::now();
  ModelImage image = buildModelImage(g, options_);
  if (cache) {
    try {
      cache->store(key, image);
    } catch (const Error& e) {
      v.stats.cacheNote = e.what();
    }
  }
  v.model = loadModelImage(std::move(image), options_.target);
  v.graph = std::make_shared<const ir::Graph>(std::move(g));
  v.stats.codegenMs = msSince(t1);
  return v;
}

bool JitModel::keyInputsFeeding(ir::ValueId v, const std::vector<runtime::Tensor>& inputs,
                                const Error& why) {
  // Walk the producers backwards from v to the graph inputs it depends on.
  std::vector<bool> seen(graph_.values.size(), false);
  std::vector<ir::ValueId> stack{v};
  std::vector<size_t> feeding;
  while (!stack.empty()) {
    ir::ValueId cur = stack.back();
    stack.pop_back();
    if (cur == ir::kNoValue || seen.at(static_cast<size_t>(cur))) continue;
    seen[static_cast<size_t>(cur)] = true;
    for (size_t i = 0; i < graph_.inputs.size(); ++i)
      if (graph_.inputs[i] == cur) feeding.push_back(i);
    if (int n = producer_[static_cast<size_t>(cur)]; n >= 0)
      for (ir::ValueId in : graph_.nodes[static_cast<size_t>(n)].inputs) stack.push_back(in);
  }
  bool marked = false;
  for (size_t i : feeding) {
    if (valueKeyed_[i]) continue;
    if (inputs[i].numElements() > kMaxKeyedElements)
      fail("{} (it is computed from input '{}' with {} elements; Kiln specializes only on the contents of "
           "inputs of at most {} elements)",
           why.what(), graph_.value(graph_.inputs[i]).name, inputs[i].numElements(), kMaxKeyedElements);
    valueKeyed_[i] = true;
    marked = true;
  }
  return marked;
}

JitModel::Variant JitModel::specialize(const std::vector<runtime::Tensor>& inputs) {
  if (inputs.size() != graph_.inputs.size())
    fail("model takes {} inputs, got {}", graph_.inputs.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ir::Value& v = graph_.value(graph_.inputs[i]);
    if (inputs[i].dtype() != v.type.dtype)
      fail("input '{}' has dtype {}, expected {}", v.name, dtypeName(inputs[i].dtype()),
           dtypeName(v.type.dtype));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  for (;;) {
    Key key = keyOf(inputs);
    if (auto it = variants_.find(key); it != variants_.end()) return it->second;
    try {
      Variant v = compile(inputs);
      variants_.emplace(std::move(key), v);
      return v;
    } catch (const ir::ValueRequired& e) {
      if (!keyInputsFeeding(e.value, inputs, e)) throw;
    }
  }
}

std::vector<runtime::Tensor> JitModel::run(const std::vector<runtime::Tensor>& inputs,
                                           runtime::ThreadPool& pool) {
  return specialize(inputs).model->run(inputs, pool);
}

}  // namespace kiln::codegen
