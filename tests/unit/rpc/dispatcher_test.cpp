#include "rpc/dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "rpc/errors.h"

namespace vmscope::rpc {
namespace {

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dispatcher_.add("math/add", [](const Json& params, const RequestContext&) -> Result<Json> {
      return Json(params.at("a").get<int>() + params.at("b").get<int>());
    });
    dispatcher_.add("memory/fail", [](const Json&, const RequestContext&) -> Result<Json> {
      return Error(ErrorCode::kPageExcluded, "page excluded from the dump",
                   {.address = 0xffff888012345000, .physical = 0x12345000});
    });
  }
  Json run(const std::string& text) {
    auto response = dispatcher_.handle_text(text, context_);
    return response ? Json::parse(*response) : Json();
  }
  Dispatcher dispatcher_;
  RequestContext context_;
};

TEST_F(DispatcherTest, RequestGetsResultWithSameId) {
  Json r = run(R"({"jsonrpc":"2.0","id":7,"method":"math/add","params":{"a":2,"b":3}})");
  EXPECT_EQ(r["id"], 7);
  EXPECT_EQ(r["result"], 5);
  EXPECT_FALSE(r.contains("error"));
}

TEST_F(DispatcherTest, NotificationGetsNoResponse) {
  EXPECT_TRUE(run(R"({"jsonrpc":"2.0","method":"math/add","params":{"a":2,"b":3}})").is_null());
}

TEST_F(DispatcherTest, MalformedJsonIsParseError) {
  Json r = run(R"({"jsonrpc":"2.0", "id": )");
  EXPECT_EQ(r["error"]["code"], kParseError);
  EXPECT_TRUE(r["id"].is_null());
}

TEST_F(DispatcherTest, WrongEnvelopeIsInvalidRequest) {
  EXPECT_EQ(run(R"({"jsonrpc":"1.0","id":1,"method":"math/add"})")["error"]["code"],
            kInvalidRequest);
  EXPECT_EQ(run(R"({"jsonrpc":"2.0","id":1,"method":5})")["error"]["code"], kInvalidRequest);
  EXPECT_EQ(run(R"({"jsonrpc":"2.0","id":{"x":1},"method":"math/add"})")["error"]["code"],
            kInvalidRequest);
  EXPECT_EQ(run(R"([])")["error"]["code"], kInvalidRequest);
  // Wrongly typed envelope members are answered, not thrown over.
  EXPECT_EQ(run(R"({"jsonrpc":2,"id":1,"method":"math/add"})")["error"]["code"], kInvalidRequest);
  EXPECT_EQ(run(R"({"jsonrpc":null,"id":1,"method":"math/add"})")["error"]["code"],
            kInvalidRequest);
  EXPECT_EQ(run(R"({"jsonrpc":["2.0"],"method":"math/add"})")["error"]["code"], kInvalidRequest);
}

TEST_F(DispatcherTest, UnknownMethod) {
  Json r = run(R"({"jsonrpc":"2.0","id":"a","method":"no/such"})");
  EXPECT_EQ(r["id"], "a");
  EXPECT_EQ(r["error"]["code"], kMethodNotFound);
}

TEST_F(DispatcherTest, WronglyTypedParamsAreInvalidParams) {
  Json r = run(R"({"jsonrpc":"2.0","id":1,"method":"math/add","params":{"a":"two","b":3}})");
  EXPECT_EQ(r["error"]["code"], kInvalidParams);
  Json missing = run(R"({"jsonrpc":"2.0","id":2,"method":"math/add","params":{"a":1}})");
  EXPECT_EQ(missing["error"]["code"], kInvalidParams);
  Json scalar = run(R"({"jsonrpc":"2.0","id":3,"method":"math/add","params":5})");
  EXPECT_EQ(scalar["error"]["code"], kInvalidParams);
}

TEST_F(DispatcherTest, BackendErrorCarriesStructuredData) {
  Json r = run(R"({"jsonrpc":"2.0","id":1,"method":"memory/fail"})");
  EXPECT_EQ(r["error"]["code"], -32011);
  EXPECT_EQ(r["error"]["data"]["kind"], "page-excluded");
  EXPECT_EQ(r["error"]["data"]["address"], "0xffff888012345000");
  EXPECT_EQ(r["error"]["data"]["physical"], "0x12345000");
}

