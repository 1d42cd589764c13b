#include "transport/stdio_transport.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include "rpc/dispatcher.h"
#include "rpc/errors.h"
#include "transport/endpoint.h"

namespace vmscope::transport {
namespace {

using namespace std::chrono_literals;
using rpc::Json;

struct Pipe {
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (read_end >= 0) ::close(read_end);
    read_end = -1;
  }
  void close_write() {
    if (write_end >= 0) ::close(write_end);
    write_end = -1;
  }
  int read_end = -1;
  int write_end = -1;
};

// The client's side: writes requests into the server's input, reads framed messages back.
class StdioTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);  // as `vmscope serve` does
    dispatcher_.add("echo", [](const Json& p, const rpc::RequestContext& c) -> Result<Json> {
      c.progress.begin("echoing");
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
  void start(std::size_t max_message_bytes = kDefaultMaxMessageBytes) {
    transport_ = std::make_unique<StdioTransport>(
        StdioTransport::Options{.in_fd = input_.read_end,
                                .out_fd = output_.write_end,
                                .max_message_bytes = max_message_bytes},
        &hub_);
    done_ = std::async(std::launch::async, [this] { return transport_->loop(endpoint_); });
  }
  void TearDown() override {
    if (transport_) {
      transport_->stop();
      done_.wait();
    }
    endpoint_.cancel_all();
    pool_.shutdown();
  }
  void write_raw(const std::string& bytes) {
    ASSERT_EQ(::write(input_.write_end, bytes.data(), bytes.size()),
              static_cast<ssize_t>(bytes.size()));
  }
  void send(const std::string& message) { write_raw(frame_message(message)); }
  // The next framed message from the server, or null after 10 s.
  Json receive() {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (pending_.empty() && std::chrono::steady_clock::now() < deadline) {
      pollfd ready{output_.read_end, POLLIN, 0};
      if (::poll(&ready, 1, 100) <= 0) continue;
      char buffer[4096];
      ssize_t n = ::read(output_.read_end, buffer, sizeof buffer);
      if (n <= 0) break;
      std::vector<FrameEvent> events;
      client_reader_.feed(std::string_view(buffer, static_cast<std::size_t>(n)), events);
      for (auto& e : events) pending_.push_back(Json::parse(e.body));
    }
    if (pending_.empty()) return Json();
    Json first = pending_.front();
    pending_.erase(pending_.begin());
    return first;
  }
  Status wait_for_exit() {
    EXPECT_EQ(done_.wait_for(10s), std::future_status::ready);
    Status status = done_.get();
    transport_.reset();
    return status;
  }

  rpc::Dispatcher dispatcher_;
  server::NotificationHub hub_{{}};
  server::WorkerPool pool_{{.threads = 2}};
  Endpoint endpoint_{dispatcher_, pool_, hub_};
  Pipe input_;
  Pipe output_;
  std::unique_ptr<StdioTransport> transport_;
  std::future<Status> done_;
  FrameReader client_reader_;
  std::vector<Json> pending_;
};

TEST_F(StdioTransportTest, RequestGetsAFramedReply) {
  start();
  send(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"x":[1,2]}})");
  Json r = receive();
  EXPECT_EQ(r["id"], 1);
  EXPECT_EQ(r["result"], Json::parse(R"({"x":[1,2]})"));
}

TEST_F(StdioTransportTest, EndOfInputEndsTheLoopCleanly) {
  start();
  send(R"({"jsonrpc":"2.0","id":1,"method":"echo"})");
  EXPECT_EQ(receive()["id"], 1);
  input_.close_write();
  EXPECT_TRUE(wait_for_exit().ok());
}

TEST_F(StdioTransportTest, StopEndsTheLoopWhileTheInputIsOpen) {
  start();
  transport_->stop();
  EXPECT_TRUE(wait_for_exit().ok());
}

TEST_F(StdioTransportTest, OversizedMessageIsAnsweredAndTheStreamResyncs) {
  start(/*max_message_bytes=*/64);
  std::string big = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"pad":")" +
                    std::string(1000, 'p') + "\"}}";
  send(big);
  send(R"({"jsonrpc":"2.0","id":2,"method":"echo"})");
  Json refused = receive();
  EXPECT_TRUE(refused["id"].is_null());
  EXPECT_EQ(refused["error"]["code"], -32020);
  EXPECT_EQ(receive()["id"], 2);
}

TEST_F(StdioTransportTest, BadHeadersAndMalformedJsonAreAnsweredAndReadingGoesOn) {
  start();
  write_raw("Content-Type: application/json\r\n\r\n{}\r\n");
  send("{not json");
  send(R"({"jsonrpc":"2.0","id":3,"method":"echo"})");
  EXPECT_EQ(receive()["error"]["code"], rpc::kParseError);
  EXPECT_EQ(receive()["error"]["code"], rpc::kParseError);
  EXPECT_EQ(receive()["id"], 3);
}

TEST_F(StdioTransportTest, OwnProgressPrecedesTheReplyAndIsNotDuplicated) {
  start();
  send(R"({"jsonrpc":"2.0","id":7,"method":"echo","params":{"workDoneToken":"t"}})");
  Json begin = receive();
  EXPECT_EQ(begin["method"], "$/progress");
  EXPECT_EQ(begin["params"]["value"]["kind"], "begin");
  Json end = receive();
  EXPECT_EQ(end["params"]["value"]["kind"], "end");
  EXPECT_EQ(receive()["id"], 7);
  // Nothing else arrives: the hub did not send the same progress a second time.
  pollfd ready{output_.read_end, POLLIN, 0};
  EXPECT_EQ(::poll(&ready, 1, 300), 0);
}

TEST_F(StdioTransportTest, BroadcastNotificationsReachTheStdioClient) {
  start();
  // Wait until the transport has subscribed.
  for (int i = 0; i < 1000 && hub_.stats().subscribers == 0; ++i) std::this_thread::sleep_for(1ms);
  endpoint_.broadcast("notifications/test", {{"n", 1}});
  Json n = receive();
  EXPECT_EQ(n["method"], "notifications/test");
  EXPECT_EQ(n["params"]["n"], 1);
}

TEST_F(StdioTransportTest, CancelRequestOverStdio) {
  start();
  send(R"({"jsonrpc":"2.0","id":"long","method":"wait/cancel"})");
  for (int i = 0; i < 1000 && endpoint_.in_flight() == 0; ++i) std::this_thread::sleep_for(1ms);
  send(R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"long"}})");
  Json r = receive();
  EXPECT_EQ(r["id"], "long");
  EXPECT_EQ(r["error"]["code"], rpc::kRequestCancelled);
}

TEST_F(StdioTransportTest, ClientThatClosedItsOutputDoesNotBreakTheServer) {
  start();
  output_.close_read();  // writes now fail with EPIPE
  send(R"({"jsonrpc":"2.0","id":1,"method":"echo"})");
  send(R"({"jsonrpc":"2.0","id":2,"method":"echo"})");
  input_.close_write();
  EXPECT_TRUE(wait_for_exit().ok());
}

}  // namespace
}  // namespace vmscope::transport
