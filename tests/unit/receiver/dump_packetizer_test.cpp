#include "receiver/dump_packetizer.h"

#include <gtest/gtest.h>

#include <map>

#include "receiver/dump_fec.h"
#include "receiver/le_bytes.h"

namespace vmscope::dumpwire {
namespace {

struct Sent {
  MessageType type;
  std::vector<std::byte> body;
  std::vector<PfnRange> pfns;
};

SessionStart start_for(std::size_t blob, unsigned k, unsigned m) {
  SessionStart s;
  s.max_pfn = 10000;
  s.max_datagram = 1452;
  s.fec_k = static_cast<std::uint8_t>(k);
  s.fec_m = static_cast<std::uint8_t>(m);
  s.meta_length = static_cast<std::uint32_t>(blob);
  s.meta_chunk = choose_meta_chunk(s);
  return s;
}

std::vector<Sent> run(unsigned k, unsigned m, int pages) {
  std::vector<std::byte> blob(3000, std::byte{9});
  std::vector<Sent> sent;
  DumpPacketizer p(start_for(blob.size(), k, m), blob,
                   [&](MessageType t, std::span<const std::byte> b, std::span<const PfnRange> r) {
                     sent.push_back({t, {b.begin(), b.end()}, {r.begin(), r.end()}});
                   });
  p.begin();
  std::vector<std::byte> small(300, std::byte{1}), raw(4096, std::byte{2});
  for (int i = 0; i < pages; ++i) {
    p.add_page(2 * i, PageCompression::kZstd, small);
    p.add_page(2 * i + 1, PageCompression::kNone, raw);  // chunked: 4096 > one packet
  }
  p.add_run(RecordKind::kZeroRun, 5000, 100);
  p.add_run(RecordKind::kUnavailableRun, 5100, 1);
  p.finish(EndStatus::kComplete, {});
  return sent;
}

TEST(DumpPacketizerTest, OrderAndCountsFollowTheSpec) {
  auto sent = run(0, 0, 20);
  ASSERT_GE(sent.size(), 10u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sent[i].type, MessageType::kSessionStart);
  EXPECT_EQ(sent[3].type, MessageType::kMeta);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sent[sent.size() - 1 - i].type, MessageType::kEnd);
  auto end = decode_end(sent.back().body);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->pages_sent, 40u);
  EXPECT_EQ(end->zero_pages, 100u);
  EXPECT_EQ(end->unavailable, 1u);
  EXPECT_EQ(end->payload_bytes, 20u * (300 + 4096));
  // Data indices are 0, 1, 2, … across META and PAGES; every body decodes; every page's
  // chunks reassemble to its stored size; no body exceeds the datagram budget.
  SessionStart s = start_for(3000, 0, 0);
  std::uint64_t next = 0, meta_chunks = 0;
  std::map<std::uint64_t, std::size_t> page_bytes;
  for (const Sent& x : sent) {
    if (x.type != MessageType::kMeta && x.type != MessageType::kPages) continue;
    EXPECT_LE(x.body.size(), max_data_body(s));
    EXPECT_EQ(le::load<std::uint64_t>(x.body.data()), next++);
    if (x.type == MessageType::kMeta) {
      ASSERT_TRUE(decode_meta_chunk(x.body, s).ok());
      ++meta_chunks;
      continue;
    }
    auto pages = decode_pages(x.body, s);
    ASSERT_TRUE(pages.ok()) << pages.error().to_string();
    for (const auto& r : pages->records) {
      if (r.kind == RecordKind::kPage) page_bytes[r.pfn] += r.payload.size();
    }
  }
  EXPECT_EQ(meta_chunks, 2 * s.meta_chunks());  // the blob is sent twice
  EXPECT_EQ(end->data_packets, next);
  ASSERT_EQ(page_bytes.size(), 40u);
  for (const auto& [pfn, bytes] : page_bytes) EXPECT_EQ(bytes, pfn % 2 ? 4096u : 300u) << pfn;
}

TEST(DumpPacketizerTest, ParityFollowsEachGroupAndMatchesItsSymbols) {
  const unsigned k = 8, m = 3;
  auto sent = run(k, m, 50);
  SessionStart s = start_for(3000, k, m);
  std::vector<std::vector<std::byte>> group;
  std::uint64_t groups = 0;
  for (const Sent& x : sent) {
    if (x.type == MessageType::kMeta || x.type == MessageType::kPages) {
      group.push_back(fec_symbol(x.type, x.body, 0));
    } else if (x.type == MessageType::kParity) {
      auto parity = decode_parity(x.body, s);
      ASSERT_TRUE(parity.ok());
      ASSERT_EQ(parity->group_size, group.size());
      for (auto& g : group) g.resize(parity->symbol_length, std::byte{0});
      auto expected = fec_encode(group, m);
      EXPECT_TRUE(std::equal(parity->parity.begin(), parity->parity.end(),
                             expected[parity->parity_index].begin()));
      if (parity->parity_index == m - 1) {
        EXPECT_EQ(parity->group, groups++);
        group.clear();
      }
    }
  }
  EXPECT_TRUE(group.empty());  // the last partial group got its parity too
  EXPECT_GT(groups, 5u);
}

TEST(DumpPacketizerTest, SessionStartRepeatsEvery1024DataPackets) {
  auto sent = run(0, 0, 800);  // ~2400 data packets
  std::uint64_t data = 0, starts = 0;
  for (const Sent& x : sent) {
    if (x.type == MessageType::kMeta || x.type == MessageType::kPages) ++data;
    if (x.type == MessageType::kSessionStart) {
      ++starts;
      if (starts > 3) {
        EXPECT_EQ(data % 1024, 0u);
      }
    }
  }
  EXPECT_EQ(starts, 3 + data / 1024);
}

}  // namespace
}  // namespace vmscope::dumpwire
