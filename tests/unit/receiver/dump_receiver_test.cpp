#include "receiver/dump_receiver.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "dump/open_dump.h"
#include "receiver/dump_sender.h"
#include "receiver/kdump_writer.h"

namespace vmscope {
namespace {

namespace fs = std::filesystem;
using namespace dumpwire;

std::vector<std::byte> page_of(std::uint64_t pfn) {
  std::vector<std::byte> page(4096);
  for (std::size_t i = 0; i < page.size(); ++i)
    page[i] = static_cast<std::byte>((pfn + i / 100) & 0xff);
  return page;
}

class DumpReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "vmscope-receiver-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    KdumpWriterConfig c;
    c.max_pfn = 300;
    c.utsname = {"Linux", "n", "6.1.0-syn", "#1", "x86_64", ""};
    auto w = KdumpWriter::create(dir_ / "source", c);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(
        (*w)->set_layout(std::vector<PfnRange>{{0, 300}}, std::vector<PfnRange>{{0, 300}}).ok());
    ASSERT_TRUE((*w)->set_vmcoreinfo("OSRELEASE=6.1.0-syn\nPAGESIZE=4096\n").ok());
    for (std::uint64_t pfn = 0; pfn < 300; ++pfn)
      ASSERT_TRUE((*w)->add_page(pfn, 0, page_of(pfn)).ok());
    ASSERT_TRUE((*w)->finish(true).ok());
    key_ = generate_host_key();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<DumpReceiver> start_receiver() {
    DumpReceiverConfig config;
    config.dump_dir = dir_ / "dumps";
    config.address = "127.0.0.1";
    config.port = 0;
    config.hosts = {{"syn", key_.host_id, key_.key, {}}};
    config.free_space_reserve = 0;
    config.session.drain_timeout = std::chrono::milliseconds(200);
    auto r = DumpReceiver::start(config, [this](const DumpEvent& e) {
      std::lock_guard lock(mutex_);
      events_.push_back(e);
      changed_.notify_all();
    });
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? std::move(*r) : nullptr;
  }

  std::optional<DumpEvent> wait_finished() {
    std::unique_lock lock(mutex_);
    std::optional<DumpEvent> found;
    changed_.wait_for(lock, std::chrono::seconds(60), [&] {
      for (const auto& e : events_) {
        if (e.kind == DumpEvent::Kind::kCompleted || e.kind == DumpEvent::Kind::kFailed) found = e;
      }
      return found.has_value();
    });
    return found;
  }

