#include "receiver/netconsole_assembler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace vmscope {
namespace {

using Clock = NetconsoleAssembler::Clock;
using std::chrono::milliseconds;

const Clock::time_point t0{};

// The fragments Linux's send_ext_msg_udp makes of one record: the header, ",ncfrag=off/len;",
// then a slice of the body, each datagram at most `chunk` bytes.
std::vector<std::string> fragment(const std::string& header, const std::string& body,
                                  std::size_t chunk) {
  std::vector<std::string> out;
  for (std::size_t offset = 0; offset < body.size();) {
    std::string head =
        header + ",ncfrag=" + std::to_string(offset) + "/" + std::to_string(body.size()) + ";";
    std::size_t take = std::min(body.size() - offset, chunk - head.size());
    out.push_back(head + body.substr(offset, take));
    offset += take;
  }
  return out;
}

std::vector<NetconsoleRecord> feed_all(NetconsoleAssembler& assembler, const std::string& sender,
                                       const std::vector<std::string>& datagrams,
                                       Clock::time_point now = t0) {
  std::vector<NetconsoleRecord> out;
  for (const auto& d : datagrams) {
    auto records = assembler.feed(sender, d, now);
    out.insert(out.end(), records.begin(), records.end());
  }
  return out;
}

TEST(NetconsoleAssemblerTest, PlainLinesAcrossAndWithinDatagrams) {
  NetconsoleAssembler assembler;
  auto records = feed_all(assembler, "10.0.0.1:6665",
                          {"[    0.000000] Linux version 6.1\n[    0.000001] Command li",
                           "ne: root=/dev/vda\r\n", "\n", "[    0.5] tail"});
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].raw, "[    0.000000] Linux version 6.1");
  EXPECT_EQ(records[1].raw, "[    0.000001] Command line: root=/dev/vda");
  EXPECT_EQ(records[1].text, "Command line: root=/dev/vda");
  EXPECT_EQ(records[1].sender, "10.0.0.1:6665");
  EXPECT_FALSE(records[1].unterminated);

  // The partial "tail" is flushed after line_flush_after of silence, not before.
  EXPECT_TRUE(assembler.expire(t0 + milliseconds(1999)).empty());
  auto flushed = assembler.expire(t0 + milliseconds(2000));
  ASSERT_EQ(flushed.size(), 1u);
  EXPECT_EQ(flushed[0].raw, "[    0.5] tail");
  EXPECT_TRUE(flushed[0].unterminated);
  EXPECT_EQ(assembler.stats().lines_flushed, 1u);
}

TEST(NetconsoleAssemblerTest, SendersDoNotMixTheirPartialLines) {
  NetconsoleAssembler assembler;
  EXPECT_TRUE(assembler.feed("a:1", "alpha ", t0).empty());
  EXPECT_TRUE(assembler.feed("b:1", "beta ", t0).empty());
  auto a = assembler.feed("a:1", "one\n", t0);
  auto b = assembler.feed("b:1", "two\n", t0);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].raw, "alpha one");
  EXPECT_EQ(b[0].raw, "beta two");
}

TEST(NetconsoleAssemblerTest, OversizedPlainLineIsCutAtMaxLine) {
  NetconsoleAssembler::Limits limits;
  limits.max_line = 10;
  NetconsoleAssembler assembler(NetconsoleMode::kPlain, limits);
  auto records = assembler.feed("s", std::string(25, 'x') + "\n", t0);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].raw, std::string(10, 'x'));
  EXPECT_TRUE(records[0].unterminated);
  EXPECT_EQ(records[1].raw, std::string(10, 'x'));
  EXPECT_EQ(records[2].raw, std::string(5, 'x'));
  EXPECT_FALSE(records[2].unterminated);
  EXPECT_EQ(assembler.stats().lines_split, 2u);
}