TEST_F(DispatcherTest, BatchRepliesOncePerRequestInOrder) {
  Json r = run(R"([
    {"jsonrpc":"2.0","id":1,"method":"math/add","params":{"a":1,"b":1}},
    {"jsonrpc":"2.0","method":"math/add","params":{"a":1,"b":1}},
    {"jsonrpc":"2.0","id":2,"method":"no/such"},
    17
  ])");
  ASSERT_TRUE(r.is_array());
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0]["result"], 2);
  EXPECT_EQ(r[1]["error"]["code"], kMethodNotFound);
  EXPECT_EQ(r[2]["error"]["code"], kInvalidRequest);
}

TEST_F(DispatcherTest, BatchOfNotificationsHasNoResponse) {
  EXPECT_TRUE(run(R"([{"jsonrpc":"2.0","method":"math/add","params":{"a":1,"b":1}}])").is_null());
}

TEST_F(DispatcherTest, PrepareSplitsEnvelopeChecksFromRunning) {
  auto prepared = dispatcher_.prepare(
      Json::parse(R"({"jsonrpc":"2.0","id":"x","method":"math/add","params":{"a":4,"b":5}})"));
  ASSERT_TRUE(prepared.call.has_value());
  EXPECT_FALSE(prepared.response.has_value());
  EXPECT_EQ(prepared.call->id, "x");
  EXPECT_FALSE(prepared.call->notification);
  EXPECT_TRUE(prepared.call->work_done_token.is_null());
  auto response = dispatcher_.run(*prepared.call, context_);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ((*response)["result"], 9);
  EXPECT_EQ((*response)["id"], "x");
}

TEST_F(DispatcherTest, PrepareAnswersBadEnvelopesAtOnceAndIgnoresUnknownNotifications) {
  auto bad = dispatcher_.prepare(Json::parse(R"({"jsonrpc":"2.0","id":3})"));
  ASSERT_TRUE(bad.response.has_value());
  EXPECT_FALSE(bad.call.has_value());
  EXPECT_EQ((*bad.response)["error"]["code"], kInvalidRequest);
  EXPECT_EQ((*bad.response)["id"], 3);
  auto unknown = dispatcher_.prepare(Json::parse(R"({"jsonrpc":"2.0","id":4,"method":"x/y"})"));
  ASSERT_TRUE(unknown.response.has_value());
  EXPECT_EQ((*unknown.response)["error"]["code"], kMethodNotFound);
  auto ignored = dispatcher_.prepare(Json::parse(R"({"jsonrpc":"2.0","method":"x/y"})"));
  EXPECT_FALSE(ignored.call.has_value());
  EXPECT_FALSE(ignored.response.has_value());
}

TEST_F(DispatcherTest, WorkDoneTokenIsTakenOutOfParams) {
  Json seen;
  dispatcher_.add("echo", [&seen](const Json& params, const RequestContext&) -> Result<Json> {
    seen = params;
    return Json(true);
  });
  auto prepared = dispatcher_.prepare(Json::parse(
      R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"workDoneToken":"t1","x":1}})"));
  ASSERT_TRUE(prepared.call.has_value());
  EXPECT_EQ(prepared.call->work_done_token, "t1");
  EXPECT_EQ(prepared.call->params, Json({{"x", 1}}));
  ASSERT_TRUE(dispatcher_.run(*prepared.call, context_).has_value());
  EXPECT_EQ(seen, Json({{"x", 1}}));

  auto bad_token = dispatcher_.prepare(Json::parse(
      R"({"jsonrpc":"2.0","id":2,"method":"echo","params":{"workDoneToken":{"no":1}}})"));
  ASSERT_TRUE(bad_token.response.has_value());
  EXPECT_EQ((*bad_token.response)["error"]["code"], kInvalidParams);
}

TEST_F(DispatcherTest, CancelledRequestNeverStartsAndRepliesRequestCancelled) {
  bool ran = false;
  dispatcher_.add("slow", [&ran](const Json&, const RequestContext&) -> Result<Json> {
    ran = true;
    return Json(1);
  });
  CancellationSource source;
  source.cancel();
  RequestContext cancelled{.cancel = source.token()};
  auto prepared = dispatcher_.prepare(Json::parse(R"({"jsonrpc":"2.0","id":9,"method":"slow"})"));
  ASSERT_TRUE(prepared.call.has_value());
  auto response = dispatcher_.run(*prepared.call, cancelled);
  ASSERT_TRUE(response.has_value());
  EXPECT_FALSE(ran);
  EXPECT_EQ((*response)["error"]["code"], kRequestCancelled);
  EXPECT_EQ((*response)["error"]["data"]["kind"], "cancelled");
  EXPECT_EQ((*response)["id"], 9);
}

