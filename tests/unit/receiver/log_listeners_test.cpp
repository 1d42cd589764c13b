#include "receiver/log_listeners.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace vmscope {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Collects events from the listeners' thread.
class Collector {
 public:
  LogCallback callback() {
    return [this](const LogEvent& event) {
      std::lock_guard lock(mutex_);
      events_.push_back(event);
      changed_.notify_all();
    };
  }
  // Waits until at least `count` events arrived (bounded), returns all so far.
  std::vector<LogEvent> wait_for(std::size_t count, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return events_.size() >= count; });
    return events_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<LogEvent> events_;
};

// A blocking loopback socket with a receive timeout, closed on destruction.
class TestSocket {
 public:
  explicit TestSocket(int type) : fd_(::socket(AF_INET, type, 0)) {
    timeval timeout{2, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~TestSocket() { close(); }
  TestSocket(const TestSocket&) = delete;
  TestSocket& operator=(const TestSocket&) = delete;
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  static sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }
  void send_to(std::uint16_t port, const std::string& datagram) {
    sockaddr_in to = loopback(port);
    ASSERT_EQ(::sendto(fd_, datagram.data(), datagram.size(), 0,
                       reinterpret_cast<const sockaddr*>(&to), sizeof to),
              static_cast<ssize_t>(datagram.size()));
  }
  bool connect(std::uint16_t port) {
    sockaddr_in to = loopback(port);
    return ::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0;
  }
  void send(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // True when the peer closed the connection (read returns 0 or a reset) within the timeout.
  bool peer_closed() {
    char byte;
    ssize_t n = ::recv(fd_, &byte, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  int fd_;
};

class LogListenersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "vmscope-listeners-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    config_.dump_dir = dir_;
    config_.address = "127.0.0.1";
    config_.netconsole_port = 0;
    config_.syslog_udp_port = 0;
    config_.syslog_tcp_port = 0;
    config_.housekeeping_interval = 20ms;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<LogListeners> start() {
    auto listeners = LogListeners::start(config_, collector_.callback());
    EXPECT_TRUE(listeners.ok()) << listeners.error().to_string();
    return listeners.ok() ? std::move(listeners).value() : nullptr;
  }

  std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }

  fs::path dir_;
  LogListenerConfig config_;
  Collector collector_;
};

TEST_F(LogListenersTest, NetconsoleExtendedFragmentsAndPlainLinesArriveInOrder) {
  auto listeners = start();
  ASSERT_TRUE(listeners);
  ASSERT_NE(listeners->netconsole_port(), 0);
  TestSocket sender(SOCK_DGRAM);
  // Second fragment first: reassembly does not depend on order.
  sender.send_to(listeners->netconsole_port(), "6,10,2000000,-,ncfrag=5/11;world\n");
  sender.send_to(listeners->netconsole_port(), "6,10,2000000,-,ncfrag=0/11;hello");
  sender.send_to(listeners->netconsole_port(), "4,11,3000001,-;esc\\x09aped\n DEVICE=n1\n");
  auto events = collector_.wait_for(2);
  ASSERT_EQ(events.size(), 2u);
  const auto& first = std::get<NetconsoleRecord>(events[0].record);
  EXPECT_EQ(events[0].source, LogEvent::Source::kNetconsole);
  EXPECT_EQ(events[0].host, "127.0.0.1");
  EXPECT_EQ(first.text, "helloworld");
  EXPECT_EQ(first.seq, 10u);
  const auto& second = std::get<NetconsoleRecord>(events[1].record);
  EXPECT_EQ(second.text, "esc\taped");
  EXPECT_EQ(second.level, 4u);
  ASSERT_EQ(second.dict.size(), 1u);

  // A plain line without its newline is delivered when the listeners stop.
  TestSocket plain(SOCK_DGRAM);
  plain.send_to(listeners->netconsole_port(),
                "[    0.000001] plain one\n[    0.000002] unfinished");
  events = collector_.wait_for(3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].line, "[    0.000001] plain one");
  listeners->stop();
  events = collector_.wait_for(4, 1s);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_TRUE(std::get<NetconsoleRecord>(events[3].record).unterminated);

  EXPECT_EQ(read(dir_ / "logs/127.0.0.1/netconsole.log"),
            "[    2.000000] helloworld\n"
            "[    3.000001] esc\taped\n"
            "[    0.000001] plain one\n"
            "[    0.000002] unfinished\n");
  auto stats = listeners->stats();
  EXPECT_EQ(stats.netconsole_datagrams, 4u);
  EXPECT_EQ(stats.netconsole.fragments, 2u);
  EXPECT_EQ(stats.records, 4u);
}

TEST_F(LogListenersTest, SyslogOverUdpAndTcpBothFramings) {
  auto listeners = start();
  ASSERT_TRUE(listeners);
  TestSocket udp(SOCK_DGRAM);
  udp.send_to(listeners->syslog_udp_port(), "<13>Nov 29 15:34:20 vm tag: over udp\n");
  ASSERT_EQ(collector_.wait_for(1).size(), 1u);

  TestSocket tcp(SOCK_STREAM);
  ASSERT_TRUE(tcp.connect(listeners->syslog_tcp_port()));
  std::string counted = "<14>1 - vm app 7 ID - counted \"quoted\"";
  tcp.send(std::to_string(counted.size()) + " " + counted + "<13>tag: line fra");
  tcp.send("med\n<13>tag: unterminated at close");
  auto events = collector_.wait_for(3);
  ASSERT_EQ(events.size(), 3u);
  tcp.close();  // the last line has no newline: it is delivered at end of stream
  events = collector_.wait_for(4);
  ASSERT_EQ(events.size(), 4u);

  const auto& over_udp = std::get<SyslogMessage>(events[0].record);
  EXPECT_EQ(events[0].source, LogEvent::Source::kSyslogUdp);
  EXPECT_EQ(over_udp.message, "over udp");
  EXPECT_EQ(events[0].line, "<13>Nov 29 15:34:20 vm tag: over udp");
  const auto& over_tcp = std::get<SyslogMessage>(events[1].record);
  EXPECT_EQ(events[1].source, LogEvent::Source::kSyslogTcp);
  EXPECT_EQ(over_tcp.format, SyslogFormat::kRfc5424);
  EXPECT_EQ(over_tcp.message, "counted \"quoted\"");
  EXPECT_EQ(std::get<SyslogMessage>(events[2].record).message, "line framed");
  EXPECT_EQ(std::get<SyslogMessage>(events[3].record).message, "unterminated at close");
  listeners->stop();
  EXPECT_EQ(read(dir_ / "logs/127.0.0.1/syslog.log"),
            "<13>Nov 29 15:34:20 vm tag: over udp\n" + counted +
                "\n<13>tag: line framed\n<13>tag: unterminated at close\n");
}

TEST_F(LogListenersTest, DualStackNamesIpv4SendersAsIpv4AndKeepsIpv6Apart) {
  config_.address = "::";
  config_.syslog_tcp_port.reset();
  auto listeners = start();
  ASSERT_TRUE(listeners);
  TestSocket v4(SOCK_DGRAM);
  v4.send_to(listeners->netconsole_port(), "6,1,1000000,-;over ipv4\n");
  ASSERT_EQ(collector_.wait_for(1).size(), 1u);

  int v6 = ::socket(AF_INET6, SOCK_DGRAM, 0);
  ASSERT_GE(v6, 0);
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  to.sin6_port = htons(listeners->netconsole_port());
  to.sin6_addr = in6addr_loopback;
  std::string datagram = "6,2,2000000,-;over ipv6\n";
  EXPECT_EQ(::sendto(v6, datagram.data(), datagram.size(), 0,
                     reinterpret_cast<const sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(datagram.size()));
  ::close(v6);
  auto events = collector_.wait_for(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].host, "127.0.0.1");  // not "::ffff:127.0.0.1"
  EXPECT_EQ(events[1].host, "::1");
  listeners->stop();
  EXPECT_EQ(read(dir_ / "logs/127.0.0.1/netconsole.log"), "[    1.000000] over ipv4\n");
  EXPECT_EQ(read(dir_ / "logs/::1/netconsole.log"), "[    2.000000] over ipv6\n");
}

TEST_F(LogListenersTest, TcpConnectionsAreBoundedAndBrokenFramingClosesOne) {
  config_.max_tcp_connections = 2;
  auto listeners = start();
  ASSERT_TRUE(listeners);
  TestSocket a(SOCK_STREAM), b(SOCK_STREAM), c(SOCK_STREAM);
  ASSERT_TRUE(a.connect(listeners->syslog_tcp_port()));
  ASSERT_TRUE(b.connect(listeners->syslog_tcp_port()));
  // Both are served (one message each proves they were accepted before the third connects).
  a.send("<13>tag: from a\n");
  b.send("<13>tag: from b\n");
  ASSERT_EQ(collector_.wait_for(2).size(), 2u);
  ASSERT_TRUE(c.connect(listeners->syslog_tcp_port()));  // the kernel completes the handshake
  EXPECT_TRUE(c.peer_closed());                          // and the listener closes it
  EXPECT_EQ(listeners->stats().tcp_rejected, 1u);

  a.send("12x not a count");
  EXPECT_TRUE(a.peer_closed());
  b.send("<13>tag: b still served\n");
  auto events = collector_.wait_for(3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(std::get<SyslogMessage>(events[2].record).message, "b still served");
  auto stats = listeners->stats();
  EXPECT_EQ(stats.tcp_framing_errors, 1u);
  EXPECT_EQ(stats.tcp_open, 1u);
  EXPECT_EQ(stats.tcp_accepted, 2u);
}

TEST_F(LogListenersTest, IdleTcpConnectionsAreClosed) {
  config_.tcp_idle_timeout = 100ms;
  auto listeners = start();
  ASSERT_TRUE(listeners);
  TestSocket idle(SOCK_STREAM);
  ASSERT_TRUE(idle.connect(listeners->syslog_tcp_port()));
  EXPECT_TRUE(idle.peer_closed());
  EXPECT_EQ(listeners->stats().tcp_idle_closed, 1u);
}

TEST_F(LogListenersTest, PerHostRateLimitDropsAndCounts) {
  config_.rate = RateLimits{.records_per_second = 0, .burst = 3, .max_hosts = 16};
  auto listeners = start();
  ASSERT_TRUE(listeners);
  TestSocket udp(SOCK_DGRAM);
  for (int i = 0; i < 10; ++i)
    udp.send_to(listeners->syslog_udp_port(), "<13>tag: n" + std::to_string(i));
  // The fourth datagram onwards is dropped; wait until all ten were seen.
  for (int i = 0; i < 200 && listeners->stats().syslog_datagrams < 10; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  auto stats = listeners->stats();
  EXPECT_EQ(stats.syslog_datagrams, 10u);
  EXPECT_EQ(stats.records, 3u);
  EXPECT_EQ(stats.rate_dropped, 7u);
  ASSERT_EQ(stats.hosts.size(), 1u);
  EXPECT_EQ(stats.hosts[0].first, "127.0.0.1");
  EXPECT_EQ(stats.hosts[0].second.dropped_rate, 7u);
  EXPECT_EQ(collector_.wait_for(3).size(), 3u);
}

TEST_F(LogListenersTest, ACallbackThatThrowsIsCountedAndServiceContinues) {
  int calls = 0;
  auto listeners = LogListeners::start(config_, [&](const LogEvent&) {
    ++calls;
    throw std::runtime_error("client bug");
  });
  ASSERT_TRUE(listeners.ok());
  TestSocket udp(SOCK_DGRAM);
  udp.send_to((*listeners)->syslog_udp_port(), "<13>tag: one");
  udp.send_to((*listeners)->syslog_udp_port(), "<13>tag: two");
  for (int i = 0; i < 200 && (*listeners)->stats().callback_errors < 2; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ((*listeners)->stats().callback_errors, 2u);
  (*listeners)->stop();
  EXPECT_EQ(calls, 2);
}

TEST_F(LogListenersTest, StartFailsCleanlyOnBadAddressOrBusyPort) {
  config_.address = "not-an-address";
  auto bad = LogListeners::start(config_, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);

  config_.address = "127.0.0.1";
  auto first = start();
  ASSERT_TRUE(first);
  config_.netconsole_port.reset();
  config_.syslog_udp_port.reset();
  config_.syslog_tcp_port = first->syslog_tcp_port();
  auto second = LogListeners::start(config_, nullptr);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), ErrorCode::kIo);
}

TEST_F(LogListenersTest, WithoutADumpDirectoryOnlyTheCallbackRuns) {
  config_.dump_dir.clear();
  config_.syslog_tcp_port.reset();
  auto listeners = start();
  ASSERT_TRUE(listeners);
  EXPECT_EQ(listeners->syslog_tcp_port(), 0);
  TestSocket udp(SOCK_DGRAM);
  udp.send_to(listeners->syslog_udp_port(), "<13>tag: no files");
  ASSERT_EQ(collector_.wait_for(1).size(), 1u);
  listeners->stop();
  listeners->stop();  // idempotent
  EXPECT_FALSE(fs::exists(dir_ / "logs"));
}

}  // namespace
}  // namespace vmscope
