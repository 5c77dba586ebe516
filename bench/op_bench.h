// Shared machinery of the kernel microbenchmarks (kiln_bench_kernels): build a
// single-op ir::Graph programmatically, compile it once (outside the timed
// loop, cached across Google Benchmark's repeated calls), and time runs
// through the allocation-free path (runtime::RunContext) on a ThreadPool of
// the benchmark's `threads` argument.
#pragma once

#include <benchmark/benchmark.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "runtime/run_context.h"
#include "runtime/thread_pool.h"

namespace kiln::bench {

// A graph of one node under construction, with the run's input tensors.
class OpGraph {
 public:
  // A graph input of this shape (f32, seeded random data).
  ir::ValueId input(const std::vector<int64_t>& shape);
  // A constant (weights), f32, seeded random data.
  ir::ValueId weight(const std::vector<int64_t>& shape);
  ir::ValueId ints(const std::vector<int64_t>& values);
  ir::ValueId floats(const std::vector<float>& values);
  // Adds the node; its output (shape inferred at compile time) is the graph output.
  void op(ir::OpKind kind, std::vector<ir::ValueId> inputs, ir::Attributes attrs = {});

  ir::Graph graph;
  std::vector<runtime::Tensor> feeds;
};

// One compiled single-op model with its run state and outputs.
struct CompiledOp {
  std::shared_ptr<const runtime::CompiledModel> model;
  std::unique_ptr<runtime::RunContext> context;
  std::vector<runtime::Tensor> inputs, outputs;
};

// Compiles the graph `build` makes, once per `key` for the life of the process.
CompiledOp& compiledOp(const std::string& key, const std::function<void(OpGraph&)>& build);

// What one run does, for the rate counters: `GFLOP` (1e9 floating-point
// operations per second) and `GB` (1e9 bytes per second; also Google
// Benchmark's bytes_per_second), both per second of wall time.
struct Work {
  double flops = 0;
  double bytes = 0;  // bytes one run must move to or from memory at least
};

// Times runs of `op` on a pool of `threads` threads and sets the counters.
void runTimed(benchmark::State& state, CompiledOp& op, int threads, const Work& work);

// The pool of `threads` threads, shared by every benchmark of that count.
runtime::ThreadPool& pool(int threads);

}  // namespace kiln::bench
