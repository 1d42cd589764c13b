#include "transport/endpoint.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "rpc/errors.h"

namespace vmscope::transport {
namespace {

using namespace std::chrono_literals;
using rpc::Json;

// A client that records what it is sent.
class RecordingPeer : public Peer {
 public:
  explicit RecordingPeer(std::string scope = "test", bool can_push = true,
                         std::uint64_t subscription = 0)
      : scope_(std::move(scope)), can_push_(can_push), subscription_(subscription) {}

  void reply(std::optional<std::string> response) override {
    std::lock_guard lock(mutex_);
    replies_.push_back(response);
    log_.push_back(response ? "reply " + *response : "no-reply");
    changed_.notify_all();
  }
  bool push(const std::string& notification) override {
    if (!can_push_) return false;
    std::lock_guard lock(mutex_);
    log_.push_back("push " + notification);
    return true;
  }
  std::string scope() const override { return scope_; }
  std::uint64_t subscription_id() const override { return subscription_; }

  // Waits for the n-th reply (1-based) and returns it parsed (null for "no response").
  Json wait_reply(std::size_t n = 1) {
    std::unique_lock lock(mutex_);
    EXPECT_TRUE(changed_.wait_for(lock, 10s, [&] { return replies_.size() >= n; }));
    if (replies_.size() < n || !replies_[n - 1]) return Json();
    return Json::parse(*replies_[n - 1]);
  }
  std::size_t reply_count() {
    std::lock_guard lock(mutex_);
    return replies_.size();
  }
  std::vector<std::string> log() {
    std::lock_guard lock(mutex_);
    return log_;
  }

 private:
  const std::string scope_;
  const bool can_push_;
  const std::uint64_t subscription_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::optional<std::string>> replies_;
  std::vector<std::string> log_;
};

// Waits until `token` is cancelled (or 10 s pass), as a long kernel walk would.
Result<Json> wait_for_cancel(const Json&, const rpc::RequestContext& context) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    VMSCOPE_CHECK(context.cancel.check());
    std::this_thread::sleep_for(1ms);
  }
  return Json("not cancelled");
}

class EndpointTest : public ::testing::Test {
 protected:
  explicit EndpointTest(std::size_t threads = 0) : pool_({.threads = threads}) {
    dispatcher_.add("math/add", [](const Json& p, const rpc::RequestContext&) -> Result<Json> {
      return Json(p.at("a").get<int>() + p.at("b").get<int>());
    });
    dispatcher_.add("progress/three",
                    [](const Json&, const rpc::RequestContext& c) -> Result<Json> {
                      c.progress.begin("working", 0);
                      c.progress.report("half", 50);
                      c.progress.end("done");
                      return Json("finished");
                    });
    dispatcher_.add("wait/cancel", wait_for_cancel);
  }
  ~EndpointTest() override {
    endpoint_.cancel_all();
    pool_.shutdown();
  }
  void send(const std::string& text, const std::shared_ptr<RecordingPeer>& peer) {
    endpoint_.on_message(text, peer);
  }

  rpc::Dispatcher dispatcher_;
  server::NotificationHub hub_{{}};
  server::WorkerPool pool_;
  Endpoint endpoint_{dispatcher_, pool_, hub_};
  std::shared_ptr<RecordingPeer> peer_ = std::make_shared<RecordingPeer>();
};

class ThreadedEndpointTest : public EndpointTest {
 protected:
  ThreadedEndpointTest() : EndpointTest(2) {}
};

TEST_F(EndpointTest, RequestGetsOneReply) {
  send(R"({"jsonrpc":"2.0","id":1,"method":"math/add","params":{"a":1,"b":2}})", peer_);
  EXPECT_EQ(peer_->wait_reply()["result"], 3);
  EXPECT_EQ(peer_->reply_count(), 1u);
}

TEST_F(EndpointTest, NotificationGetsExactlyOneNoResponse) {
  send(R"({"jsonrpc":"2.0","method":"math/add","params":{"a":1,"b":2}})", peer_);
  ASSERT_EQ(peer_->log(), std::vector<std::string>{"no-reply"});
}

