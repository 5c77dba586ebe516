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
//
// A worker joins a job explicitly (a compare-and-swap on the job's state), and
// the caller closes the job once every chunk is handed out, then waits only
// for the workers that joined. A worker that gets no CPU until later (the
// machine is oversubscribed) finds the job closed and skips it, so the caller
// never waits on a thread that is not running.
//
// parallelFor never allocates: the job is held as a pointer to the caller's
// callable plus a trampoline (a function reference), not copied into a
// std::function, so a model run can be allocation-free (runtime/run_context.h).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
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
  // Runs fn(begin, end) over disjoint chunks covering [0, extent). `fn` is any
  // callable taking (int64_t, int64_t); it is referenced, never copied.
  template <typename Fn>
  void parallelFor(int64_t extent, const Fn& fn) {
    run(extent, [](const void* f, int64_t b, int64_t e) { (*static_cast<const Fn*>(f))(b, e); }, &fn);
  }

 private:
  using Trampoline = void (*)(const void* fn, int64_t begin, int64_t end);
  void run(int64_t extent, Trampoline call, const void* fn);
  void workerLoop();
  void runChunks();

  int numThreads_;
  std::vector<std::thread> workers_;
  std::mutex runMutex_;  // one parallelFor at a time
  std::mutex sleepMutex_;
  std::condition_variable wake_;
  Trampoline jobCall_ = nullptr;
  const void* job_ = nullptr;
  int64_t extent_ = 0;
  int64_t grain_ = 1;
  std::atomic<int64_t> next_{0};  // first index not yet handed out
  // Job state: generation << 32 | kOpen (accepting workers) | workers running it.
  static constexpr uint64_t kOpen = uint64_t{1} << 31;
  static constexpr uint64_t kActiveMask = kOpen - 1;
  std::atomic<uint64_t> state_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace kiln::runtime
