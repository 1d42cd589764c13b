#include "transport/notification_feed.h"

#include <gtest/gtest.h>

#include "rpc/json.h"

namespace vmscope::transport {
namespace {

using namespace std::chrono_literals;
using Kind = NotificationFeed::Item::Kind;
using rpc::Json;

TEST(NotificationFeedTest, PassesNotificationsThroughWithTheirSequence) {
  server::NotificationHub hub({});
  NotificationFeed feed(hub.subscribe());
  hub.publish("$/progress", R"({"jsonrpc":"2.0","method":"$/progress","params":{}})");
  auto item = feed.next(1s);
  ASSERT_EQ(item.kind, Kind::kMessage);
  EXPECT_EQ(item.message, R"({"jsonrpc":"2.0","method":"$/progress","params":{}})");
  EXPECT_EQ(item.sequence, 1u);
  EXPECT_EQ(feed.next(10ms).kind, Kind::kIdle);
}

TEST(NotificationFeedTest, AnnouncesDropsOnceBeforeTheNextNotification) {
  server::NotificationHub hub({.queue_capacity = 2});
  NotificationFeed feed(hub.subscribe());
  for (int i = 0; i < 5; ++i) hub.publish("n", "payload " + std::to_string(i));
  auto notice = feed.next(1s);
  ASSERT_EQ(notice.kind, Kind::kMessage);
  Json parsed = Json::parse(notice.message);
  EXPECT_EQ(parsed["method"], "notifications/dropped");
  EXPECT_EQ(parsed["params"]["dropped"], 3);
  EXPECT_EQ(notice.sequence, 0u);
  EXPECT_EQ(feed.next(1s).message, "payload 0");
  EXPECT_EQ(feed.next(1s).message, "payload 1");
  EXPECT_EQ(feed.next(10ms).kind, Kind::kIdle);
  // More drops later: the notice carries the running total.
  for (int i = 5; i < 9; ++i) hub.publish("n", "payload " + std::to_string(i));
  EXPECT_EQ(Json::parse(feed.next(1s).message)["params"]["dropped"], 5);
  EXPECT_EQ(feed.next(1s).message, "payload 5");
}

TEST(NotificationFeedTest, ClosedWhenTheHubCloses) {
  server::NotificationHub hub({});
  NotificationFeed feed(hub.subscribe());
  hub.publish("n", "last");
  hub.close();
  EXPECT_EQ(feed.next(1s).message, "last");
  EXPECT_EQ(feed.next(1s).kind, Kind::kClosed);
}

TEST(NotificationFeedTest, CloseEndsTheFeed) {
  server::NotificationHub hub({});
  NotificationFeed feed(hub.subscribe());
  EXPECT_EQ(hub.stats().subscribers, 1u);
  feed.close();
  EXPECT_EQ(hub.stats().subscribers, 0u);
  EXPECT_EQ(feed.next(1s).kind, Kind::kClosed);
}

}  // namespace
}  // namespace vmscope::transport
