#include "receiver/dump_session.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dump/open_dump.h"
#include "receiver/dump_packetizer.h"
#include "receiver/page_digest.h"

namespace vmscope {
namespace {

namespace fs = std::filesystem;
using namespace dumpwire;
using Clock = DumpSession::Clock;

constexpr std::uint64_t kMaxPfn = 256;
constexpr std::uint64_t kDumpable = 200;  // pfns 200..255 are RAM but filtered

std::vector<std::byte> page_of(std::uint64_t pfn) {
  std::vector<std::byte> p(4096, std::byte{0});
  if (pfn % 10 == 0) return p;  // zero pages
  for (std::size_t i = 0; i < p.size(); i += 8) p[i] = static_cast<std::byte>(pfn + i / 512);
  return p;
}

struct Body {
  MessageType type;
  std::vector<std::byte> body;
};

// The packets of a synthetic dump, as `vmscope send` would make them.
std::vector<Body> make_stream(PageCodec codec, unsigned k, unsigned m,
                              bool corrupt_digest = false) {
  DumpMetadata meta;
  meta.vmcoreinfo = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
  meta.memory_map = {{0, kMaxPfn}};
  meta.dumpable = std::vector<PfnRange>{{0, kDumpable}};
  meta.utsname = Utsname{"Linux", "n", "6.1.0-test", "#1", "x86_64", ""};
  meta.panic_message = "test panic";
  std::vector<std::byte> blob = encode_meta_blob(meta);
  SessionStart s;
  s.max_pfn = kMaxPfn;
  s.digest_alg = DigestAlg::kBlake2s256;
  s.fec_k = static_cast<std::uint8_t>(k);
  s.fec_m = static_cast<std::uint8_t>(m);
  s.meta_length = static_cast<std::uint32_t>(blob.size());
  s.meta_chunk = choose_meta_chunk(s);
  s.release = "6.1.0-test";
  s.e_machine = 62;
  std::vector<Body> out;
  DumpPacketizer p(s, blob, [&](MessageType t, std::span<const std::byte> b, auto) {
    out.push_back({t, {b.begin(), b.end()}});
  });
  p.begin();
  PageCompressor c;
  PageDigest digest;
  std::vector<std::byte> stored;
  for (std::uint64_t pfn = 0; pfn < kDumpable; ++pfn) {
    auto page = page_of(pfn);
    if (pfn % 10 == 0) {
      p.add_run(RecordKind::kZeroRun, pfn, 1);
      continue;
    }
    digest.add_page(pfn, page);
    if (pfn % 7 == 0) {
      p.add_page(pfn, PageCompression::kNone, page);
    } else {
      EXPECT_TRUE(c.compress(codec, page, stored)) << pfn;
      p.add_page(pfn, codec == PageCodec::kLz4 ? PageCompression::kLz4 : PageCompression::kZstd,
                 stored);
    }
  }
  auto value = digest.value();
  if (corrupt_digest) value[0] ^= std::byte{1};
  p.finish(EndStatus::kComplete, value);
  return out;
}

class DumpSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "vmscope-session-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    config_.dump_dir = pattern;
    config_.drain_timeout = std::chrono::milliseconds(100);
    config_.idle_timeout = std::chrono::seconds(5);
  }
  void TearDown() override { fs::remove_all(config_.dump_dir); }

  // Runs a session over `stream` (skipping packets for which `drop` says so) and the timers.
  std::unique_ptr<DumpSession> run(const std::vector<Body>& stream,
                                   std::function<bool(std::size_t, const Body&)> drop = {}) {
    auto start = decode_session_start(stream.front().body);
    EXPECT_TRUE(start.ok());
    auto session =
        DumpSession::start(config_, {"10.0.0.5", "test", 1, 2}, *start, nullptr, now_, 1764430200,
                           nullptr, [this](const DumpEvent& e) { events_.push_back(e); });
    EXPECT_TRUE(session.ok()) << session.error().to_string();
    for (std::size_t i = 0; i < stream.size(); ++i) {
      const Body& b = stream[i];
      if (b.type == MessageType::kSessionStart || (drop && drop(i, b))) continue;
      (*session)->on_packet(b.type, b.body, now_, 1764430201);
    }
    for (int t = 0; t < 100 && !(*session)->finished(); ++t) {
      now_ += std::chrono::seconds(1);
      (*session)->tick(now_, 1764430202 + t, false);
    }
    return std::move(*session);
  }

