// Forged, tampered and replayed datagrams sent at the receiver over real UDP while a real dump
// arrives, and the whole session replayed afterwards (also after a receiver restart): every
// one is refused and counted, and the dump is still complete and identical.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "dump/open_dump.h"
#include "dump_ingest_harness.h"
#include "dump_test_support.h"
#include "fixture_env.h"
#include "receiver/dump_packet_crypto.h"
#include "receiver/dump_source.h"

namespace vmscope::testing {
namespace {

namespace fs = std::filesystem;
constexpr auto kTimeout = std::chrono::seconds(300);

class RawSender {
 public:
  explicit RawSender(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }
  ~RawSender() { ::close(fd_); }
  void send(std::span<const std::byte> d) { (void)!::send(fd_, d.data(), d.size(), 0); }

 private:
  int fd_;
};

std::size_t dump_directories(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    n += entry.is_directory() && entry.path().filename().string().starts_with("127.0.0.1-");
  }
  return n;
}

TEST(DumpIngestAttackTest, ForgedTamperedReplayedAreRefusedAndCounted) {
  auto source = open_dump_source(fixture_path("vmcore.kdump-d31"));
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  IngestHarness harness;
  ASSERT_TRUE(harness.ok()) << harness.error();
  RawSender attacker(harness.receiver().port());
  DumpSendOptions options = harness.send_options();
  options.rate_bytes_per_second = 40e6;
  dumpwire::HostKey wrong_key = harness.key().key;
  wrong_key[0] ^= std::byte{1};
  std::vector<std::vector<std::byte>> captured;
  std::uint64_t tampered = 0, forged = 0, duplicated = 0, index = 0;
  options.tap = [&](std::span<const std::byte> d) {
    captured.emplace_back(d.begin(), d.end());
    if (++index % 50 != 0) return;
    // A tampered copy (one ciphertext bit), an exact copy, and a forgery with a wrong key.
    std::vector<std::byte> copy(d.begin(), d.end());
    copy[dumpwire::kHeaderSize + 3] ^= std::byte{0x10};
    attacker.send(copy);
    ++tampered;
    attacker.send(d);
    ++duplicated;
    dumpwire::PacketHeader h;
    ASSERT_EQ(dumpwire::decode_header(d, h), dumpwire::HeaderFault::kNone);
    h.seq += std::uint64_t{1} << 20;  // fresh: only the tag can refuse it
    std::vector<std::byte> body(d.size() - dumpwire::kOverhead, std::byte{0x5a}), forgery;
    dumpwire::seal_packet(wrong_key, h, body, forgery);
    attacker.send(forgery);
    ++forged;
  };
  auto report = send_dump(*source, options);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  auto event = harness.wait_finished(report->session_id, kTimeout);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->kind, DumpEvent::Kind::kCompleted) << event->reason.value_or("");
  auto copy = open_dump(event->vmcore.string());
  ASSERT_TRUE(copy.ok());
  PageComparison pages = compare_pages(*source, **copy);
  EXPECT_EQ(pages.identical, source->dumpable_pages());

  DumpReceiverStats stats = harness.receiver().stats();
  EXPECT_EQ(stats.total.auth_failed, tampered + forged);
  EXPECT_EQ(stats.total.duplicate, duplicated);
  EXPECT_EQ(stats.total.protocol_violation, 0u);
  EXPECT_EQ(stats.sessions_started, 1u);

  // The whole session again: no second dump, every datagram counted.
  std::uint64_t before = stats.total.replayed_session + stats.total.late;
  for (const auto& d : captured) attacker.send(d);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  stats = harness.receiver().stats();
  EXPECT_EQ(stats.total.replayed_session + stats.total.late - before, captured.size());
  EXPECT_EQ(stats.sessions_started, 1u);
  EXPECT_EQ(dump_directories(harness.dump_dir()), 1u);

  // And after a restart of the receiver on the same dump directory.
  harness.receiver().stop();
  DumpReceiverConfig config;
  config.dump_dir = harness.dump_dir();
  config.address = "127.0.0.1";
  config.port = 0;
  config.hosts = {{"testhost", harness.key().host_id, harness.key().key, {}}};
  config.free_space_reserve = 0;
  auto restarted = DumpReceiver::start(config, nullptr);
  ASSERT_TRUE(restarted.ok()) << restarted.error().to_string();
  RawSender again((*restarted)->port());
  for (std::size_t i = 0; i < 3; ++i) again.send(captured[i]);  // the three SESSION_STARTs
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ((*restarted)->stats().total.replayed_session, 3u);
  EXPECT_EQ((*restarted)->stats().sessions_started, 0u);
  (*restarted)->stop();
  EXPECT_EQ(dump_directories(harness.dump_dir()), 1u);
}

}  // namespace
}  // namespace vmscope::testing
