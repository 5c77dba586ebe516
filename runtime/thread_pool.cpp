#include "runtime/thread_pool.h"

#include <algorithm>

namespace kiln::runtime {

namespace {
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
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::parallelFor(int64_t extent, const std::function<void(int64_t, int64_t)>& fn) {
  if (extent <= 0) return;
  if (numThreads_ == 1 || extent == 1) {
    fn(0, extent);
    return;
  }
  std::lock_guard<std::mutex> runLock(runMutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &fn;
    extent_ = extent;
    pending_ = numThreads_ - 1;
    ++generation_;
  }
  wake_.notify_all();
  auto [b, e] = chunk(extent, numThreads_, 0);
  if (b < e) fn(b, e);
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return pending_ == 0; });
  job_ = nullptr;
}

void ThreadPool::workerLoop(int index) {
  uint64_t seen = 0;
  for (;;) {
    const std::function<void(int64_t, int64_t)>* job;
    int64_t extent;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
      extent = extent_;
    }
    auto [b, e] = chunk(extent, numThreads_, index);
    if (b < e) (*job)(b, e);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
    }
  }
}

}  // namespace kiln::runtime
