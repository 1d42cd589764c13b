// util-linux logger, a real syslog client, sends to the receiver's listeners; every message
// must arrive intact: the parsed fields, the text byte for byte, and the line in the host's
// log file.
#include <gtest/gtest.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "receiver/log_listeners.h"

extern char** environ;

namespace vmscope {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kLogger = VMSCOPE_LOGGER;

// Runs logger with `args`, waits at most 10 s; true if it exited with status 0.
bool run_logger(const std::vector<std::string>& args) {
  std::vector<std::string> argv_strings = {kLogger};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (::posix_spawn(&pid, kLogger, nullptr, nullptr, argv.data(), environ) != 0) return false;
  for (int i = 0; i < 1000; ++i) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    std::this_thread::sleep_for(10ms);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return false;
}

class LoggerClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kLogger)) << "util-linux logger not found (apt-get install bsdutils)";
    std::string pattern = (fs::temp_directory_path() / "vmscope-logger-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    LogListenerConfig config;
    config.dump_dir = dir_;
    config.address = "127.0.0.1";
    config.syslog_udp_port = 0;
    config.syslog_tcp_port = 0;
    auto started = LogListeners::start(config, [this](const LogEvent& event) {
      std::lock_guard lock(mutex_);
      events_.push_back(event);
      changed_.notify_all();
    });
    ASSERT_TRUE(started.ok()) << started.error().to_string();
    listeners_ = std::move(started).value();
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    hostname_ = name;
  }
  void TearDown() override {
    if (listeners_) listeners_->stop();
    fs::remove_all(dir_);
  }

  std::vector<LogEvent> wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return events_.size() >= count; });
    return events_;
  }

  std::vector<std::string> common(const std::string& transport, const std::string& format) {
    std::uint16_t port =
        transport == "--udp" ? listeners_->syslog_udp_port() : listeners_->syslog_tcp_port();
    return {transport, format,  "--server",  "127.0.0.1",  "--port",         std::to_string(port),
            "--tag",   "vmtag", "--id=4242", "--priority", "local3.warning", "--size",
            "8192"};
  }

  // Sends `message` with logger and checks what arrived.
  void send_and_check(const std::string& transport, const std::string& format,
                      const std::string& message, std::vector<std::string> extra = {}) {
    SCOPED_TRACE(transport + " " + format);
    std::size_t before = wait_for(0).size();
    auto args = common(transport, format);
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(message);
    ASSERT_TRUE(run_logger(args));
    auto events = wait_for(before + 1);
    ASSERT_EQ(events.size(), before + 1);
    const LogEvent& event = events.back();
    EXPECT_EQ(event.source,
              transport == "--udp" ? LogEvent::Source::kSyslogUdp : LogEvent::Source::kSyslogTcp);
    EXPECT_EQ(event.host, "127.0.0.1");
    const auto& m = std::get<SyslogMessage>(event.record);
    EXPECT_EQ(m.format, format == "--rfc5424" ? SyslogFormat::kRfc5424 : SyslogFormat::kRfc3164);
    EXPECT_TRUE(m.has_pri);
    EXPECT_EQ(m.facility, 19u);  // local3
    EXPECT_EQ(m.severity, 4u);   // warning
    EXPECT_FALSE(m.hostname.empty());
    EXPECT_TRUE(hostname_.starts_with(m.hostname)) << m.hostname << " vs " << hostname_;
    EXPECT_FALSE(m.timestamp.empty());
    EXPECT_EQ(m.app_name, "vmtag");
    EXPECT_EQ(m.procid, "4242");
    EXPECT_EQ(m.message, message);  // intact, byte for byte
    EXPECT_TRUE(event.line.ends_with(message));
    lines_.push_back(event.line);
  }

  std::string log_file() {
    std::ifstream in(dir_ / "logs/127.0.0.1/syslog.log", std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }

  fs::path dir_;
  std::unique_ptr<LogListeners> listeners_;
  std::string hostname_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<LogEvent> events_;
  std::vector<std::string> lines_;
};

const std::string kTricky =
    "panic: \"quoted\" back\\slash [brackets] key=value \xc3\xbcnic\xc3\xb8"
    "de \xe2\x9c\x93";

TEST_F(LoggerClientTest, EveryTransportAndFormatArrivesIntact) {
  send_and_check("--udp", "--rfc3164", "udp 3164 " + kTricky);
  send_and_check("--udp", "--rfc5424", "udp 5424 " + kTricky);
  send_and_check("--tcp", "--rfc3164", "tcp 3164 " + kTricky);
  send_and_check("--tcp", "--rfc5424", "tcp 5424 " + kTricky);
  send_and_check("--tcp", "--rfc5424", "tcp 5424 octet-counted " + kTricky, {"--octet-count"});
  std::string big(3000, 'x');
  for (std::size_t i = 0; i < big.size(); i += 100) big[i] = static_cast<char>('a' + i / 100 % 26);
  send_and_check("--udp", "--rfc5424", big);
  send_and_check("--tcp", "--rfc3164", big);

  // The per-host file holds exactly those lines, in order.
  std::string expected;
  for (const auto& line : lines_) expected += line + "\n";
  EXPECT_EQ(log_file(), expected);
}

TEST_F(LoggerClientTest, StructuredDataAndMsgidSurvive) {
  send_and_check("--udp", "--rfc5424", "with sd",
                 {"--sd-id", "vmscope@32473", "--sd-param", "dump=\"a\\\"b\\]c\\\\d\"", "--msgid",
                  "DUMPSTART"});
  auto events = wait_for(1);
  const auto& m = std::get<SyslogMessage>(events.back().record);
  EXPECT_EQ(m.msgid, "DUMPSTART");
  const SyslogSdElement* ours = nullptr;
  for (const auto& element : m.structured_data) {
    if (element.id == "vmscope@32473") ours = &element;
  }
  ASSERT_NE(ours, nullptr);
  ASSERT_EQ(ours->params.size(), 1u);
  EXPECT_EQ(ours->params[0].name, "dump");
  EXPECT_EQ(ours->params[0].value, "a\"b]c\\d");
}

TEST_F(LoggerClientTest, ManyLinesOverOneTcpConnectionKeepTheirOrder) {
  fs::path input = dir_ / "lines.txt";
  {
    std::ofstream out(input);
    for (int i = 0; i < 300; ++i) out << "line " << i << " of the boot log\n";
  }
  for (const char* framing : {"", "--octet-count"}) {
    std::size_t before = wait_for(0).size();
    auto args = common("--tcp", "--rfc5424");
    if (*framing) args.push_back(framing);
    args.push_back("--file");
    args.push_back(input.string());
    ASSERT_TRUE(run_logger(args));
    auto events = wait_for(before + 300);
    ASSERT_EQ(events.size(), before + 300) << framing;
    for (int i = 0; i < 300; ++i) {
      EXPECT_EQ(std::get<SyslogMessage>(events[before + i].record).message,
                "line " + std::to_string(i) + " of the boot log");
    }
  }
  EXPECT_EQ(listeners_->stats().records, 600u);
  EXPECT_EQ(listeners_->stats().tcp_framing_errors, 0u);
}

}  // namespace
}  // namespace vmscope
