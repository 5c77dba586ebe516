// ThreadPool: every index of [0, extent) runs exactly once, across many
// back-to-back calls (the spin hand-off) and after workers have gone to sleep.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "runtime/thread_pool.h"

namespace kiln::runtime {
namespace {

void expectEachIndexOnce(ThreadPool& pool, int64_t extent) {
  std::vector<std::atomic<int>> hits(static_cast<size_t>(extent));
  pool.parallelFor(extent, [&](int64_t b, int64_t e) {
    ASSERT_LE(0, b);
    ASSERT_LE(b, e);
    ASSERT_LE(e, extent);
    for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
  });
  for (int64_t i = 0; i < extent; ++i) ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << "index " << i;
}

TEST(ThreadPool, CoversEveryIndexOnce) {
  for (int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    for (int64_t extent : {1, 2, 3, 7, 8, 9, 100, 1001}) expectEachIndexOnce(pool, extent);
  }
}

TEST(ThreadPool, ManyBackToBackCalls) {
  ThreadPool pool(3);
  std::atomic<int64_t> sum{0};
  for (int call = 0; call < 5000; ++call)
    pool.parallelFor(10, [&](int64_t b, int64_t e) { sum.fetch_add(e - b); });
  EXPECT_EQ(sum.load(), 50000);
}

// Far more threads than cores: most workers get the CPU only after the caller
// has run every chunk, find the job closed and must skip it without touching
// it (the next job may already be published).
TEST(ThreadPool, OversubscribedWorkersSkipClosedJobs) {
  ThreadPool pool(static_cast<int>(4 * std::max(1u, std::thread::hardware_concurrency())));
  for (int call = 0; call < 2000; ++call) expectEachIndexOnce(pool, 1 + call % 37);
}

TEST(ThreadPool, WakesSleepingWorkers) {
  ThreadPool pool(2);
  expectEachIndexOnce(pool, 64);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // workers stop spinning and sleep
  expectEachIndexOnce(pool, 64);
}

TEST(ThreadPool, EmptyExtentRunsNothing) {
  ThreadPool pool(2);
  bool ran = false;
  pool.parallelFor(0, [&](int64_t, int64_t) { ran = true; });
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace kiln::runtime
