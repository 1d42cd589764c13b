#include "transport/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "rpc/errors.h"
#include "transport/endpoint.h"

namespace vmscope::transport {
namespace {

using namespace std::chrono_literals;
using rpc::Json;

// A server on an ephemeral loopback port with a few methods, run on its own thread.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dispatcher_.add("echo", [](const Json& p, const rpc::RequestContext& c) -> Result<Json> {
      c.progress.begin("echo");
      return p;
    });
    dispatcher_.add("wait/cancel", [](const Json&, const rpc::RequestContext& c) -> Result<Json> {
      for (int i = 0; i < 10000; ++i) {
        VMSCOPE_CHECK(c.cancel.check());
        std::this_thread::sleep_for(1ms);
      }
      return Json("not cancelled");
    });
  }
  void start(HttpServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    if (options.max_message_bytes == kDefaultMaxMessageBytes) options.max_message_bytes = 1024;
    server_ = std::make_unique<HttpServer>(std::move(options), hub_);
    Result<int> port = server_->bind();
    ASSERT_TRUE(port.ok()) << port.error().message();
    port_ = *port;
    done_ = std::async(std::launch::async, [this] { return server_->loop(endpoint_); });
  }
  void TearDown() override {
    if (server_) {
      server_->stop();
      endpoint_.shutdown();
      EXPECT_EQ(done_.wait_for(10s), std::future_status::ready);
    }
    pool_.shutdown();
  }
  httplib::Client client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(20, 0);
    return c;
  }
  httplib::Result post(const std::string& body, httplib::Headers headers = {},
                       const std::string& type = "application/json") {
    return client().Post("/rpc", headers, body, type.c_str());
  }

  rpc::Dispatcher dispatcher_;
  server::NotificationHub hub_{{}};
  server::WorkerPool pool_{{.threads = 2}};
  Endpoint endpoint_{dispatcher_, pool_, hub_};
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::future<Status> done_;
};

// Reads /events on its own thread and keeps what arrives.
class EventClient {
 public:
  EventClient(int port, httplib::Headers headers = {}) {
    thread_ = std::thread([this, port, headers] {
      httplib::Client c("127.0.0.1", port);
      c.set_read_timeout(30, 0);
      auto result = c.Get("/events", headers, [this](const char* data, std::size_t n) {
        std::lock_guard lock(mutex_);
        received_.append(data, n);
        return !stop_;
      });
      std::lock_guard lock(mutex_);
      status_ = result ? result->status : -1;
      ended_ = true;
    });
  }
  ~EventClient() {
    stop_ = true;
    thread_.join();
  }
  bool wait_for(const std::string& text, std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex_);
        if (received_.find(text) != std::string::npos) return true;
        if (ended_) return false;
      }
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }
  bool wait_ended(std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex_);
        if (ended_) return true;
      }
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }
  std::string received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  int status() {
    std::lock_guard lock(mutex_);
    return status_;
  }

 private:
  std::mutex mutex_;
  std::string received_;
  int status_ = 0;
  bool ended_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(HttpServerTest, PostSingleRequest) {
  start();
  auto r = post(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(Json::parse(r->body)["result"], Json::parse(R"({"a":1})"));
}

TEST_F(HttpServerTest, PostBatchAndNotification) {
  start();
  auto batch = post(
      R"([{"jsonrpc":"2.0","id":1,"method":"echo"},{"jsonrpc":"2.0","id":2,"method":"nope"}])");
  ASSERT_TRUE(batch);
  Json r = Json::parse(batch->body);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1]["error"]["code"], rpc::kMethodNotFound);
  auto notification = post(R"({"jsonrpc":"2.0","method":"echo"})");
  ASSERT_TRUE(notification);
  EXPECT_EQ(notification->status, 204);
  EXPECT_TRUE(notification->body.empty());
}

TEST_F(HttpServerTest, MalformedJsonIsAJsonRpcParseError) {
  start();
  auto r = post("{oops");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Json::parse(r->body)["error"]["code"], rpc::kParseError);
}

