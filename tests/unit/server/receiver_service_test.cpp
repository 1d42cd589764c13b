#include "server/receiver_service.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "receiver/received_dump_meta.h"

namespace vmscope::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

void send_udp(std::uint16_t port, const std::string& datagram) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to),
                     sizeof to),
            static_cast<ssize_t>(datagram.size()));
  ::close(fd);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

class ReceiverServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() /
                           ("vmscope-receiver-service-" + std::to_string(::getpid()) + "-XXXXXX"))
                              .string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = fs::canonical(pattern);
  }
  void TearDown() override { fs::remove_all(dir_); }

  ReceiverServiceOptions options() {
    ReceiverServiceOptions o;
    o.dump_dir = dir_;
    o.address = "127.0.0.1";
    o.netconsole_port = 0;
    o.syslog_port = 0;
    o.dump_port = 0;
    return o;
  }

  // A finished dump directory as the ingest leaves it, for the catalog to find at start-up.
  void make_dump(const std::string& name, const std::string& state,
                 std::optional<std::string> reason, bool with_file) {
    fs::path dir = dir_ / name;
    fs::create_directories(dir);
    ReceivedDumpMeta meta;
    meta.host_name = "web1";
    meta.address = "10.0.0.5";
    meta.started = "2026-11-29T15:30:00Z";
    meta.state = state;
    meta.reason = std::move(reason);
    ASSERT_TRUE(write_meta_json(dir, meta).ok());
    if (with_file) std::ofstream(dir / "vmcore-incomplete") << "not a dump";
  }

  fs::path dir_;
};

TEST_F(ReceiverServiceTest, NetconsoleLinesReachTheObserverAndTheHostsLogFile) {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<LogEvent> events;
  ReceiverObservers observers;
  observers.log = [&](const LogEvent& event) {
    std::lock_guard lock(mutex);
    events.push_back(event);
    changed.notify_all();
  };
  auto service = ReceiverService::start(options(), std::move(observers));
  ASSERT_TRUE(service.ok()) << service.error().to_string();
  ReceiverPorts ports = (*service)->ports();
  EXPECT_NE(ports.netconsole, 0);
  EXPECT_NE(ports.syslog_udp, 0);
  EXPECT_NE(ports.syslog_tcp, 0);
  EXPECT_EQ(ports.dump, 0);  // no host keys: the ingest does not run
  EXPECT_EQ((*service)->dump_dir(), dir_);

  send_udp(ports.netconsole, "6,42,1234567,-;hello from the kernel\n");
  send_udp(ports.syslog_udp, "<13>Nov 29 15:30:00 web1 app[7]: hello from syslog");
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 5s, [&] { return events.size() >= 2; }));
  }
  (*service)->stop();
  bool netconsole = false, syslog = false;
  for (const LogEvent& e : events) {
    EXPECT_EQ(e.host, "127.0.0.1");
    if (const auto* r = std::get_if<NetconsoleRecord>(&e.record)) {
      netconsole = true;
      EXPECT_EQ(r->text, "hello from the kernel");
      EXPECT_EQ(r->seq, 42u);
    } else if (const auto* m = std::get_if<SyslogMessage>(&e.record)) {
      syslog = true;
      EXPECT_EQ(m->message, "hello from syslog");
    }
  }
  EXPECT_TRUE(netconsole && syslog);
  EXPECT_EQ(read_file(dir_ / "logs/127.0.0.1/netconsole.log"),
            "[    1.234567] hello from the kernel\n");
}

TEST_F(ReceiverServiceTest, ASecondReceiverOnTheSameDirectoryIsRefused) {
  auto first = ReceiverService::start(options(), {});
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  auto second = ReceiverService::start(options(), {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), ErrorCode::kIo);
  EXPECT_NE(second.error().message().find("another vmscope receiver"), std::string::npos);
  first->reset();
  auto third = ReceiverService::start(options(), {});
  EXPECT_TRUE(third.ok()) << third.error().to_string();
}

TEST_F(ReceiverServiceTest, APortInUseIsAnError) {
  auto first = ReceiverService::start(options(), {});
  ASSERT_TRUE(first.ok());
  fs::path other = dir_ / "other";
  ReceiverServiceOptions o = options();
  o.dump_dir = other;
  o.netconsole_port = (*first)->ports().netconsole;
  auto second = ReceiverService::start(o, {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), ErrorCode::kIo);
}

TEST_F(ReceiverServiceTest, TheCatalogIsReadAtStartAndOnlyFinishedDumpsOpen) {
  make_dump("10.0.0.5-2026-11-29-15:30:00", "incomplete", "meta-missing", true);
  make_dump("10.0.0.5-2026-11-29-15:40:00", "receiving", std::nullopt, true);
  make_dump("10.0.0.5-2026-11-29-15:50:00", "incomplete", "lost-packets", true);
  ReceiverServiceOptions o = options();
  o.netconsole_port.reset();
  o.syslog_port.reset();
  auto service = ReceiverService::start(o, {});
  ASSERT_TRUE(service.ok()) << service.error().to_string();
  auto list = (*service)->list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);

  SessionRegistry sessions({.allowed_dirs = {dir_.string()}});
  auto failed = (*service)->open("10.0.0.5-2026-11-29-15:30:00", sessions);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(failed.error().message().find("meta-missing"), std::string::npos);
  // Cut off by a receiver that stopped: incomplete, so it is opened — and this file is no dump.
  auto cut_off = (*service)->open("10.0.0.5-2026-11-29-15:40:00", sessions);
  ASSERT_FALSE(cut_off.ok());
  EXPECT_EQ(cut_off.error().message().find("received dump"), std::string::npos)
      << cut_off.error().message();  // refused by the dump reader, not by the service
  auto unknown = (*service)->open("nope", sessions);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ((*service)->ports().netconsole, 0);
}

