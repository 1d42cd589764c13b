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

// Every required field of the spec's schema `name` is in `value`, and every field of `value` is
// specified; with `complete`, every specified field is there. Nested objects the same way.
void expect_matches_schema(const Json& value, const Json& schema, bool complete,
                           const std::string& where) {
  const Json& schemas = protocol_document()["components"]["schemas"];
  const Json* s = &schema;
  if (s->contains("$ref")) {
    std::string ref = (*s)["$ref"];
    s = &schemas[ref.substr(ref.rfind('/') + 1)];
  }
  if (!s->contains("properties")) return;
  for (const Json& field : (*s)["required"]) {
    EXPECT_TRUE(value.contains(field.get<std::string>())) << where << "." << field;
  }
  for (const auto& [key, item] : value.items()) {
    ASSERT_TRUE((*s)["properties"].contains(key)) << where << "." << key << " is not specified";
    if (item.is_object()) {
      expect_matches_schema(item, (*s)["properties"][key], complete, where + "." + key);
    }
  }
  if (complete) {
    EXPECT_EQ(value.size(), (*s)["properties"].size()) << where;
  }
}

TEST(MethodsServerTest, StatusHasEveryFieldTheSpecRequires) {
  Json result = to_json(ServerStatus{});
  const Json& schema = protocol_document()["components"]["schemas"]["ServerStatus"];
  expect_matches_schema(result, schema, false, "status");
  EXPECT_FALSE(result.contains("receiver"));  // no receiver runs
  EXPECT_EQ(result.size(), schema["properties"].size() - 1);
}

TEST(MethodsServerTest, TheReceiversCountersAreEverySpecifiedField) {
  server::ReceiverServiceStats stats;
  stats.dump.emplace();
  stats.dump->total.datagrams = 10;
  stats.dump->total.bytes = 14520;
  stats.dump->total.accepted = 4;
  stats.dump->total.auth_failed = 2;   // forged or tampered
  stats.dump->total.unknown_host = 1;  // forged
  stats.dump->total.too_old = 1;       // replayed, inside a session
  stats.dump->total.replayed_session = 1;
  stats.dump->total.duplicate = 1;
  stats.dump->open_sessions = 1;
  stats.logs.netconsole.plain_lines = 3;
  stats.logs.netconsole.extended_records = 4;
  stats.catalog_dumps = 2;
  stats.triage.emplace();
  stats.triage->filed = 1;
  ServerStatus status;
  status.receiver_dump_dir = "/var/crash/vmscope";
  status.receiver = stats;
  Json result = to_json(status);
  expect_matches_schema(result, protocol_document()["components"]["schemas"]["ServerStatus"], true,
                        "status");
  const Json& r = result["receiver"];
  EXPECT_EQ(r["dumpDirectory"], "/var/crash/vmscope");
  EXPECT_EQ(r["dumps"]["rejected"]["authFailed"], 2);
  EXPECT_EQ(r["dumps"]["rejected"]["unknownHost"], 1);
  EXPECT_EQ(r["dumps"]["rejected"]["replayed"], 2);
  EXPECT_EQ(r["dumps"]["rejected"]["total"], 5);
  EXPECT_EQ(r["dumps"]["duplicates"], 1);
  EXPECT_EQ(r["dumps"]["bytes"], 14520);
  EXPECT_EQ(r["dumps"]["sessions"]["open"], 1);
  EXPECT_EQ(r["logs"]["netconsoleLines"], 7);
  EXPECT_EQ(r["catalog"]["dumps"], 2);
  EXPECT_EQ(r["triage"]["filed"], 1);

  // Without the ingest (no host table) and without triage (`vmscope receive` alone).
  stats.dump.reset();
  stats.triage.reset();
  status.receiver = stats;
  result = to_json(status);
  expect_matches_schema(result["receiver"],
                        protocol_document()["components"]["schemas"]["ReceiverStatus"], false,
                        "receiver");
  EXPECT_FALSE(result["receiver"].contains("dumps"));
  EXPECT_FALSE(result["receiver"].contains("triage"));
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