TEST_F(EndpointTest, MalformedJsonIsAParseError) {
  send(R"({"jsonrpc":"2.0","id":1,"method":)", peer_);
  Json r = peer_->wait_reply();
  EXPECT_EQ(r["error"]["code"], rpc::kParseError);
  EXPECT_TRUE(r["id"].is_null());
}

TEST_F(EndpointTest, InvalidUtf8IsAParseErrorNotACrash) {
  send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\xfe\"}", peer_);
  EXPECT_EQ(peer_->wait_reply()["error"]["code"], rpc::kParseError);
}

TEST_F(EndpointTest, DeeplyNestedJsonIsAnsweredNotACrash) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  send(deep, peer_);
  Json r = peer_->wait_reply();
  ASSERT_TRUE(r.is_array());
  EXPECT_EQ(r[0]["error"]["code"], rpc::kInvalidRequest);
}

TEST_F(EndpointTest, OddlyTypedMembersAreAnsweredNotThrownOver) {
  const char* messages[] = {
      R"({"jsonrpc":2,"method":"$/cancelRequest","params":{"id":1}})",
      R"({"jsonrpc":"2.0","method":5})",
      R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":[1]})",
      R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":{"x":1}}})",
      R"({"jsonrpc":"2.0","method":"$/cancelRequest"})",
      R"({"jsonrpc":"2.0","id":1,"method":"math/add","params":{"workDoneToken":[1],"a":1,"b":1}})",
      R"("just a string")",
      R"(null)",
  };
  for (const char* message : messages) send(message, peer_);
  EXPECT_EQ(peer_->reply_count(), std::size(messages));
}

TEST_F(EndpointTest, AfterShutdownRequestsAreCancelledWithoutRunning) {
  endpoint_.shutdown();
  send(R"({"jsonrpc":"2.0","id":1,"method":"math/add","params":{"a":1,"b":2}})", peer_);
  Json r = peer_->wait_reply();
  EXPECT_EQ(r["error"]["code"], rpc::kRequestCancelled);
  EXPECT_EQ(r["error"]["message"], "the server is shutting down");
  send(R"({"jsonrpc":"2.0","id":2,"method":"no/such"})", peer_);
  EXPECT_EQ(peer_->wait_reply(2)["error"]["code"], rpc::kMethodNotFound);
}

TEST_F(EndpointTest, BatchIsAnsweredOnceInRequestOrder) {
  send(R"([
    {"jsonrpc":"2.0","id":"a","method":"math/add","params":{"a":1,"b":1}},
    {"jsonrpc":"2.0","method":"math/add","params":{"a":1,"b":1}},
    {"jsonrpc":"2.0","id":"b","method":"no/such"},
    {"jsonrpc":"2.0","id":"c","method":"math/add","params":{"a":"x","b":1}},
    {"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"zzz"}},
    5
  ])",
       peer_);
  Json r = peer_->wait_reply();
  ASSERT_TRUE(r.is_array());
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0]["id"], "a");
  EXPECT_EQ(r[0]["result"], 2);
  EXPECT_EQ(r[1]["id"], "b");
  EXPECT_EQ(r[1]["error"]["code"], rpc::kMethodNotFound);
  EXPECT_EQ(r[2]["id"], "c");
  EXPECT_EQ(r[2]["error"]["code"], rpc::kInvalidParams);
  EXPECT_EQ(r[3]["error"]["code"], rpc::kInvalidRequest);
  EXPECT_EQ(peer_->reply_count(), 1u);
}

TEST_F(EndpointTest, BatchOfNotificationsGetsNoResponseAndEmptyBatchIsInvalid) {
  send(R"([{"jsonrpc":"2.0","method":"math/add","params":{"a":1,"b":1}}])", peer_);
  EXPECT_TRUE(peer_->wait_reply(1).is_null());
  send("[]", peer_);
  EXPECT_EQ(peer_->wait_reply(2)["error"]["code"], rpc::kInvalidRequest);
}