TEST_F(HttpServerTest, WrongContentTypeIs415) {
  start();
  auto r = post(R"({"jsonrpc":"2.0","id":1,"method":"echo"})", {}, "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(Json::parse(r->body)["error"]["code"], rpc::kInvalidRequest);
  auto with_charset =
      post(R"({"jsonrpc":"2.0","id":1,"method":"echo"})", {}, "application/json; charset=utf-8");
  ASSERT_TRUE(with_charset);
  EXPECT_EQ(with_charset->status, 200);
}

TEST_F(HttpServerTest, OversizedBodyIs413WithALimitExceededError) {
  start();  // cap: 1024 bytes
  std::string big = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"pad":")" +
                    std::string(5000, 'x') + "\"}}";
  httplib::Client c = client();
  auto r = c.Post("/rpc", big, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  Json error = Json::parse(r->body);
  EXPECT_EQ(error["error"]["code"], -32020);
  EXPECT_EQ(error["error"]["data"]["kind"], "limit-exceeded");
  // The same connection still works: the body was skipped, not left in the stream.
  auto after = c.Post("/rpc", R"({"jsonrpc":"2.0","id":2,"method":"echo"})", "application/json");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST_F(HttpServerTest, OversizedChunkedBodyIs413Too) {
  start();
  std::string big(5000, ' ');
  auto r = client().Post(
      "/rpc",
      [&](std::size_t offset, httplib::DataSink& sink) {
        if (offset < big.size()) {
          sink.write(big.data() + offset, std::min<std::size_t>(700, big.size() - offset));
        } else {
          sink.done();
        }
        return true;
      },
      "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Json::parse(r->body)["error"]["code"], -32020);
}

TEST_F(HttpServerTest, HealthzAndMethodNotAllowed) {
  start();
  auto health = client().Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(Json::parse(health->body)["status"], "ok");
  auto get_rpc = client().Get("/rpc");
  ASSERT_TRUE(get_rpc);
  EXPECT_EQ(get_rpc->status, 405);
}

TEST_F(HttpServerTest, ForeignHostHeaderIsRefusedOnAnOpenLoopbackServer) {
  start();
  auto r = post(R"({"jsonrpc":"2.0","id":1,"method":"echo"})", {{"Host", "evil.example:80"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  auto ok = post(R"({"jsonrpc":"2.0","id":1,"method":"echo"})", {{"Host", "localhost"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, TokenIsRequiredOnRpcAndEventsButNotHealthz) {
  start({.token = "s3cret"});
  const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"echo"})";
  auto none = post(body);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer realm=\"vmscope\"");
  auto wrong = post(body, {{"Authorization", "Bearer guess"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto right = post(body, {{"Authorization", "Bearer s3cret"}});
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
  // The token replaces the Host check: a token holder may use any name for the server.
  auto named = post(body, {{"Authorization", "Bearer s3cret"}, {"Host", "vmscope.lab:80"}});
  ASSERT_TRUE(named);
  EXPECT_EQ(named->status, 200);
  auto events = client().Get("/events");
  ASSERT_TRUE(events);
  EXPECT_EQ(events->status, 401);
  auto health = client().Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(HttpServerTest, NonLoopbackBindWithoutTokenIsRefusedBeforeAnySocket) {
  HttpServer exposed({.host = "0.0.0.0", .port = 0}, hub_);
  Result<int> port = exposed.bind();
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().code(), ErrorCode::kPermissionDenied);
}

TEST_F(HttpServerTest, TwoEventClientsBothReceiveEveryNotification) {
  start();
  EventClient a(port_);
  EventClient b(port_);
  ASSERT_TRUE(a.wait_for("retry:"));
  ASSERT_TRUE(b.wait_for("retry:"));
  EXPECT_EQ(server_->event_clients(), 2u);
  // Progress of a request made by a third client, over POST.
  auto r = post(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"workDoneToken":"w1"}})");
  ASSERT_TRUE(r);
  for (EventClient* c : {&a, &b}) {
    ASSERT_TRUE(c->wait_for("\"kind\":\"end\""));
    std::string events = c->received();
    auto begin = events.find(R"("token":"w1","value":{"kind":"begin")");
    ASSERT_NE(begin, std::string::npos) << events;
    EXPECT_LT(begin, events.find("\"kind\":\"end\""));
    EXPECT_NE(events.find("data: {\"jsonrpc\":\"2.0\",\"method\":\"$/progress\""),
              std::string::npos);
  }
}

TEST_F(HttpServerTest, EventStreamsSendKeepAlivesAndEndWhenTheServerStops) {
  start({.keep_alive = 200ms});
  EventClient a(port_);
  ASSERT_TRUE(a.wait_for(": keep-alive"));
  server_->stop();
  EXPECT_TRUE(a.wait_ended());
  endpoint_.shutdown();
  EXPECT_EQ(done_.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(done_.get().ok());
  server_.reset();
}

TEST_F(HttpServerTest, DisconnectedEventClientsAreDropped) {
  start();
  {
    EventClient a(port_);
    ASSERT_TRUE(a.wait_for("retry:"));
    EXPECT_EQ(server_->event_clients(), 1u);
  }  // the client closes its connection
  for (int i = 0; i < 300 && server_->event_clients() != 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server_->event_clients(), 0u);
  EXPECT_EQ(hub_.stats().subscribers, 0u);
}

TEST_F(HttpServerTest, TooManyEventClientsGet503) {
  start({.max_event_clients = 1});
  EventClient a(port_);
  ASSERT_TRUE(a.wait_for("retry:"));
  auto second = client().Get("/events");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 503);
}

// A client that connects to /events and never reads loses notifications (counted), while a
// client that reads gets every one of them, in order.
TEST_F(HttpServerTest, StuckEventClientDoesNotHoldUpTheOthers) {
  start();
  int stuck = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(stuck, 0);
  int small = 4096;
  ::setsockopt(stuck, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port_));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(stuck, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  std::string request = "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_EQ(::send(stuck, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  EventClient reader(port_);
  ASSERT_TRUE(reader.wait_for("retry:"));
  for (int i = 0; i < 300 && hub_.stats().subscribers < 2; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(hub_.stats().subscribers, 2u);

  const std::string padding(64 << 10, 'p');
  constexpr int kNotifications = 600;  // ~38 MiB: far more than the stuck socket buffers
  for (int i = 0; i < kNotifications; ++i) {
    endpoint_.broadcast("notifications/test", {{"n", i}, {"pad", padding}});
    if (i % 50 == 49) {  // paced so the reading client's own queue never overflows
      ASSERT_TRUE(reader.wait_for("\"n\":" + std::to_string(i) + ",")) << i;
    }
  }
  // The stuck client lost notifications (its queue filled) or was dropped (a write timed
  // out); either way the reader below was never held up.
  EXPECT_TRUE(hub_.stats().dropped > 0 || server_->event_clients() < 2)
      << "dropped " << hub_.stats().dropped << ", event clients " << server_->event_clients();
  std::string got = reader.received();
  EXPECT_EQ(got.find("notifications/dropped"), std::string::npos);
  std::size_t position = 0;
  for (int i = 0; i < kNotifications; ++i) {
    position = got.find("\"n\":" + std::to_string(i) + ",", position);
    ASSERT_NE(position, std::string::npos) << "missing or out of order: " << i;
  }
  ::close(stuck);
}

TEST_F(HttpServerTest, CancelOverHttpUsesTheClientScope) {
  start();
  auto slow = std::async(std::launch::async, [this] {
    return post(R"({"jsonrpc":"2.0","id":"s","method":"wait/cancel"})",
                {{"X-Vmscope-Client", "me"}});
  });
  for (int i = 0; i < 1000 && endpoint_.in_flight() == 0; ++i) std::this_thread::sleep_for(1ms);
  auto stranger = post(R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"s"}})",
                       {{"X-Vmscope-Client", "someone-else"}});
  ASSERT_TRUE(stranger);
  EXPECT_EQ(stranger->status, 204);
  EXPECT_EQ(slow.wait_for(100ms), std::future_status::timeout);
  auto cancel = post(R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"s"}})",
                     {{"X-Vmscope-Client", "me"}});
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->status, 204);
  auto r = slow.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(Json::parse(r->body)["error"]["code"], rpc::kRequestCancelled);
}

class HttpStaticFilesTest : public HttpServerTest {
 protected:
  void SetUp() override {
    HttpServerTest::SetUp();
    root_ = std::filesystem::temp_directory_path() /
            ("vmscope-http-static-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "assets");
    std::ofstream(root_ / "index.html") << "<html>vmscope</html>";
    std::ofstream(root_ / "assets" / "app.js") << "let x;";
  }
  void TearDown() override {
    HttpServerTest::TearDown();
    std::filesystem::remove_all(root_);
  }
  std::filesystem::path root_;
};

TEST_F(HttpStaticFilesTest, ServesTheFrontendWithSpaFallback) {
  start({.web_root = root_});
  auto index = client().Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->body, "<html>vmscope</html>");
  auto script = client().Get("/assets/app.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  auto route = client().Get("/dumps/dump-1");
  ASSERT_TRUE(route);
  EXPECT_EQ(route->status, 200);
  EXPECT_EQ(route->body, "<html>vmscope</html>");
  auto missing = client().Get("/assets/nope.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto api = client().Get("/rpc/whatever");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 404);
}

TEST_F(HttpServerTest, WithoutAWebRootPagesAre404) {
  start();
  auto index = client().Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 404);
}

}  // namespace
}  // namespace vmscope::transport
