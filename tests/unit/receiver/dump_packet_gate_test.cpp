#include "receiver/dump_packet_gate.h"

#include <gtest/gtest.h>

#include "receiver/dump_packet_crypto.h"

namespace vmscope {
namespace {

using namespace dumpwire;
using Clock = DumpPacketGate::Clock;

DumpHost host(const std::string& name, std::uint64_t id, std::uint8_t key_byte,
              std::vector<std::string> allowed = {}) {
  DumpHost h{name, id, {}, std::move(allowed)};
  h.key.fill(std::byte{key_byte});
  return h;
}

SessionStart start_message() {
  SessionStart s;
  s.max_pfn = 100;
  s.meta_chunk = 100;
  s.meta_length = 10;
  s.release = "6.1.0";
  return s;
}

class Sender {
 public:
  Sender(const DumpHost& h, std::uint64_t session) : host_(h), session_(session) {}
  std::vector<std::byte> packet(MessageType type, const std::vector<std::byte>& body) {
    std::vector<std::byte> d;
    seal_packet(host_.key, {type, host_.host_id, session_, seq_++}, body, d);
    return d;
  }
  std::vector<std::byte> start() {
    std::vector<std::byte> body;
    encode_session_start(start_message(), body);
    return packet(MessageType::kSessionStart, body);
  }
  std::vector<std::byte> pages(std::uint64_t data_index) {
    std::vector<std::byte> body;
    encode_pages_header(data_index, 1, body);
    encode_page_record({.kind = RecordKind::kZeroRun, .pfn = data_index, .run_length = 1}, body);
    return packet(MessageType::kPages, body);
  }
  std::uint64_t seq_ = 0;

