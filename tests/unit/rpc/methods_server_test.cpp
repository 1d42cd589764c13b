#include "rpc/methods_server.h"

#include <gtest/gtest.h>

#include <thread>

#include "rpc/errors.h"
#include "rpc/protocol_document.h"

namespace vmscope::rpc {
namespace {

using namespace std::chrono_literals;

TEST(MethodsServerTest, StatusReportsWhatTheProbeSays) {
  Dispatcher dispatcher;
  register_server_methods(dispatcher, [] {
    return ServerStatus{.uptime = 1500ms,
                        .open_dumps = 2,
                        .in_flight_requests = 3,
                        .workers = 4,
                        .queued_requests = 5,
                        .rejected_requests = 6,
                        .event_subscribers = 7,
                        .notifications_published = 8,
                        .notifications_dropped = 9};
  });
  Result<Json> status = dispatcher.call("server/status", Json::object(), {});
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, Json::parse(R"({"version":"0.1.0","uptimeMs":1500,"openDumps":2,
      "inFlightRequests":3,"workers":4,"queuedRequests":5,"rejectedRequests":6,
      "eventSubscribers":7,"notificationsPublished":8,"notificationsDropped":9})"));
  EXPECT_EQ((*status)["version"], protocol_document()["info"]["version"]);
}

TEST(MethodsServerTest, StatusHasEveryFieldTheSpecRequires) {
  Json result = to_json(ServerStatus{});
  const Json& schema = protocol_document()["components"]["schemas"]["ServerStatus"];
  for (const Json& field : schema["required"]) {
    EXPECT_TRUE(result.contains(field.get<std::string>())) << field;
  }
  EXPECT_EQ(result.size(), schema["properties"].size());
}

class SleepTest : public ::testing::Test {
 protected:
  void SetUp() override { register_test_methods(dispatcher_); }
  Dispatcher dispatcher_;
};

TEST_F(SleepTest, SleepsAsLongAsAskedAndReportsProgressPerStep) {
  std::vector<Json> progress;
  RequestContext context{.progress =
                             ProgressReporter("t", [&](const Json& p) { progress.push_back(p); })};
  auto start = std::chrono::steady_clock::now();
  Result<Json> r = dispatcher_.call("test/sleep", {{"milliseconds", 60}, {"steps", 3}}, context);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_GE((*r)["sleptMs"].get<int>(), 60);
  EXPECT_GE(took, 60ms);
  ASSERT_EQ(progress.size(), 4u);  // begin, 2 reports, end
  EXPECT_EQ(progress[0]["value"]["kind"], "begin");
  EXPECT_EQ(progress[1]["value"]["percentage"], 33);
  EXPECT_EQ(progress[2]["value"]["percentage"], 66);
  EXPECT_EQ(progress[3]["value"]["kind"], "end");
}

TEST_F(SleepTest, StopsSoonAfterCancellation) {
  CancellationSource source;
  std::thread canceller([&] {
    std::this_thread::sleep_for(50ms);
    source.cancel();
  });
  auto start = std::chrono::steady_clock::now();
  Result<Json> r =
      dispatcher_.call("test/sleep", {{"milliseconds", 10000}}, {.cancel = source.token()});
  auto took = std::chrono::steady_clock::now() - start;
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kCancelled);
  EXPECT_LT(took, 2s);
}

TEST_F(SleepTest, InvalidParams) {
  for (const char* params : {R"({})", R"({"milliseconds":-1})", R"({"milliseconds":"5"})",
                             R"({"milliseconds":600001})", R"({"milliseconds":5,"steps":1001})"}) {
    Result<Json> r = dispatcher_.call("test/sleep", Json::parse(params), {});
    ASSERT_FALSE(r.ok()) << params;
    EXPECT_EQ(error_object(r.error())["code"], kInvalidParams) << params;
  }
  EXPECT_TRUE(dispatcher_.call("test/sleep", {{"milliseconds", 0}, {"steps", 0}}, {}).ok());
}

}  // namespace
}  // namespace vmscope::rpc
