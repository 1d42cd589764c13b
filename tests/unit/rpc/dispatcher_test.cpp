#include "rpc/dispatcher.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace vmscope::rpc
