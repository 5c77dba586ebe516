#include "runtime/thread_pool.h"

#include <algorithm>

namespace kiln::runtime {

namespace {
// Spin iterations before a worker sleeps (about 50-100 us on current CPUs):
// long enough to catch the next kernel of a run, short enough not to burn a
// core between runs.
constexpr int kSpinIterations = 20000;

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Chunk `index` of `count` near-equal chunks of [0, extent).
std::pair<int64_t, int64_t> chunk(int64_t extent, int count, int index) {
  int64_t base = extent / count, rem = extent % count;
  int64_t begin = index * base + std::min<int64_t>(index, rem);
  return {begin, begin + base + (index < rem ? 1 : 0)};
}
}  // namespace

ThreadPool::ThreadPool(int numThreads) : numThreads_(std::max(1, numThreads)) {
  for (int i = 1; i < numThreads_; ++i) workers_.emplace_back([this, i] { workerLoop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(sleepMutex_);
    stop_.store(true);
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::run(int64_t extent, Trampoline call, const void* fn) {
  if (extent <= 0) return;
  if (numThreads_ == 1 || extent == 1) {
    call(fn, 0, extent);
    return;
  }
  std::lock_guard<std::mutex> runLock(runMutex_);
  jobCall_ = call;
  job_ = fn;
  extent_ = extent;
  pending_.store(numThreads_ - 1, std::memory_order_relaxed);
  {
    // Publishing under the mutex orders it with a worker about to sleep.
    std::lock_guard<std::mutex> lock(sleepMutex_);
    generation_.fetch_add(1, std::memory_order_release);
  }
  if (sleepers_.load() > 0) wake_.notify_all();
  auto [b, e] = chunk(extent, numThreads_, 0);
  if (b < e) call(fn, b, e);
  for (int spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) {
    if (spins < kSpinIterations) cpuRelax();
    else std::this_thread::yield();
  }
  job_ = nullptr;
}

void ThreadPool::workerLoop(int index) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t g = generation_.load(std::memory_order_acquire);
    for (int spins = 0; g == seen && spins < kSpinIterations && !stop_.load(); ++spins) {
      cpuRelax();
      g = generation_.load(std::memory_order_acquire);
    }
    if (g == seen) {
      std::unique_lock<std::mutex> lock(sleepMutex_);
      sleepers_.fetch_add(1);
      wake_.wait(lock, [&] { return stop_.load() || generation_.load() != seen; });
      sleepers_.fetch_sub(1);
      g = generation_.load(std::memory_order_acquire);
    }
    if (stop_.load()) return;
    seen = g;
    auto [b, e] = chunk(extent_, numThreads_, index);
    if (b < e) jobCall_(job_, b, e);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace kiln::runtime