  std::string meta_json(const DumpSession& s) {
    std::ifstream in(s.directory() / "meta.json");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  DumpSessionConfig config_;
  Clock::time_point now_ = Clock::now();
  std::vector<DumpEvent> events_;
};

TEST_F(DumpSessionTest, CompleteDumpWithLz4PagesAndDigest) {
  auto session = run(make_stream(PageCodec::kLz4, 0, 0));
  ASSERT_TRUE(session->finished());
  ASSERT_FALSE(events_.empty());
  EXPECT_EQ(events_.front().kind, DumpEvent::Kind::kStarted);
  const DumpEvent& last = events_.back();
  EXPECT_EQ(last.kind, DumpEvent::Kind::kCompleted) << last.reason.value_or("");
  EXPECT_EQ(last.progress.received + last.progress.zero, kDumpable);
  EXPECT_EQ(last.panic_message, "test panic");
  EXPECT_TRUE(fs::exists(session->directory() / "vmcore"));
  EXPECT_FALSE(fs::exists(session->directory() / "vmcore-incomplete"));
  EXPECT_NE(meta_json(*session).find("\"digest\": \"match\""), std::string::npos);
  auto dump = open_dump((session->directory() / "vmcore").string());
  ASSERT_TRUE(dump.ok());
  std::vector<std::byte> out(4096);
  for (std::uint64_t pfn = 0; pfn < kDumpable; ++pfn) {
    ASSERT_TRUE((*dump)->memory().read(pfn * 4096, out).ok()) << pfn;
    ASSERT_EQ(out, page_of(pfn)) << pfn;
  }
  EXPECT_EQ((*dump)->memory().read(220 * 4096, out).error().code(), ErrorCode::kPageExcluded);
  EXPECT_EQ(session->counters().protocol_violation, 0u);
}

TEST_F(DumpSessionTest, LostPagesWithoutFecAreAbsent) {
  auto stream = make_stream(PageCodec::kZstd, 0, 0);
  int pages_seen = 0;
  auto session = run(stream, [&](std::size_t, const Body& b) {
    return b.type == MessageType::kPages && ++pages_seen == 3;
  });
  const DumpEvent& last = events_.back();
  EXPECT_EQ(last.kind, DumpEvent::Kind::kFailed);
  EXPECT_EQ(last.reason.value_or(""), "lost-packets");
  EXPECT_GT(last.progress.missing, 0u);
  auto dump = open_dump((session->directory() / "vmcore-incomplete").string());
  ASSERT_TRUE(dump.ok());
  std::vector<std::byte> out(4096);
  std::uint64_t absent = 0;
  for (std::uint64_t pfn = 0; pfn < kDumpable; ++pfn) {
    Status s = (*dump)->memory().read(pfn * 4096, out);
    if (s.ok()) {
      ASSERT_EQ(out, page_of(pfn));
    } else {
      ASSERT_EQ(s.error().code(), ErrorCode::kPageAbsent) << s.error().to_string();
      ++absent;
    }
  }
  EXPECT_EQ(absent, last.progress.missing);
}

TEST_F(DumpSessionTest, FecRecoversTheSameLoss) {
  auto stream = make_stream(PageCodec::kZstd, 4, 2);
  int pages_seen = 0;
  auto session = run(stream, [&](std::size_t, const Body& b) {
    return b.type == MessageType::kPages && (++pages_seen % 9 == 3);
  });
  EXPECT_EQ(events_.back().kind, DumpEvent::Kind::kCompleted) << events_.back().reason.value_or("");
  EXPECT_GT(events_.back().progress.groups_recovered, 0u);
}

TEST_F(DumpSessionTest, MissingMetaFreezesTheLayoutAndPagesStayReadable) {
  auto session = run(make_stream(PageCodec::kZstd, 0, 0),
                     [](std::size_t, const Body& b) { return b.type == MessageType::kMeta; });
  EXPECT_EQ(events_.back().kind, DumpEvent::Kind::kFailed);
  EXPECT_EQ(events_.back().reason.value_or(""), "meta-missing");
  auto dump = open_dump((session->directory() / "vmcore-incomplete").string());
  ASSERT_TRUE(dump.ok());
  std::vector<std::byte> out(4096);
  ASSERT_TRUE((*dump)->memory().read(11 * 4096, out).ok());
  EXPECT_EQ(out, page_of(11));
  EXPECT_EQ((*dump)->memory().read(220 * 4096, out).error().code(), ErrorCode::kPageAbsent);
}

TEST_F(DumpSessionTest, DigestMismatchIsNeverComplete) {
  auto session = run(make_stream(PageCodec::kZstd, 0, 0, /*corrupt_digest=*/true));
  EXPECT_EQ(events_.back().kind, DumpEvent::Kind::kFailed);
  EXPECT_EQ(events_.back().reason.value_or(""), "digest-mismatch");
  EXPECT_NE(meta_json(*session).find("\"digest\": \"mismatch\""), std::string::npos);
}

TEST_F(DumpSessionTest, SenderLostWithoutEnd) {
  auto session = run(make_stream(PageCodec::kZstd, 0, 0),
                     [](std::size_t, const Body& b) { return b.type == MessageType::kEnd; });
  EXPECT_EQ(events_.back().kind, DumpEvent::Kind::kFailed);
  EXPECT_EQ(events_.back().reason.value_or(""), "sender-lost");
}

TEST_F(DumpSessionTest, RepeatedRecordsAreViolationsAndTheFirstWins) {
  auto stream = make_stream(PageCodec::kZstd, 0, 0);
  // Replay one PAGES body with another data index: its pfns are already accounted for.
  std::vector<Body> doubled;
  for (const Body& b : stream) {
    if (b.type == MessageType::kEnd && doubled.back().type != MessageType::kEnd) {
      for (const Body& p : stream) {
        if (p.type != MessageType::kPages) continue;
        Body copy = p;
        copy.body[0] = std::byte{0xee};  // data index 238: past the stream, so not a duplicate
        doubled.push_back(copy);
        break;
      }
    }
    doubled.push_back(b);
  }
  auto session = run(doubled);
  EXPECT_GT(session->counters().protocol_violation, 0u);
  // The first records won; the dump is whole and its digest matches.
  EXPECT_EQ(events_.back().kind, DumpEvent::Kind::kCompleted) << events_.back().reason.value_or("");
}

TEST_F(DumpSessionTest, HugeMaxPfnIsRefusedBeforeAllocating) {
  SessionStart s;
  s.max_pfn = std::uint64_t{1} << 40;  // 128 GiB per pfn bitmap
  auto session = DumpSession::start(config_, {"10.0.0.5", "test", 1, 2}, s, nullptr, now_,
                                    1764430200, nullptr, nullptr);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_TRUE(fs::is_empty(config_.dump_dir));  // no directory made for it
}

}  // namespace
}  // namespace vmscope
