#include "transport/event_stream.h"

#include <gtest/gtest.h>

#include <thread>

namespace vmscope::transport {
namespace {

using namespace std::chrono_literals;
using Kind = EventStream::Chunk::Kind;

TEST(SseEventTest, Format) {
  EXPECT_EQ(sse_event(7, R"({"a":1})"), "id: 7\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(sse_event(0, "x"), "data: x\n\n");
  EXPECT_EQ(sse_event(1, "two\nlines\r\nhere"), "id: 1\ndata: two\ndata: lines\ndata: here\n\n");
  EXPECT_EQ(sse_event(0, ""), "data: \n\n");
}

TEST(EventStreamTest, OpeningIsACommentWithARetryHint) {
  std::string opening = EventStream::opening();
  EXPECT_EQ(opening.front(), ':');
  EXPECT_NE(opening.find("retry: "), std::string::npos);
  EXPECT_EQ(opening.substr(opening.size() - 2), "\n\n");
}

TEST(EventStreamTest, NotificationsBecomeEventsWithTheHubSequenceAsId) {
  server::NotificationHub hub({});
  EventStream stream(NotificationFeed(hub.subscribe()), 10s);
  hub.publish("n", R"({"jsonrpc":"2.0","method":"n"})");
  auto chunk = stream.next(1s);
  ASSERT_EQ(chunk.kind, Kind::kWrite);
  EXPECT_EQ(chunk.text, "id: 1\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"n\"}\n\n");
  EXPECT_EQ(stream.next(10ms).kind, Kind::kNothing);
}

TEST(EventStreamTest, KeepAliveCommentAfterAQuietInterval) {
  server::NotificationHub hub({});
  EventStream stream(NotificationFeed(hub.subscribe()), 50ms);
  EXPECT_EQ(stream.next(10ms).kind, Kind::kNothing);
  std::this_thread::sleep_for(60ms);
  auto chunk = stream.next(1ms);
  ASSERT_EQ(chunk.kind, Kind::kWrite);
  EXPECT_EQ(chunk.text, ": keep-alive\n\n");
  EXPECT_EQ(stream.next(1ms).kind, Kind::kNothing);  // the interval starts again
}

TEST(EventStreamTest, ClosedHubEndsTheStreamAndCloseLeavesTheHub) {
  server::NotificationHub hub({});
  EventStream a(NotificationFeed(hub.subscribe()), 10s);
  EventStream b(NotificationFeed(hub.subscribe()), 10s);
  EXPECT_EQ(hub.stats().subscribers, 2u);
  b.close();
  EXPECT_EQ(hub.stats().subscribers, 1u);
  hub.close();
  EXPECT_EQ(a.next(1s).kind, Kind::kClosed);
}

}  // namespace
}  // namespace vmscope::transport