TEST_F(ReceiverServiceTest, ADumpBeingReceivedIsNotOpened) {
  ReceiverServiceOptions o = options();
  o.netconsole_port.reset();
  o.syslog_port.reset();
  auto service = ReceiverService::start(o, {});
  ASSERT_TRUE(service.ok());
  fs::path dir = dir_ / "127.0.0.1-2026-11-29-16:00:00";
  fs::create_directories(dir);
  DumpEvent started;
  started.kind = DumpEvent::Kind::kStarted;
  started.directory = dir;
  started.vmcore = dir / "vmcore-incomplete";
  started.state = "receiving";
  ASSERT_TRUE((*service)->catalog().apply(started).ok());
  SessionRegistry sessions({.allowed_dirs = {dir_.string()}});
  auto receiving = (*service)->open(dir.filename().string(), sessions);
  ASSERT_FALSE(receiving.ok());
  EXPECT_EQ(receiving.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(receiving.error().message().find("still arriving"), std::string::npos);
}

TEST_F(ReceiverServiceTest, DumpsFoundUntriagedAtStartAreTriagedAndObserversAreTold) {
  make_dump("10.0.0.5-2026-11-29-15:30:00", "incomplete", "meta-missing", true);  // failed
  make_dump("10.0.0.5-2026-11-29-15:50:00", "incomplete", "lost-packets", true);
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<CatalogEntry> told;
  std::vector<std::string> triaged_ids;
  ReceiverServiceOptions o = options();
  o.netconsole_port.reset();
  o.syslog_port.reset();
  o.triage = [&](const CatalogEntry& e,
                 const CancellationToken&) -> Result<ReceivedDumpTriageResult> {
    std::lock_guard lock(mutex);
    triaged_ids.push_back(e.id);
    return ReceivedDumpTriageResult{"kernel panic: test", "panic", "00000000000000aa", ""};
  };
  ReceiverObservers observers;
  observers.triaged = [&](const CatalogEntry& e) {
    std::lock_guard lock(mutex);
    told.push_back(e);
    changed.notify_all();
  };
  auto service = ReceiverService::start(o, std::move(observers));
  ASSERT_TRUE(service.ok()) << service.error().to_string();
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 20s, [&] { return !told.empty(); }));
  }
  (*service)->stop();
  ASSERT_EQ(triaged_ids, std::vector<std::string>{"10.0.0.5-2026-11-29-15:50:00"});
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].bucket_id, "00000000000000aa");
  auto row = (*service)->get("10.0.0.5-2026-11-29-15:50:00");
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->triage_title, "kernel panic: test");
  EXPECT_FALSE((*service)->get("10.0.0.5-2026-11-29-15:30:00")->triage_title);
  ReceiverServiceStats stats = (*service)->stats();
  ASSERT_TRUE(stats.triage);
  EXPECT_EQ(stats.triage->queued, 1u);
  EXPECT_EQ(stats.triage->filed, 1u);
  EXPECT_EQ(stats.catalog_dumps, 2u);
}

TEST_F(ReceiverServiceTest, ForgedDatagramsOnTheDumpPortAreCountedAsRejected) {
  ReceiverServiceOptions o = options();
  o.netconsole_port.reset();
  o.syslog_port.reset();
  DumpHost host;
  host.name = "web1";
  host.host_id = 0x1122334455667788;
  host.key.fill(std::byte{0x42});
  o.hosts = {host};
  auto service = ReceiverService::start(o, {});
  ASSERT_TRUE(service.ok()) << service.error().to_string();
  ASSERT_NE((*service)->ports().dump, 0);
  ASSERT_TRUE((*service)->stats().dump);
  EXPECT_EQ((*service)->stats().dump->total.datagrams, 0u);
  // A SESSION_START header (protocol-spec/dump-wire-protocol.md §4) with the known host id but
  // a body and tag not sealed with its key; then the same from a host id nobody knows.
  auto forged = [](std::uint64_t host_id) {
    std::string d = "VMSD";
    d += '\x01';  // version
    d += '\x01';  // SESSION_START
    d += std::string(2, '\0');
    for (std::uint64_t v : {host_id, std::uint64_t{0x99}, std::uint64_t{0}}) {
      for (int i = 0; i < 8; ++i) d += static_cast<char>((v >> (8 * i)) & 0xff);
    }
    d += std::string(144 + 16, '\x5a');
    return d;
  };
  send_udp((*service)->ports().dump, forged(host.host_id));
  send_udp((*service)->ports().dump, forged(0x0badc0de0badc0de));
  DumpCounters total;
  for (int i = 0; i < 500 && total.datagrams < 2; ++i) {
    std::this_thread::sleep_for(10ms);
    total = (*service)->stats().dump->total;
  }
  EXPECT_EQ(total.datagrams, 2u);
  EXPECT_EQ(total.bytes, 2u * (32 + 144 + 16));
  EXPECT_EQ(total.auth_failed, 1u);
  EXPECT_EQ(total.unknown_host, 1u);
  EXPECT_EQ(total.accepted, 0u);
}

TEST_F(ReceiverServiceTest, BadSettingsAreErrors) {
  ReceiverServiceOptions o = options();
  o.dump_dir.clear();
  EXPECT_EQ(ReceiverService::start(o, {}).error().code(), ErrorCode::kInvalidArgument);
  o = options();
  o.address = "not an address";
  EXPECT_FALSE(ReceiverService::start(o, {}).ok());
}

}  // namespace
}  // namespace vmscope::server
