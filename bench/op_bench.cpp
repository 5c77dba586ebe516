#include "op_bench.h"

#include <map>
#include <mutex>
#include <random>

#include "codegen/jit_model.h"

namespace kiln::bench {

namespace {
std::vector<float> randomFloats(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

int64_t count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}
}  // namespace

ir::ValueId OpGraph::input(const std::vector<int64_t>& shape) {
  ir::ValueId v = graph.addValue("in" + std::to_string(graph.inputs.size()), ir::staticType(DType::F32, shape));
  graph.inputs.push_back(v);
  runtime::Tensor t(DType::F32, shape);
  std::vector<float> data = randomFloats(t.numElements(), static_cast<uint32_t>(feeds.size() + 1));
  std::copy(data.begin(), data.end(), t.data<float>());
  feeds.push_back(t);
  return v;
}

ir::ValueId OpGraph::weight(const std::vector<int64_t>& shape) {
  auto seed = static_cast<uint32_t>(100 + graph.values.size());
  return graph.addConstant("w" + std::to_string(graph.values.size()),
                           ir::TensorData::fromFloats(randomFloats(count(shape), seed), shape));
}

ir::ValueId OpGraph::ints(const std::vector<int64_t>& values) {
  return graph.addConstant("c" + std::to_string(graph.values.size()),
                           ir::TensorData::fromInts(values, {static_cast<int64_t>(values.size())}));
}

ir::ValueId OpGraph::floats(const std::vector<float>& values) {
  return graph.addConstant("c" + std::to_string(graph.values.size()),
                           ir::TensorData::fromFloats(values, {static_cast<int64_t>(values.size())}));
}

void OpGraph::op(ir::OpKind kind, std::vector<ir::ValueId> inputs, ir::Attributes attrs) {
  ir::TensorType unknown;
  unknown.rankKnown = false;
  ir::ValueId out = graph.addValue("out", unknown);
  graph.addNode(kind, std::move(inputs), {out}, "bench").attrs = std::move(attrs);
  graph.outputs = {out};
}

CompiledOp& compiledOp(const std::string& key, const std::function<void(OpGraph&)>& build) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<CompiledOp>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[key];
  if (!slot) {
    OpGraph g;
    build(g);
    codegen::JitModel jit(std::move(g.graph), codegen::CompileOptions{});
    auto op = std::make_unique<CompiledOp>();
    op->inputs = g.feeds;
    op->model = jit.specialize(op->inputs).model;
    op->context = std::make_unique<runtime::RunContext>(op->model);
    op->outputs = op->context->makeOutputs();
    slot = std::move(op);
  }
  return *slot;
}

runtime::ThreadPool& pool(int threads) {
  static std::mutex mutex;
  static std::map<int, std::unique_ptr<runtime::ThreadPool>> pools;
  std::lock_guard<std::mutex> lock(mutex);
  auto& p = pools[threads];
  if (!p) p = std::make_unique<runtime::ThreadPool>(threads);
  return *p;
}

void runTimed(benchmark::State& state, CompiledOp& op, int threads, const Work& work) {
  runtime::ThreadPool& p = pool(threads);
  op.context->run(op.inputs, op.outputs, p);  // warm caches and workers
  for (auto _ : state) {
    op.context->run(op.inputs, op.outputs, p);
    benchmark::ClobberMemory();
  }
  using benchmark::Counter;
  if (work.flops > 0) state.counters["GFLOP"] = Counter(work.flops * 1e-9, Counter::kIsIterationInvariantRate);
  if (work.bytes > 0) {
    state.counters["GB"] = Counter(work.bytes * 1e-9, Counter::kIsIterationInvariantRate);
    state.SetBytesProcessed(static_cast<int64_t>(work.bytes) * state.iterations());
  }
  state.counters["kernels"] = static_cast<double>(op.model->numKernels());
}

}  // namespace kiln::bench