TEST(NetconsoleAssemblerTest, ReassemblesKernelFragmentsInAnyOrder) {
  std::string body = "a long message \\x5c with an escape";
  for (int i = 0; i < 60; ++i) body += " word" + std::to_string(i);
  body += "\n SUBSYSTEM=pci\n DEVICE=+pci:0000:00:01.0\n";
  auto datagrams = fragment("6,77,123456,-", body, 100);
  ASSERT_GT(datagrams.size(), 4u);
  std::mt19937 rng(1);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(datagrams.begin(), datagrams.end(), rng);
    NetconsoleAssembler assembler;
    auto records = feed_all(assembler, "s", datagrams);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].seq, 77u);
    EXPECT_EQ(records[0].timestamp_us, 123456u);
    EXPECT_TRUE(records[0].text.starts_with("a long message \\ with an escape word0"));
    EXPECT_TRUE(records[0].text.ends_with("word59"));
    ASSERT_EQ(records[0].dict.size(), 2u);
    EXPECT_EQ(records[0].dict[1].second, "+pci:0000:00:01.0");
    EXPECT_EQ(assembler.open_records(), 0u);
  }
}

TEST(NetconsoleAssemblerTest, DuplicateAndOverlappingAgreeingFragmentsAreHarmless) {
  NetconsoleAssembler assembler;
  // Exact duplicate, then an overlapping piece that agrees byte for byte.
  auto records = feed_all(assembler, "s",
                          {"6,5,1,-,ncfrag=0/10;01234", "6,5,1,-,ncfrag=0/10;01234",
                           "6,5,1,-,ncfrag=3/10;34567", "6,5,1,-,ncfrag=8/10;89"});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].text, "0123456789");
  EXPECT_EQ(assembler.stats().fragments_duplicate, 1u);
  // A late duplicate of the completed record is ignored, not the start of a new one.
  EXPECT_TRUE(assembler.feed("s", "6,5,1,-,ncfrag=0/10;01234", t0).empty());
  EXPECT_EQ(assembler.open_records(), 0u);
  EXPECT_EQ(assembler.stats().fragments_duplicate, 2u);
}

TEST(NetconsoleAssemblerTest, ConflictingOverlapDropsTheRecord) {
  NetconsoleAssembler assembler;
  auto records = feed_all(
      assembler, "s",
      {"6,5,1,-,ncfrag=0/10;01234", "6,5,1,-,ncfrag=3/10;3X567", "6,5,1,-,ncfrag=5/10;56789"});
  // The conflict dropped the record; the last fragment starts a new one that never completes.
  EXPECT_TRUE(records.empty());
  EXPECT_EQ(assembler.stats().fragment_conflicts, 1u);
  EXPECT_EQ(assembler.open_records(), 1u);
  EXPECT_TRUE(assembler.expire(t0 + milliseconds(5001)).empty());
  EXPECT_EQ(assembler.open_records(), 0u);
  EXPECT_EQ(assembler.stats().fragments_expired, 1u);
}

TEST(NetconsoleAssemblerTest, BogusFragmentsAreCountedAndDropped) {
  NetconsoleAssembler assembler;
  feed_all(assembler, "s",
           {"6,5,1,-,ncfrag=8/10;too long for the rest",  // past the total
            "6,5,1,-,ncfrag=2/10;",                       // empty
            "6,5,1,-,ncfrag=0/10;01",                     // opens seq 5, total 10
            "6,5,1,-,ncfrag=2/12;23",                     // total changed
            "6,5,999,-,ncfrag=2/10;23",                   // header changed
            "6,6,1,-,ncfrag=0/100000;x"});                // over max_record
  EXPECT_EQ(assembler.stats().fragments_invalid, 4u);
  EXPECT_EQ(assembler.stats().fragments_over_limit, 1u);
  EXPECT_EQ(assembler.open_records(), 1u);
}

TEST(NetconsoleAssemblerTest, FragmentCountIsBounded) {
  NetconsoleAssembler::Limits limits;
  limits.max_fragments = 4;
  NetconsoleAssembler assembler(NetconsoleMode::kAuto, limits);
  std::vector<std::string> datagrams;
  for (int i = 0; i < 6; ++i) {
    datagrams.push_back("6,1,1,-,ncfrag=" + std::to_string(i) + "/6;" + std::string(1, 'a' + i));
  }
  EXPECT_TRUE(feed_all(assembler, "s", datagrams).empty());
  EXPECT_EQ(assembler.stats().fragments_over_limit, 1u);
}

