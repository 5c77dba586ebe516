// This machine's memory read bandwidth, the bound a memory-bound kernel such
// as GEMV can at best reach: a plain C++ sum over a 256 MiB float array, on 1
// and 2 threads (compiled at -O3; bench/gemv_vs_bandwidth.py compares GEMV's
// GB/s with it). Sixteen independent partial sums let the compiler vectorize
// without reassociating floating-point adds.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace kiln::bench {
namespace {

constexpr size_t kBytes = size_t{256} << 20;
constexpr size_t kLanes = 16;

const float* buffer() {
  static float* data = [] {
    auto* p = static_cast<float*>(std::aligned_alloc(64, kBytes));
    for (size_t i = 0; i < kBytes / sizeof(float); ++i) p[i] = static_cast<float>(i & 1023) * 1e-3f;
    return p;
  }();
  return data;
}

float sum(const float* p, size_t n) {
  float acc[kLanes] = {};
  for (size_t i = 0; i + kLanes <= n; i += kLanes)
    for (size_t l = 0; l < kLanes; ++l) acc[l] += p[i + l];
  float total = 0;
  for (float a : acc) total += a;
  return total;
}

void readBandwidth(benchmark::State& state) {
  int threads = static_cast<int>(state.range(0));
  const float* p = buffer();
  size_t n = kBytes / sizeof(float), per = n / static_cast<size_t>(threads) / kLanes * kLanes;
  std::vector<float> partial(static_cast<size_t>(threads));
  for (auto _ : state) {
    std::vector<std::thread> workers;
    for (int t = 1; t < threads; ++t)
      workers.emplace_back([&, t] { partial[static_cast<size_t>(t)] = sum(p + per * static_cast<size_t>(t), per); });
    partial[0] = sum(p, per);
    for (auto& w : workers) w.join();
    benchmark::DoNotOptimize(partial.data());
  }
  double bytes = static_cast<double>(per) * static_cast<double>(threads) * sizeof(float);
  state.counters["GB"] = benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
}

const bool registered = [] {
  benchmark::RegisterBenchmark("ReadBandwidth/256MiB", readBandwidth)
      ->ArgsProduct({{1, 2}})
      ->ArgNames({"threads"})
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace
}  // namespace kiln::bench
