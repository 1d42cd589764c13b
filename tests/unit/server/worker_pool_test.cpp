#include "server/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace vmscope::server {
namespace {

using namespace std::chrono_literals;

// A gate a task can wait at until the test opens it.
class Gate {
 public:
  void open() { promise_.set_value(); }
  void wait() { future_.wait(); }

 private:
  std::promise<void> promise_;
  std::shared_future<void> future_ = promise_.get_future().share();
};

TEST(WorkerPoolTest, ZeroThreadsRunsInlineOnTheCaller) {
  WorkerPool pool({.threads = 0});
  std::thread::id ran_on;
  ASSERT_TRUE(pool.submit([&] { ran_on = std::this_thread::get_id(); }).ok());
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_EQ(pool.stats().completed, 1u);
  EXPECT_EQ(pool.stats().threads, 0u);
}

TEST(WorkerPoolTest, SlowTaskDoesNotBlockOthers) {
  // Everything a task touches is declared before the pool, so the pool's
  // destructor joins its threads before those objects are destroyed.
  Gate slow_gate;
  std::promise<void> quick_done;
  WorkerPool pool({.threads = 2});
  ASSERT_TRUE(pool.submit([&] { slow_gate.wait(); }).ok());
  ASSERT_TRUE(pool.submit([&] { quick_done.set_value(); }).ok());
  EXPECT_EQ(quick_done.get_future().wait_for(5s), std::future_status::ready);
  slow_gate.open();
}

TEST(WorkerPoolTest, FullQueueRefusesWithoutBlocking) {
  Gate gate;
  std::promise<void> started;
  std::atomic<int> ran{0};
  WorkerPool pool({.threads = 1, .queue_capacity = 2});
  ASSERT_TRUE(pool.submit([&] {
                    started.set_value();
                    gate.wait();
                  })
                  .ok());
  started.get_future().wait();  // the thread is busy; the queue is empty
  EXPECT_TRUE(pool.submit([&] { ++ran; }).ok());
  EXPECT_TRUE(pool.submit([&] { ++ran; }).ok());
  Status refused = pool.submit([&] { ++ran; });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kLimitExceeded);
  WorkerPool::Stats stats = pool.stats();
  EXPECT_EQ(stats.queued, 2u);
  EXPECT_EQ(stats.running, 1u);
  EXPECT_EQ(stats.rejected, 1u);
  gate.open();
  pool.shutdown();
  EXPECT_EQ(ran.load(), 2);
}

TEST(WorkerPoolTest, ShutdownDrainsQueuedTasksThenRefuses) {
  std::atomic<int> ran{0};
  Gate gate;
  WorkerPool pool({.threads = 1});
  ASSERT_TRUE(pool.submit([&] { gate.wait(); }).ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(pool.submit([&] { ++ran; }).ok());
  gate.open();
  pool.shutdown();
  EXPECT_EQ(ran.load(), 10);
  Status late = pool.submit([&] { ++ran; });
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code(), ErrorCode::kCancelled);
  EXPECT_EQ(ran.load(), 10);
}

TEST(WorkerPoolTest, ThrowingTaskIsCountedAndThePoolGoesOn) {
  std::promise<void> after;
  WorkerPool pool({.threads = 1});
  ASSERT_TRUE(pool.submit([] { throw std::runtime_error("rule broken"); }).ok());
  ASSERT_TRUE(pool.submit([&] { after.set_value(); }).ok());
  EXPECT_EQ(after.get_future().wait_for(5s), std::future_status::ready);
  pool.shutdown();
  EXPECT_EQ(pool.stats().threw, 1u);
  EXPECT_EQ(pool.stats().completed, 2u);
}

TEST(WorkerPoolTest, TasksMaySubmitMoreTasks) {
  std::promise<void> inner;
  WorkerPool pool({.threads = 2});
  ASSERT_TRUE(pool.submit([&] { ASSERT_TRUE(pool.submit([&] { inner.set_value(); }).ok()); }).ok());
  EXPECT_EQ(inner.get_future().wait_for(5s), std::future_status::ready);
}

TEST(WorkerPoolTest, DefaultThreadsIsAtLeastOne) {
  EXPECT_GE(WorkerPool::default_threads(), 1u);
}

}  // namespace
}  // namespace vmscope::server