 private:
  DumpHost host_;
  std::uint64_t session_;
};

struct Harness {
  Harness()
      : a(host("a", 0x1111, 0xaa)),
        b(host("b", 0x2222, 0xbb, {"10.0.0.2"})),
        gate({a, b}, DumpGateLimits{.max_sessions_per_host = 1, .held_max_packets = 4}) {}
  std::vector<GateAction> handle(const std::vector<std::byte>& d,
                                 const std::string& from = "10.0.0.1") {
    std::vector<GateAction> out;
    gate.handle(d, from, now, out);
    return out;
  }
  DumpCounters of(const std::string& name) {
    for (auto& [n, c] : gate.per_host()) {
      if (n == name) return c;
    }
    return {};
  }
  DumpHost a, b;
  DumpPacketGate gate;
  Clock::time_point now = Clock::now();
};

TEST(DumpPacketGateTest, StartThenDeliver) {
  Harness h;
  Sender s(h.a, 7);
  auto out = h.handle(s.start());
  ASSERT_EQ(out.size(), 1u);
  auto& start = std::get<StartSessionAction>(out[0]);
  EXPECT_EQ(start.key.session_id, 7u);
  EXPECT_EQ(start.identity.address, "10.0.0.1");
  EXPECT_EQ(start.identity.host_name, "a");
  EXPECT_EQ(start.start, start_message());
  out = h.handle(s.pages(0));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<DeliverAction>(out[0]).type, MessageType::kPages);
  EXPECT_TRUE(h.handle(s.start()).empty());  // a repeat of the same START: nothing new
  EXPECT_EQ(h.of("a").accepted, 2u);
  EXPECT_EQ(h.gate.open_sessions(), 1u);
}

TEST(DumpPacketGateTest, ForgedTamperedReplayedAreCountedAndDropped) {
  Harness h;
  Sender s(h.a, 7);
  ASSERT_EQ(h.handle(s.start()).size(), 1u);
  auto pages = s.pages(0);

  // Forged: the right host_id, another key.
  Sender forger(host("a", 0x1111, 0x99), 7);
  forger.seq_ = 100;
  EXPECT_TRUE(h.handle(forger.pages(0)).empty());
  // Tampered: one ciphertext bit, then one header bit (the header is associated data).
  auto tampered = pages;
  tampered[40] ^= std::byte{1};
  EXPECT_TRUE(h.handle(tampered).empty());
  tampered = pages;
  tampered[30] ^= std::byte{1};  // seq (a fresh one: the window passes it to the AEAD)
  EXPECT_TRUE(h.handle(tampered).empty());
  EXPECT_EQ(h.of("a").auth_failed, 3u);
  // The forgeries did not move the window: the genuine packet still gets in, once.
  EXPECT_EQ(h.handle(pages).size(), 1u);
  EXPECT_TRUE(h.handle(pages).empty());
  EXPECT_EQ(h.of("a").duplicate, 1u);
  // Too old: 8192 sequence numbers later.
  s.seq_ += 9000;
  EXPECT_EQ(h.handle(s.pages(1)).size(), 1u);
  auto old = pages;  // seq 1, far below the window now
  EXPECT_TRUE(h.handle(old).empty());
  EXPECT_EQ(h.of("a").too_old, 1u);

  // Unknown host, malformed, unsupported version.
  Sender stranger(host("x", 0x9999, 0xaa), 7);
  EXPECT_TRUE(h.handle(stranger.start()).empty());
  EXPECT_EQ(h.of("").unknown_host, 1u);
  auto garbage = std::vector<std::byte>(100, std::byte{0x41});
  EXPECT_TRUE(h.handle(garbage).empty());
  EXPECT_EQ(h.of("").malformed, 1u);
  auto v2 = s.start();
  v2[4] = std::byte{2};
  EXPECT_TRUE(h.handle(v2).empty());
  EXPECT_EQ(h.of("").unsupported_version, 1u);
}

TEST(DumpPacketGateTest, FinishedSessionsAreLateThenReplayed) {
  Harness h;
  Sender s(h.a, 7);
  auto start = s.start();
  ASSERT_EQ(h.handle(start).size(), 1u);
  auto end_copy = s.pages(0);
  h.gate.session_finished({0x1111, 7}, h.now);
  EXPECT_EQ(h.gate.open_sessions(), 0u);
  EXPECT_TRUE(h.handle(end_copy).empty());
  EXPECT_EQ(h.of("a").late, 1u);
  h.now += std::chrono::seconds(11);
  h.gate.sweep(h.now);
  EXPECT_TRUE(h.handle(start).empty());  // the whole old session, replayed
  EXPECT_EQ(h.of("a").replayed_session, 1u);
  // Remembered across restarts through the seed set.
  DumpPacketGate fresh({h.a}, {}, h.gate.finished());
  std::vector<GateAction> out;
  fresh.handle(start, "10.0.0.1", h.now, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(fresh.total().replayed_session, 1u);
}

TEST(DumpPacketGateTest, LimitsSourcesAndHeldPackets) {
  Harness h;
  Sender first(h.a, 1), second(h.a, 2);
  ASSERT_EQ(h.handle(first.start()).size(), 1u);
  EXPECT_TRUE(h.handle(second.start()).empty());  // one session per host here
  EXPECT_EQ(h.of("a").over_limit, 1u);

  Sender b(h.b, 5);
  EXPECT_TRUE(h.handle(b.start(), "10.0.0.9").empty());
  EXPECT_EQ(h.of("b").wrong_source, 1u);

  // Packets before their START are held (bounded), then released in order after it.
  auto start = b.start();
  for (std::uint64_t i = 0; i < 6; ++i) EXPECT_TRUE(h.handle(b.pages(i), "10.0.0.2").empty());
  EXPECT_EQ(h.of("b").held, 6u);
  EXPECT_EQ(h.of("b").held_dropped, 2u);  // 4 may wait
  auto out = h.handle(start, "10.0.0.2");
  ASSERT_EQ(out.size(), 5u);
  EXPECT_TRUE(std::holds_alternative<StartSessionAction>(out[0]));
  for (std::size_t i = 1; i < out.size(); ++i) {
    EXPECT_TRUE(std::holds_alternative<DeliverAction>(out[i]));
  }
}

}  // namespace
}  // namespace vmscope