TEST(NetconsoleAssemblerTest, OpenRecordsAreBoundedPerSenderAndOverall) {
  NetconsoleAssembler::Limits limits;
  limits.max_pending_per_sender = 3;
  limits.max_pending_total = 5;
  NetconsoleAssembler assembler(NetconsoleMode::kAuto, limits);
  for (int seq = 0; seq < 10; ++seq) {
    assembler.feed("a", "6," + std::to_string(seq) + ",1,-,ncfrag=0/9;x", t0 + milliseconds(seq));
  }
  EXPECT_EQ(assembler.open_records(), 3u);
  for (int seq = 0; seq < 3; ++seq) {
    assembler.feed("b", "6," + std::to_string(seq) + ",1,-,ncfrag=0/9;x", t0 + milliseconds(20));
    assembler.feed("c", "6," + std::to_string(seq) + ",1,-,ncfrag=0/9;x", t0 + milliseconds(30));
  }
  EXPECT_EQ(assembler.open_records(), 5u);
  // 7 of "a" for the per-sender bound; then, for the total, "a"'s three and "b"'s oldest.
  EXPECT_EQ(assembler.stats().fragments_evicted, 7u + 4u);
}

TEST(NetconsoleAssemblerTest, SendersAreBoundedLeastRecentFirst) {
  NetconsoleAssembler::Limits limits;
  limits.max_senders = 2;
  NetconsoleAssembler assembler(NetconsoleMode::kAuto, limits);
  assembler.feed("a", "partial from a", t0);
  assembler.feed("b", "partial from b", t0);
  assembler.feed("a", " more", t0);  // a is now the most recent
  auto records = assembler.feed("c", "from c\n", t0);
  // b was evicted and its partial line delivered, unterminated; then c's line.
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].sender, "b");
  EXPECT_EQ(records[0].raw, "partial from b");
  EXPECT_TRUE(records[0].unterminated);
  EXPECT_EQ(records[1].raw, "from c");
  EXPECT_EQ(assembler.senders(), 2u);
  EXPECT_EQ(assembler.stats().senders_evicted, 1u);
}

TEST(NetconsoleAssemblerTest, ModesDecideTheFormat) {
  NetconsoleAssembler plain(NetconsoleMode::kPlain);
  auto records = plain.feed("s", "6,1,2,-;looks extended\n", t0);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_FALSE(records[0].extended);
  EXPECT_EQ(records[0].raw, "6,1,2,-;looks extended");

  NetconsoleAssembler extended(NetconsoleMode::kExtended);
  EXPECT_TRUE(extended.feed("s", "[    1.000000] plain\n", t0).empty());
  EXPECT_EQ(extended.stats().malformed, 1u);
  records = extended.feed("s", "6,1,2,-;real\n", t0);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_TRUE(records[0].extended);
}

TEST(NetconsoleAssemblerTest, RandomGarbageNeverBreaksTheBounds) {
  NetconsoleAssembler::Limits limits;
  limits.max_line = 64;
  NetconsoleAssembler assembler(NetconsoleMode::kAuto, limits);
  std::mt19937 rng(42);
  const std::string alphabet = "0123456789,;-/=\\x\nncfrag abc";
  for (int i = 0; i < 20000; ++i) {
    std::string datagram;
    std::size_t length = rng() % 80;
    for (std::size_t j = 0; j < length; ++j) datagram.push_back(alphabet[rng() % alphabet.size()]);
    if (i % 3 == 0) datagram = "6," + std::to_string(rng() % 5) + ",1,-,ncfrag=" + datagram;
    for (const auto& record : assembler.feed("s" + std::to_string(rng() % 50), datagram, t0)) {
      EXPECT_LE(record.raw.size(), 64u);
    }
    EXPECT_LE(assembler.open_records(), limits.max_pending_total);
  }
  assembler.expire(t0 + std::chrono::seconds(10));
  EXPECT_EQ(assembler.open_records(), 0u);
}

}  // namespace
}  // namespace vmscope
