// A persistent pool of worker threads. parallelFor splits [0, extent) into
// contiguous chunks, one per thread; the calling thread runs chunk 0, so a
// pool of N threads has N-1 workers. Calls from different threads serialize.
//
// A model launches hundreds of kernels per run, many of them short, so the
// hand-off must cost microseconds: workers spin on an atomic generation
// counter for a while before sleeping on a condition variable, and the caller
// spins on an atomic completion count.
#pragma once

#include <atomic>
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
  std::mutex sleepMutex_;
  std::condition_variable wake_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t extent_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace kiln::runtime
