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

// Chunks per thread: enough to even out uneven tasks, few enough that the
// atomic hand-out stays cheap and each thread walks long contiguous runs.
constexpr int64_t kChunksPerThread = 4;
}  // namespace

ThreadPool::ThreadPool(int numThreads) : numThreads_(std::max(1, numThreads)) {
  for (int i = 1; i < numThreads_; ++i) workers_.emplace_back([this] { workerLoop(); });
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
  grain_ = std::max<int64_t>(1, extent / (kChunksPerThread * numThreads_));
  next_.store(0, std::memory_order_relaxed);
  {
    // Publishing under the mutex orders it with a worker about to sleep; the
    // release makes the job's fields visible to a worker that joins.
    std::lock_guard<std::mutex> lock(sleepMutex_);
    uint64_t generation = (state_.load(std::memory_order_relaxed) >> 32) + 1;
    state_.store((generation << 32) | kOpen, std::memory_order_release);
  }
  if (sleepers_.load() > 0) wake_.notify_all();
  runChunks();
  // Every chunk is handed out: no worker may join any more. Wait only for
  // those that did.
  state_.fetch_and(~kOpen, std::memory_order_acq_rel);
  for (int spins = 0; (state_.load(std::memory_order_acquire) & kActiveMask) != 0; ++spins) {
    if (spins < kSpinIterations) cpuRelax();
    else std::this_thread::yield();
  }
  job_ = nullptr;
}

void ThreadPool::runChunks() {
  for (;;) {
    int64_t b = next_.fetch_add(grain_, std::memory_order_relaxed);
    if (b >= extent_) return;
    jobCall_(job_, b, std::min(b + grain_, extent_));
  }
}

void ThreadPool::workerLoop() {
  uint64_t seen = 0;  // the last generation this worker looked at
  auto generation = [this] { return state_.load(std::memory_order_acquire) >> 32; };
  for (;;) {
    uint64_t g = generation();
    for (int spins = 0; g == seen && spins < kSpinIterations && !stop_.load(); ++spins) {
      cpuRelax();
      g = generation();
    }
    if (g == seen) {
      std::unique_lock<std::mutex> lock(sleepMutex_);
      sleepers_.fetch_add(1);
      wake_.wait(lock, [&] { return stop_.load() || generation() != seen; });
      sleepers_.fetch_sub(1);
    }
    if (stop_.load()) return;
    // Join the current job if it is still open; a failed compare-and-swap
    // with the job still open (another worker joined) retries.
    uint64_t s = state_.load(std::memory_order_acquire);
    seen = s >> 32;
    bool joined = false;
    while ((s & kOpen) && (s >> 32) == seen && !joined)
      joined = state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire);
    if (!joined) continue;
    runChunks();
    state_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace kiln::runtime
