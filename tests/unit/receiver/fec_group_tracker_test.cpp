#include "receiver/fec_group_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "receiver/dump_fec.h"

namespace vmscope::dumpwire {
namespace {

struct Stream {
  std::vector<std::vector<std::byte>> bodies;                           // by data index
  std::map<std::uint64_t, std::vector<std::vector<std::byte>>> parity;  // by group
  std::map<std::uint64_t, std::uint16_t> symbol_length;
  std::map<std::uint64_t, std::uint8_t> group_size;
};

// `count` data packets of random lengths in groups of k, with m parities each.
Stream make_stream(std::uint64_t count, unsigned k, unsigned m, std::mt19937& rng) {
  Stream s;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::vector<std::byte> body(1 + rng() % 300);
    for (auto& b : body) b = static_cast<std::byte>(rng());
    s.bodies.push_back(std::move(body));
  }
  for (std::uint64_t first = 0; first < count; first += k) {
    std::uint64_t end = std::min<std::uint64_t>(first + k, count);
    std::size_t length = 0;
    for (std::uint64_t i = first; i < end; ++i) length = std::max(length, 4 + s.bodies[i].size());
    std::vector<std::vector<std::byte>> symbols;
    for (std::uint64_t i = first; i < end; ++i) {
      symbols.push_back(fec_symbol(MessageType::kPages, s.bodies[i], length));
    }
    s.parity[first / k] = fec_encode(symbols, m);
    s.symbol_length[first / k] = static_cast<std::uint16_t>(length);
    s.group_size[first / k] = static_cast<std::uint8_t>(end - first);
  }
  return s;
}

ParityMessage parity_of(const Stream& s, std::uint64_t group, unsigned j) {
  return {group, static_cast<std::uint8_t>(j), s.group_size.at(group), s.symbol_length.at(group),
          s.parity.at(group)[j]};
}

TEST(FecGroupTrackerTest, RecoversGroupsWithAtMostMLossesAndReportsTheOthers) {
  std::mt19937 rng(3);
  const unsigned k = 8, m = 2;
  Stream s = make_stream(8 * 20 + 5, k, m, rng);  // 20 full groups and a last group of 5
  std::uint64_t groups = 21;
  // Group g loses g % 4 data packets: 0, 1, 2 are recoverable, 3 is not (with both parities).
  std::vector<RecoveredPacket> recovered;
  std::map<std::uint64_t, std::vector<std::byte>> got;
  FecGroupTracker tracker(k, m, 1000);
  for (std::uint64_t g = 0; g < groups; ++g) {
    unsigned size = s.group_size[g];
    unsigned lose = std::min<unsigned>(g % 4, size);
    for (unsigned i = 0; i < size; ++i) {
      std::uint64_t index = g * k + i;
      if (i < lose) continue;  // the first `lose` packets of the group never arrive
      ASSERT_EQ(tracker.add_data(index, MessageType::kPages, s.bodies[index], recovered),
                FecGroupTracker::Arrival::kNew);
      got[index] = s.bodies[index];
    }
    for (unsigned j = 0; j < m; ++j) tracker.add_parity(parity_of(s, g, j), recovered);
  }
  for (const auto& r : recovered) {
    EXPECT_EQ(r.type, MessageType::kPages);
    EXPECT_FALSE(got.count(r.data_index)) << "recovered a packet that had arrived";
    got[r.data_index] = r.body;
  }
  std::uint64_t lost = 0, lost_groups = 0;
  for (std::uint64_t g = 0; g < groups; ++g) {
    if (g % 4 == 3) {
      lost += 3;
      ++lost_groups;
    }
  }
  EXPECT_EQ(tracker.missing_below(s.bodies.size()), lost);
  EXPECT_EQ(tracker.groups_missing_below(s.bodies.size()), lost_groups);
  for (std::uint64_t i = 0; i < s.bodies.size(); ++i) {
    if (tracker.has(i)) {
      ASSERT_TRUE(got.count(i)) << i;
      EXPECT_EQ(got[i], s.bodies[i]) << "data index " << i;
    }
  }
  EXPECT_EQ(tracker.stats().recovered_packets, recovered.size());
  EXPECT_GT(tracker.stats().groups_recovered, 0u);
  // Unrecoverable groups stay open (waiting for more); whole and recovered ones are freed.
  EXPECT_EQ(tracker.open_groups(), lost_groups);
}

TEST(FecGroupTrackerTest, ParityFirstReorderingAndDuplicates) {
  std::mt19937 rng(4);
  const unsigned k = 4, m = 2;
  Stream s = make_stream(4, k, m, rng);
  FecGroupTracker tracker(k, m, 100);
  std::vector<RecoveredPacket> recovered;
  tracker.add_parity(parity_of(s, 0, 1), recovered);
  tracker.add_parity(parity_of(s, 0, 1), recovered);  // a duplicate parity changes nothing
  EXPECT_TRUE(recovered.empty());
  tracker.add_data(3, MessageType::kPages, s.bodies[3], recovered);
  tracker.add_data(1, MessageType::kPages, s.bodies[1], recovered);
  EXPECT_TRUE(recovered.empty());
  tracker.add_data(0, MessageType::kPages, s.bodies[0], recovered);  // 3 data + 1 parity = k
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0].data_index, 2u);
  EXPECT_EQ(recovered[0].body, s.bodies[2]);
  // The real packet 2 arriving late is a duplicate; parity of a whole group is ignored.
  EXPECT_EQ(tracker.add_data(2, MessageType::kPages, s.bodies[2], recovered),
            FecGroupTracker::Arrival::kDuplicate);
  tracker.add_parity(parity_of(s, 0, 0), recovered);
  EXPECT_EQ(tracker.stats().parity_ignored, 1u);
  EXPECT_EQ(tracker.open_groups(), 0u);
  EXPECT_EQ(tracker.add_data(100, MessageType::kPages, s.bodies[0], recovered),
            FecGroupTracker::Arrival::kOutOfRange);
}

