// A persistent pool of worker threads. parallelFor hands out [0, extent) in
// contiguous chunks of about extent / (4 * threads) indices, taken from a
// shared atomic counter by the calling thread and the N-1 workers, so a thread
// slowed down (by uneven tasks, or by another process on its core) takes fewer
// chunks. Calls from different threads serialize.
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
  void workerLoop();
  void runChunks();

  int numThreads_;
  std::vector<std::thread> workers_;
  std::mutex runMutex_;  // one parallelFor at a time
  std::mutex sleepMutex_;
  std::condition_variable wake_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t extent_ = 0;
  int64_t grain_ = 1;
  std::atomic<int64_t> next_{0};  // first index not yet handed out
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace kiln::runtime