TEST_F(EndpointTest, ProgressGoesToTheRequesterBeforeItsReplyAndToEveryoneElse) {
  auto other = hub_.subscribe();
  auto requester_subscription = hub_.subscribe();
  auto peer = std::make_shared<RecordingPeer>("test", true, requester_subscription->id());
  send(R"({"jsonrpc":"2.0","id":4,"method":"progress/three","params":{"workDoneToken":"tok"}})",
       peer);
  auto log = peer->log();
  ASSERT_EQ(log.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(log[i].rfind("push ", 0), 0u) << log[i];
    Json n = Json::parse(log[i].substr(5));
    EXPECT_EQ(n["method"], "$/progress");
    EXPECT_EQ(n["params"]["token"], "tok");
  }
  EXPECT_EQ(Json::parse(log[0].substr(5))["params"]["value"]["kind"], "begin");
  EXPECT_EQ(Json::parse(log[2].substr(5))["params"]["value"]["kind"], "end");
  EXPECT_EQ(Json::parse(log[3].substr(6))["result"], "finished");
  // The other subscriber got all three; the requester's own subscription got none twice.
  for (const char* kind : {"begin", "report", "end"}) {
    auto next = other->next(1s);
    ASSERT_EQ(next.outcome, server::NotificationHub::Subscription::Outcome::kNotification);
    EXPECT_EQ(Json::parse(next.notification->payload)["params"]["value"]["kind"], kind);
  }
  EXPECT_EQ(requester_subscription->next(0ms).outcome,
            server::NotificationHub::Subscription::Outcome::kTimedOut);
}

TEST_F(EndpointTest, ProgressOfAPeerThatCannotBePushedToIsBroadcastToAll) {
  auto watcher = hub_.subscribe();
  auto http_post = std::make_shared<RecordingPeer>("http", /*can_push=*/false);
  send(R"({"jsonrpc":"2.0","id":1,"method":"progress/three","params":{"workDoneToken":9}})",
       http_post);
  EXPECT_EQ(http_post->wait_reply()["result"], "finished");
  EXPECT_EQ(hub_.stats().published, 3u);
  EXPECT_EQ(watcher->next(0ms).outcome,
            server::NotificationHub::Subscription::Outcome::kNotification);
}

TEST_F(EndpointTest, NoTokenNoProgress) {
  send(R"({"jsonrpc":"2.0","id":1,"method":"progress/three"})", peer_);
  EXPECT_EQ(peer_->log().size(), 1u);
  EXPECT_EQ(hub_.stats().published, 0u);
}

TEST_F(EndpointTest, OversizedAndUnframeableAreAnsweredWithErrors) {
  endpoint_.on_oversized(100, 10, peer_);
  Json r = peer_->wait_reply(1);
  EXPECT_EQ(r["error"]["code"], -32020);
  EXPECT_EQ(r["error"]["data"]["kind"], "limit-exceeded");
  EXPECT_TRUE(r["id"].is_null());
  endpoint_.on_unframeable("missing Content-Length header", peer_);
  EXPECT_EQ(peer_->wait_reply(2)["error"]["code"], rpc::kParseError);
}

TEST_F(EndpointTest, BroadcastReachesEverySubscriber) {
  auto a = hub_.subscribe();
  auto b = hub_.subscribe();
  endpoint_.broadcast("notifications/test", {{"x", 1}});
  for (auto* s : {a.get(), b.get()}) {
    auto next = s->next(1s);
    ASSERT_EQ(next.outcome, server::NotificationHub::Subscription::Outcome::kNotification);
    EXPECT_EQ(Json::parse(next.notification->payload),
              Json::parse(R"({"jsonrpc":"2.0","method":"notifications/test","params":{"x":1}})"));
  }
}