TEST_F(DispatcherTest, HandlerHonouringCancellationGetsRequestCancelled) {
  dispatcher_.add("walk", [](const Json&, const RequestContext& context) -> Result<Json> {
    VMSCOPE_CHECK(context.cancel.check());
    return Json(1);
  });
  CancellationSource source;
  source.cancel();
  Json r = Json::parse(*dispatcher_.handle_text(R"({"jsonrpc":"2.0","id":1,"method":"walk"})",
                                                {.cancel = source.token()}));
  EXPECT_EQ(r["error"]["code"], kRequestCancelled);
}

class ProgressReporterTest : public ::testing::Test {
 protected:
  ProgressReporter reporter_{"tok", [this](const Json& params) { sent_.push_back(params); }};
  std::vector<Json> sent_;
};

TEST_F(ProgressReporterTest, InactiveReporterIsANoOp) {
  ProgressReporter inactive;
  EXPECT_FALSE(inactive.active());
  inactive.begin("x");
  inactive.report("y", 5);
  inactive.end();
  inactive.finish();
}

TEST_F(ProgressReporterTest, BeginReportEndHaveTheLspShape) {
  reporter_.begin("Indexing", 0);
  reporter_.report("half", 50);
  reporter_.end("done");
  ASSERT_EQ(sent_.size(), 3u);
  EXPECT_EQ(
      sent_[0],
      Json::parse(R"({"token":"tok","value":{"kind":"begin","title":"Indexing","percentage":0}})"));
  EXPECT_EQ(
      sent_[1],
      Json::parse(R"({"token":"tok","value":{"kind":"report","message":"half","percentage":50}})"));
  EXPECT_EQ(sent_[2], Json::parse(R"({"token":"tok","value":{"kind":"end","message":"done"}})"));
}

TEST_F(ProgressReporterTest, OutOfOrderCallsAreIgnoredAndFinishEndsOnce) {
  reporter_.report("before begin", 1);
  reporter_.end("before begin");
  reporter_.finish();
  EXPECT_TRUE(sent_.empty());
  reporter_.begin("a");
  reporter_.begin("again");
  reporter_.finish();
  reporter_.finish();
  reporter_.report("after end", 99);
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1]["value"], Json::parse(R"({"kind":"end"})"));
}

TEST_F(ProgressReporterTest, RapidReportsWithoutNewPercentageAreThrottled) {
  reporter_.begin("walk", 0);
  for (int i = 0; i < 1000; ++i) reporter_.report("task", 0);
  for (int p = 1; p <= 10; ++p) reporter_.report("task", p);
  // Only the 10 percentage changes pass; the 1000 same-percentage reports fall within 50 ms.
  EXPECT_LE(sent_.size(), 1u + 10u + 1u);
  EXPECT_GE(sent_.size(), 1u + 10u);
  EXPECT_EQ(sent_.back()["value"]["percentage"], 10);
}

TEST_F(ProgressReporterTest, PercentageIsClamped) {
  reporter_.begin("x", -5);
  reporter_.report("y", 250);
  EXPECT_EQ(sent_[0]["value"]["percentage"], 0);
  EXPECT_EQ(sent_[1]["value"]["percentage"], 100);
}

TEST_F(DispatcherTest, RunEndsProgressTheHandlerLeftOpen) {
  dispatcher_.add("forgetful", [](const Json&, const RequestContext& context) -> Result<Json> {
    context.progress.begin("started");
    return Json(1);
  });
  std::vector<Json> sent;
  RequestContext context{.progress =
                             ProgressReporter(7, [&](const Json& p) { sent.push_back(p); })};
  auto prepared =
      dispatcher_.prepare(Json::parse(R"({"jsonrpc":"2.0","id":1,"method":"forgetful"})"));
  ASSERT_TRUE(prepared.call.has_value());
  ASSERT_TRUE(dispatcher_.run(*prepared.call, context).has_value());
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1]["token"], 7);
  EXPECT_EQ(sent[1]["value"]["kind"], "end");
}

TEST_F(DispatcherTest, RunIsSafeFromManyThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto prepared = dispatcher_.prepare({{"jsonrpc", "2.0"},
                                             {"id", i},
                                             {"method", "math/add"},
                                             {"params", {{"a", t}, {"b", i}}}});
        auto response = dispatcher_.run(*prepared.call, {});
        if ((*response)["result"] == t + i) ++good;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(good.load(), 800);
}

}  // namespace
}  // namespace vmscope::rpc