TEST(FecGroupTrackerTest, BoundsGiveUpTheOldestGroups) {
  std::mt19937 rng(5);
  const unsigned k = 4, m = 1;
  Stream s = make_stream(4 * 10, k, m, rng);
  FecGroupTracker tracker(k, m, 1000, {.max_open_groups = 3, .max_held_bytes = 1 << 20});
  std::vector<RecoveredPacket> recovered;
  // Every group misses packet 0, and parity arrives only at the end.
  for (std::uint64_t i = 0; i < s.bodies.size(); ++i) {
    if (i % k != 0) tracker.add_data(i, MessageType::kPages, s.bodies[i], recovered);
  }
  EXPECT_EQ(tracker.open_groups(), 3u);
  EXPECT_EQ(tracker.stats().groups_given_up, 7u);
  for (std::uint64_t g = 0; g < 10; ++g) tracker.add_parity(parity_of(s, g, 0), recovered);
  EXPECT_EQ(recovered.size(), 3u);  // only the three groups still held
  EXPECT_EQ(tracker.stats().parity_ignored, 7u);
  EXPECT_EQ(tracker.missing_below(s.bodies.size()), 7u);
  EXPECT_EQ(tracker.held_bytes(), 0u);
}

TEST(FecGroupTrackerTest, WithoutFecOnlyArrivalsAreTracked) {
  FecGroupTracker tracker(0, 0, 10);
  std::vector<RecoveredPacket> recovered;
  std::vector<std::byte> body(5);
  EXPECT_EQ(tracker.add_data(3, MessageType::kMeta, body, recovered),
            FecGroupTracker::Arrival::kNew);
  EXPECT_EQ(tracker.add_data(3, MessageType::kMeta, body, recovered),
            FecGroupTracker::Arrival::kDuplicate);
  EXPECT_EQ(tracker.missing_below(5), 4u);
  EXPECT_EQ(tracker.open_groups(), 0u);
}

}  // namespace
}  // namespace vmscope::dumpwire
