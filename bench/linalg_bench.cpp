// Microbenchmarks of the linear-algebra kernel families: MatMul/SGEMM with the
// B operand a constant (weights, packable at compile time) or a runtime input,
// GEMV (M=1, memory-bound: compare its GB/s with ReadBandwidth), Softmax and
// LayerNormalization. Arguments: size, then threads.
#include <fmt/format.h>

#include "op_bench.h"

namespace kiln::bench {
namespace {

using ir::OpKind;

void matmul(benchmark::State& state, bool constantB) {
  int64_t n = state.range(0);
  int threads = static_cast<int>(state.range(1));
  CompiledOp& op = compiledOp(fmt::format("matmul/{}/{}", constantB, n), [&](OpGraph& g) {
    ir::ValueId a = g.input({n, n});
    ir::ValueId b = constantB ? g.weight({n, n}) : g.input({n, n});
    g.op(OpKind::MatMul, {a, b});
  });
  runTimed(state, op, threads, Work{2.0 * n * n * n, 3.0 * n * n * 4});
}

// y[1,N] = x[1,K] * W[K,N], W constant: every weight byte is read once per run.
void gemv(benchmark::State& state) {
  int64_t k = state.range(0), n = k;
  int threads = static_cast<int>(state.range(1));
  CompiledOp& op = compiledOp(fmt::format("gemv/{}", k), [&](OpGraph& g) {
    g.op(OpKind::MatMul, {g.input({1, k}), g.weight({k, n})});
  });
  runTimed(state, op, threads, Work{2.0 * k * n, 4.0 * (k * n + k + n)});
}

void softmax(benchmark::State& state, std::vector<int64_t> shape) {
  int threads = static_cast<int>(state.range(0));
  CompiledOp& op = compiledOp("softmax/" + runtime::shapeToString(shape), [&](OpGraph& g) {
    ir::Attributes a;
    a.set("axis", int64_t{-1});
    g.op(OpKind::Softmax, {g.input(shape)}, a);
  });
  double elems = 1;
  for (int64_t d : shape) elems *= static_cast<double>(d);
  runTimed(state, op, threads, Work{0, 8.0 * elems});
}

void layerNorm(benchmark::State& state, std::vector<int64_t> shape) {
  int threads = static_cast<int>(state.range(0));
  CompiledOp& op = compiledOp("layernorm/" + runtime::shapeToString(shape), [&](OpGraph& g) {
    ir::Attributes a;
    a.set("axis", int64_t{-1});
    int64_t c = shape.back();
    g.op(OpKind::LayerNormalization, {g.input(shape), g.weight({c}), g.weight({c})}, a);
  });
  double elems = 1;
  for (int64_t d : shape) elems *= static_cast<double>(d);
  runTimed(state, op, threads, Work{0, 8.0 * elems});
}

const bool registered = [] {
  using benchmark::RegisterBenchmark;
  for (bool constantB : {true, false})
    RegisterBenchmark(constantB ? "MatMul/B_weights" : "MatMul/B_input",
                      [constantB](benchmark::State& s) { matmul(s, constantB); })
        ->ArgsProduct({{256, 512, 1024, 2048}, {1, 2}})
        ->ArgNames({"n", "threads"})
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  RegisterBenchmark("GEMV/B_weights", gemv)
      ->ArgsProduct({{4096}, {1, 2}})
      ->ArgNames({"k", "threads"})
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  for (auto shape : {std::vector<int64_t>{1, 40, 6625}, std::vector<int64_t>{1, 4, 128, 128}})
    RegisterBenchmark(("Softmax/" + runtime::shapeToString(shape)).c_str(),
                      [shape](benchmark::State& s) { softmax(s, shape); })
        ->ArgsProduct({{1, 2}})
        ->ArgNames({"threads"})
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  for (auto shape : {std::vector<int64_t>{1, 128, 256}, std::vector<int64_t>{1, 512, 768}})
    RegisterBenchmark(("LayerNormalization/" + runtime::shapeToString(shape)).c_str(),
                      [shape](benchmark::State& s) { layerNorm(s, shape); })
        ->ArgsProduct({{1, 2}})
        ->ArgNames({"threads"})
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  return true;
}();

}  // namespace
}  // namespace kiln::bench