TEST_F(ThreadedEndpointTest, CancelRequestStopsTheMatchingRequestAndItStillRepliesOnce) {
  send(R"({"jsonrpc":"2.0","id":5,"method":"wait/cancel"})", peer_);
  // It is in flight until cancelled.
  for (int i = 0; i < 1000 && endpoint_.in_flight() == 0; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(endpoint_.in_flight(), 1u);
  send(R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":5}})", peer_);
  Json r = peer_->wait_reply(2);  // 1: the cancel notification's "no response"
  EXPECT_EQ(r["id"], 5);
  EXPECT_EQ(r["error"]["code"], rpc::kRequestCancelled);
  EXPECT_EQ(r["error"]["data"]["kind"], "cancelled");
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(peer_->reply_count(), 2u);
  EXPECT_EQ(endpoint_.in_flight(), 0u);
}

TEST_F(ThreadedEndpointTest, CancelFromAnotherScopeDoesNotReachTheRequest) {
  auto stranger = std::make_shared<RecordingPeer>("other");
  send(R"({"jsonrpc":"2.0","id":5,"method":"wait/cancel"})", peer_);
  for (int i = 0; i < 1000 && endpoint_.in_flight() == 0; ++i) std::this_thread::sleep_for(1ms);
  send(R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":5}})", stranger);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(peer_->reply_count(), 0u);
  EXPECT_EQ(endpoint_.in_flight(), 1u);
  endpoint_.cancel_all();
  EXPECT_EQ(peer_->wait_reply()["error"]["code"], rpc::kRequestCancelled);
}

TEST_F(ThreadedEndpointTest, SlowRequestDoesNotBlockAQuickOne) {
  send(R"({"jsonrpc":"2.0","id":"slow","method":"wait/cancel"})", peer_);
  send(R"({"jsonrpc":"2.0","id":"quick","method":"math/add","params":{"a":2,"b":2}})", peer_);
  Json first = peer_->wait_reply(1);
  EXPECT_EQ(first["id"], "quick");
  EXPECT_EQ(first["result"], 4);
  endpoint_.cancel_all();
  EXPECT_EQ(peer_->wait_reply(2)["id"], "slow");
}

TEST_F(ThreadedEndpointTest, BatchElementsRunConcurrentlyAndOneCanBeCancelled) {
  send(R"([{"jsonrpc":"2.0","id":1,"method":"wait/cancel"},
           {"jsonrpc":"2.0","id":2,"method":"math/add","params":{"a":1,"b":2}}])",
       peer_);
  for (int i = 0; i < 1000 && endpoint_.in_flight() != 1; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(peer_->reply_count(), 0u);  // the batch waits for its slow element
  send(R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}})", peer_);
  Json r = peer_->wait_reply(2);
  ASSERT_TRUE(r.is_array());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0]["error"]["code"], rpc::kRequestCancelled);
  EXPECT_EQ(r[1]["result"], 3);
}

TEST(EndpointPoolTest, RequestsThePoolRefusesAreAnsweredWithItsError) {
  rpc::Dispatcher dispatcher;
  dispatcher.add("wait/cancel", wait_for_cancel);
  server::NotificationHub hub({});
  server::WorkerPool pool({.threads = 1, .queue_capacity = 1});
  Endpoint endpoint(dispatcher, pool, hub);
  auto peer = std::make_shared<RecordingPeer>();
  endpoint.on_message(R"({"jsonrpc":"2.0","id":1,"method":"wait/cancel"})", peer);
  for (int i = 0; i < 1000 && pool.stats().running == 0; ++i) std::this_thread::sleep_for(1ms);
  endpoint.on_message(R"({"jsonrpc":"2.0","id":2,"method":"wait/cancel"})", peer);  // queued
  endpoint.on_message(R"({"jsonrpc":"2.0","id":3,"method":"wait/cancel"})", peer);  // refused
  Json refused = peer->wait_reply(1);
  EXPECT_EQ(refused["id"], 3);
  EXPECT_EQ(refused["error"]["code"], -32020);
  EXPECT_EQ(endpoint.in_flight(), 2u);
  // Shutdown: cancel everything, drain; every request is answered once.
  endpoint.cancel_all();
  pool.shutdown();
  EXPECT_EQ(peer->reply_count(), 3u);
  endpoint.on_message(R"({"jsonrpc":"2.0","id":4,"method":"wait/cancel"})", peer);
  Json late = peer->wait_reply(4);
  EXPECT_EQ(late["id"], 4);
  EXPECT_EQ(late["error"]["code"], rpc::kRequestCancelled);
}

}  // namespace
}  // namespace vmscope::transport
