// A persistent pool of worker threads. parallelFor splits [0, extent) into
// contiguous chunks, one per thread; the calling thread runs chunk 0, so a
// pool of N threads has N-1 workers. Calls from different threads serialize.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kiln::runtime {

class ThreadPool {
 public:
  explicit ThreadPool(int numThreads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int numThreads() const { return numThreads_; }
  // Runs fn(begin, end) over disjoint chunks covering [0, extent).
  void parallelFor(int64_t extent, const std::function<void(int64_t, int64_t)>& fn);

 private:
  void workerLoop(int index);

  int numThreads_;
  std::vector<std::thread> workers_;
  std::mutex runMutex_;  // one parallelFor at a time
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t extent_ = 0;
  uint64_t generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
};

}  // namespace kiln::runtime
