#include "receiver/host_rate_limiter.h"

#include <gtest/gtest.h>

#include <string>

namespace vmscope {
namespace {

using Clock = HostRateLimiter::Clock;
using std::chrono::milliseconds;

const Clock::time_point t0{};

TEST(HostRateLimiterTest, BurstThenRefillAtTheRate) {
  HostRateLimiter limiter(RateLimits{.records_per_second = 10, .burst = 5, .max_hosts = 8});
  int accepted = 0;
  for (int i = 0; i < 8; ++i) accepted += limiter.admit("10.0.0.1", t0) ? 1 : 0;
  EXPECT_EQ(accepted, 5);
  EXPECT_FALSE(limiter.admit("10.0.0.1", t0 + milliseconds(50)));  // half a token
  EXPECT_TRUE(limiter.admit("10.0.0.1", t0 + milliseconds(100)));  // one token
  EXPECT_FALSE(limiter.admit("10.0.0.1", t0 + milliseconds(100)));
  // The bucket never holds more than the burst, however long the silence.
  accepted = 0;
  for (int i = 0; i < 20; ++i) accepted += limiter.admit("10.0.0.1", t0 + std::chrono::hours(1));
  EXPECT_EQ(accepted, 5);

  auto counters = limiter.counters("10.0.0.1");
  ASSERT_TRUE(counters);
  EXPECT_EQ(counters->received, 8u + 3u + 20u);
  EXPECT_EQ(counters->accepted, 5u + 1u + 5u);
  EXPECT_EQ(counters->dropped_rate, counters->received - counters->accepted);
}

TEST(HostRateLimiterTest, HostsHaveTheirOwnBuckets) {
  HostRateLimiter limiter(RateLimits{.records_per_second = 0, .burst = 1, .max_hosts = 8});
  EXPECT_TRUE(limiter.admit("a", t0));
  EXPECT_FALSE(limiter.admit("a", t0));
  EXPECT_TRUE(limiter.admit("b", t0));
  limiter.note_malformed("a", t0);
  EXPECT_EQ(limiter.counters("a")->malformed, 1u);
  EXPECT_EQ(limiter.counters("b")->malformed, 0u);
  EXPECT_FALSE(limiter.counters("c"));
}

TEST(HostRateLimiterTest, TableIsBoundedLeastRecentlySeenFirst) {
  HostRateLimiter limiter(RateLimits{.records_per_second = 1, .burst = 1, .max_hosts = 3});
  limiter.admit("a", t0);
  limiter.admit("b", t0);
  limiter.admit("c", t0);
  limiter.admit("a", t0);  // a is fresh again; b is now the least recent
  limiter.admit("d", t0);
  EXPECT_EQ(limiter.hosts(), 3u);
  EXPECT_EQ(limiter.hosts_evicted(), 1u);
  EXPECT_FALSE(limiter.counters("b"));
  EXPECT_TRUE(limiter.counters("a"));
  auto snapshot = limiter.snapshot();
  ASSERT_EQ(snapshot.size(), 3u);
  EXPECT_EQ(snapshot[0].first, "d");
  // A spoofed flood of new addresses stays within the bound.
  for (int i = 0; i < 10000; ++i) limiter.admit("x" + std::to_string(i), t0);
  EXPECT_EQ(limiter.hosts(), 3u);
}

}  // namespace
}  // namespace vmscope
