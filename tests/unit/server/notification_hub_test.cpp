#include "server/notification_hub.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace vmscope::server {
namespace {

using namespace std::chrono_literals;
using Outcome = NotificationHub::Subscription::Outcome;

std::string next_payload(NotificationHub::Subscription& subscription) {
  auto next = subscription.next(2s);
  if (next.outcome != Outcome::kNotification) return "<none>";
  return next.notification->payload;
}

TEST(NotificationHubTest, EverySubscriberGetsEveryNotificationInOrder) {
  NotificationHub hub({});
  auto a = hub.subscribe();
  auto b = hub.subscribe();
  hub.publish("$/progress", "one");
  hub.publish("$/progress", "two");
  EXPECT_EQ(next_payload(*a), "one");
  EXPECT_EQ(next_payload(*a), "two");
  EXPECT_EQ(next_payload(*b), "one");
  EXPECT_EQ(next_payload(*b), "two");
  EXPECT_EQ(hub.stats().published, 2u);
  EXPECT_EQ(hub.stats().subscribers, 2u);
}

TEST(NotificationHubTest, NotificationCarriesNameAndIncreasingSequence) {
  NotificationHub hub({});
  auto a = hub.subscribe();
  hub.publish("first", "x");
  hub.publish("second", "y");
  auto one = a->next(1s);
  auto two = a->next(1s);
  ASSERT_EQ(one.outcome, Outcome::kNotification);
  ASSERT_EQ(two.outcome, Outcome::kNotification);
  EXPECT_EQ(one.notification->name, "first");
  EXPECT_EQ(two.notification->name, "second");
  EXPECT_LT(one.notification->sequence, two.notification->sequence);
}

TEST(NotificationHubTest, ExceptSkipsTheNamedSubscriber) {
  NotificationHub hub({});
  auto a = hub.subscribe();
  auto b = hub.subscribe();
  hub.publish("n", "for b only", a->id());
  EXPECT_EQ(a->next(10ms).outcome, Outcome::kTimedOut);
  EXPECT_EQ(next_payload(*b), "for b only");
}

TEST(NotificationHubTest, SlowSubscriberDropsItsOwnAndOthersGetEverything) {
  NotificationHub hub({.queue_capacity = 4});
  auto slow = hub.subscribe();
  auto fast = hub.subscribe();
  for (int i = 0; i < 10; ++i) {
    hub.publish("n", std::to_string(i));
    EXPECT_EQ(next_payload(*fast), std::to_string(i));
  }
  EXPECT_EQ(slow->dropped(), 6u);
  EXPECT_EQ(fast->dropped(), 0u);
  EXPECT_EQ(hub.stats().dropped, 6u);
  // The slow one keeps the oldest four: what it lost is the newest.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(next_payload(*slow), std::to_string(i));
  EXPECT_EQ(slow->next(10ms).outcome, Outcome::kTimedOut);
}

TEST(NotificationHubTest, NextTimesOutWhenNothingArrives) {
  NotificationHub hub({});
  auto a = hub.subscribe();
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(a->next(50ms).outcome, Outcome::kTimedOut);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 45ms);
}

TEST(NotificationHubTest, CloseWakesAWaiterAfterDrainingTheQueue) {
  NotificationHub hub({});
  auto a = hub.subscribe();
  auto b = hub.subscribe();
  hub.publish("n", "queued");
  std::thread waiter([&] {
    EXPECT_EQ(next_payload(*b), "queued");
    // Blocks until close(); a 10 s timeout would fail the time check below.
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(b->next(10s).outcome, Outcome::kClosed);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  });
  std::this_thread::sleep_for(50ms);
  hub.close();
  waiter.join();
  EXPECT_EQ(next_payload(*a), "queued");
  EXPECT_EQ(a->next(1s).outcome, Outcome::kClosed);
  hub.publish("n", "after close");
  EXPECT_EQ(a->next(10ms).outcome, Outcome::kClosed);
  EXPECT_EQ(hub.subscribe()->next(10ms).outcome, Outcome::kClosed);
}

TEST(NotificationHubTest, ClosedOrDestroyedSubscriptionsLeaveTheHub) {
  NotificationHub hub({});
  auto a = hub.subscribe();
  {
    auto b = hub.subscribe();
    EXPECT_EQ(hub.stats().subscribers, 2u);
  }
  EXPECT_EQ(hub.stats().subscribers, 1u);
  a->close();
  EXPECT_EQ(hub.stats().subscribers, 0u);
  EXPECT_EQ(a->next(10ms).outcome, Outcome::kClosed);
  hub.publish("n", "nobody listens");
  EXPECT_EQ(hub.stats().dropped, 0u);
}

TEST(NotificationHubTest, SubscriptionMayOutliveTheHub) {
  std::shared_ptr<NotificationHub::Subscription> a;
  {
    NotificationHub hub({});
    a = hub.subscribe();
    hub.publish("n", "last words");
  }
  EXPECT_EQ(next_payload(*a), "last words");
  EXPECT_EQ(a->next(10ms).outcome, Outcome::kClosed);
  a->close();  // no hub to leave: still fine
}

TEST(NotificationHubTest, ConcurrentPublishersReachEverySubscriberOnce) {
  NotificationHub hub({.queue_capacity = 10000});
  auto a = hub.subscribe();
  auto b = hub.subscribe();
  std::vector<std::thread> publishers;
  for (int t = 0; t < 4; ++t) {
    publishers.emplace_back([&hub, t] {
      for (int i = 0; i < 500; ++i) hub.publish("n", std::to_string(t * 1000 + i));
    });
  }
  for (auto& publisher : publishers) publisher.join();
  for (auto* subscription : {a.get(), b.get()}) {
    std::set<std::string> seen;
    std::uint64_t last_sequence = 0;
    for (;;) {
      auto next = subscription->next(0ms);
      if (next.outcome != Outcome::kNotification) break;
      EXPECT_GT(next.notification->sequence, last_sequence);  // FIFO per subscriber
      last_sequence = next.notification->sequence;
      seen.insert(next.notification->payload);
    }
    EXPECT_EQ(seen.size(), 2000u);
  }
}

}  // namespace
}  // namespace vmscope::server