  fs::path dir_;
  HostKeyFile key_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<DumpEvent> events_;
};

TEST_F(DumpReceiverTest, ReceivesADumpOverLoopback) {
  auto receiver = start_receiver();
  ASSERT_TRUE(receiver);
  auto source = open_dump_source((dir_ / "source").string());
  ASSERT_TRUE(source.ok());
  DumpSendOptions o;
  o.port = receiver->port();
  o.key = key_;
  o.fec_k = 4;
  o.fec_m = 2;
  o.loss = 0.05;
  o.loss_seed = 11;
  auto report = send_dump(*source, o);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  auto event = wait_finished();
  ASSERT_TRUE(event);
  EXPECT_EQ(event->kind, DumpEvent::Kind::kCompleted) << event->reason.value_or("");
  EXPECT_EQ(event->host_name, "syn");
  EXPECT_EQ(event->address, "127.0.0.1");
  EXPECT_EQ(event->session_id, report->session_id);
  EXPECT_TRUE(fs::exists(event->directory / "meta.json"));
  EXPECT_TRUE(fs::exists(event->directory / "log"));
  auto dump = open_dump(event->vmcore.string());
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  std::vector<std::byte> out(4096);
  for (std::uint64_t pfn = 0; pfn < 300; ++pfn) {
    ASSERT_TRUE((*dump)->memory().read(pfn * 4096, out).ok()) << pfn;
    ASSERT_EQ(out, page_of(pfn)) << pfn;
  }
  auto stats = receiver->stats();
  EXPECT_EQ(stats.sessions_started, 1u);
  EXPECT_EQ(stats.sessions_completed, 1u);
  EXPECT_EQ(stats.open_sessions, 0u);
  EXPECT_EQ(stats.total.auth_failed, 0u);
  EXPECT_GT(stats.total.accepted, 0u);
  bool started = false;
  std::lock_guard lock(mutex_);
  for (const auto& e : events_) started |= e.kind == DumpEvent::Kind::kStarted;
  EXPECT_TRUE(started);
}

TEST_F(DumpReceiverTest, ConsoleLinesGoToTheOpenSessionsLog) {
  auto receiver = start_receiver();
  ASSERT_TRUE(receiver);
  auto source = open_dump_source((dir_ / "source").string());
  ASSERT_TRUE(source.ok());
  DumpSendOptions o;
  o.port = receiver->port();
  o.key = key_;
  o.lossy_types = {MessageType::kEnd};
  o.loss = 1.0;  // no END: the session stays open until stop()
  ASSERT_TRUE(send_dump(*source, o).ok());
  for (int i = 0; i < 100 && receiver->stats().open_sessions == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  receiver->append_console_line("127.0.0.1", "[   12.345678] Kernel panic - not syncing\x1b[0m");
  receiver->append_console_line("10.9.9.9", "someone else's line");
  receiver->stop();  // finalizes the open session with what arrived
  auto event = wait_finished();
  ASSERT_TRUE(event);
  EXPECT_EQ(event->reason.value_or(""), "sender-lost");
  std::ifstream in(event->directory / "log");
  std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(log, "[   12.345678] Kernel panic - not syncing\\x1b[0m\n");
}

TEST_F(DumpReceiverTest, Ipv6AndIpv4OnOneSocket) {
  DumpReceiverConfig config;
  config.dump_dir = dir_ / "dumps6";
  config.address = "::";
  config.port = 0;
  config.hosts = {{"syn", key_.host_id, key_.key, {"0:0::1", "127.0.0.1"}}};
  config.free_space_reserve = 0;
  auto receiver = DumpReceiver::start(config, [this](const DumpEvent& e) {
    std::lock_guard lock(mutex_);
    events_.push_back(e);
    changed_.notify_all();
  });
  ASSERT_TRUE(receiver.ok()) << receiver.error().to_string();
  auto source = open_dump_source((dir_ / "source").string());
  ASSERT_TRUE(source.ok());
  for (const char* address : {"::1", "127.0.0.1"}) {
    DumpSendOptions o;
    o.address = address;
    o.port = (*receiver)->port();
    o.key = key_;
    auto report = send_dump(*source, o);
    ASSERT_TRUE(report.ok()) << report.error().to_string();
  }
  for (int i = 0; i < 300 && (*receiver)->stats().sessions_completed < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ((*receiver)->stats().sessions_completed, 2u);
  std::set<std::string> addresses;
  {
    std::lock_guard lock(mutex_);
    for (const auto& e : events_) addresses.insert(e.address);
  }
  EXPECT_EQ(addresses, (std::set<std::string>{"::1", "127.0.0.1"}));  // v4-mapped shown as v4
}

TEST_F(DumpReceiverTest, StartErrors) {
  DumpReceiverConfig config;
  EXPECT_EQ(DumpReceiver::start(config, nullptr).error().code(), ErrorCode::kInvalidArgument);
  config.dump_dir = dir_ / "d";
  config.address = "nonsense";
  EXPECT_EQ(DumpReceiver::start(config, nullptr).error().code(), ErrorCode::kInvalidArgument);
  auto first = start_receiver();
  ASSERT_TRUE(first);
  config.address = "127.0.0.1";
  config.port = first->port();  // taken
  EXPECT_EQ(DumpReceiver::start(config, nullptr).error().code(), ErrorCode::kIo);
}

}  // namespace
}  // namespace vmscope
