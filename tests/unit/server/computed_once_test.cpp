#include "server/computed_once.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace vmscope::server {
namespace {

using namespace std::chrono_literals;

Result<std::shared_ptr<const int>> value(int v) {
  return std::make_shared<const int>(v);
}

TEST(ComputedOnceTest, ConcurrentFirstCallersComputeOnce) {
  ComputedOnce<int> slot;
  std::atomic<int> computed{0};
  std::vector<std::thread> threads;
  std::vector<const int*> seen(8, nullptr);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r = slot.get(CancellationToken(), [&](const CancellationToken&) {
        ++computed;
        std::this_thread::sleep_for(50ms);
        return value(42);
      });
      ASSERT_TRUE(r.ok());
      seen[static_cast<std::size_t>(i)] = r->get();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(computed.load(), 1);
  for (const int* p : seen) {
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p, seen[0]);  // one value shared by all
    EXPECT_EQ(*p, 42);
  }
}

TEST(ComputedOnceTest, ErrorsAreKeptButCancellationIsNot) {
  ComputedOnce<int> missing;
  int calls = 0;
  auto not_found = [&](const CancellationToken&) -> Result<std::shared_ptr<const int>> {
    ++calls;
    return Error(ErrorCode::kNotFound, "no such thing");
  };
  EXPECT_EQ(missing.get({}, not_found).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.get({}, not_found).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(calls, 1);

  ComputedOnce<int> slot;
  CancellationSource source;
  source.cancel();
  auto cancelled = slot.get(source.token(),
                            [](const CancellationToken& c) -> Result<std::shared_ptr<const int>> {
                              VMSCOPE_CHECK(c.check());
                              return value(1);
                            });
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.error().code(), ErrorCode::kCancelled);
  EXPECT_FALSE(slot.peek().has_value());
  auto again = slot.get({}, [](const CancellationToken&) { return value(7); });
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(**again, 7);
}

// The first caller is cancelled in the middle of its computation while a second waits: the
// second computes again with its own token instead of inheriting the cancellation.
TEST(ComputedOnceTest, AWaiterTakesOverFromACancelledComputation) {
  ComputedOnce<int> slot;
  CancellationSource first_cancel;
  std::atomic<bool> first_started{false};
  std::atomic<int> computed{0};
  std::thread first([&] {
    auto r = slot.get(first_cancel.token(),
                      [&](const CancellationToken& c) -> Result<std::shared_ptr<const int>> {
                        ++computed;
                        first_started = true;
                        while (!c.cancelled()) std::this_thread::sleep_for(1ms);
                        return c.check().error();
                      });
    EXPECT_EQ(r.error().code(), ErrorCode::kCancelled);
  });
  while (!first_started) std::this_thread::sleep_for(1ms);
  std::thread second([&] {
    auto r = slot.get({}, [&](const CancellationToken&) {
      ++computed;
      return value(5);
    });
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(**r, 5);
  });
  std::this_thread::sleep_for(30ms);  // the second is waiting now
  first_cancel.cancel();
  first.join();
  second.join();
  EXPECT_EQ(computed.load(), 2);
  ASSERT_TRUE(slot.peek().has_value());
  EXPECT_EQ(*slot.peek()->value(), 5);
}

// A waiter whose own request is cancelled stops waiting at once; the computation goes on.
TEST(ComputedOnceTest, AWaiterCanBeCancelledWhileAnotherComputes) {
  ComputedOnce<int> slot;
  std::atomic<bool> started{false}, release{false};
  std::thread computing([&] {
    auto r = slot.get({}, [&](const CancellationToken&) {
      started = true;
      while (!release) std::this_thread::sleep_for(1ms);
      return value(9);
    });
    EXPECT_TRUE(r.ok());
  });
  while (!started) std::this_thread::sleep_for(1ms);
  CancellationSource waiter_cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(30ms);
    waiter_cancel.cancel();
  });
  auto waited = slot.get(waiter_cancel.token(), [](const CancellationToken&) { return value(0); });
  ASSERT_FALSE(waited.ok());
  EXPECT_EQ(waited.error().code(), ErrorCode::kCancelled);
  release = true;
  computing.join();
  canceller.join();
  EXPECT_EQ(**slot.get({}, [](const CancellationToken&) { return value(0); }), 9);
}

TEST(ComputedOnceTest, AThrowingComputationLeavesTheSlotUsable) {
  ComputedOnce<int> slot;
  EXPECT_THROW((void)slot.get({},
                              [](const CancellationToken&) -> Result<std::shared_ptr<const int>> {
                                throw std::runtime_error("bug");
                              }),
               std::runtime_error);
  auto r = slot.get({}, [](const CancellationToken&) { return value(3); });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(**r, 3);
}

}  // namespace
}  // namespace vmscope::server
