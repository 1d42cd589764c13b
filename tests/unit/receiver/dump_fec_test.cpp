#include "receiver/dump_fec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <numeric>
#include <random>
#include <string>

namespace vmscope::dumpwire {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

// protocol-spec/dump-wire-protocol.md §7, "Test vector".
TEST(DumpFecTest, SpecTestVector) {
  auto g3 = fec_generator(3, 2);
  EXPECT_EQ(g3, (std::vector<std::uint8_t>{0x01, 0x01, 0x01, 0x73, 0xd9, 0x59}));
  auto g4 = fec_generator(4, 4);
  EXPECT_EQ(g4, (std::vector<std::uint8_t>{0x01, 0x01, 0x01, 0x01, 0x73, 0xd9, 0x59, 0xc1, 0x9c,
                                           0xb1, 0xac, 0xe5, 0xe9, 0x5c, 0x97, 0x74}));
  std::vector<std::vector<std::byte>> symbols = {
      fec_symbol(MessageType::kPages, bytes({1, 2, 3}), 7),
      fec_symbol(MessageType::kPages, bytes({0xff}), 7),
      fec_symbol(MessageType::kPages, bytes({0x10, 0x20}), 7)};
  EXPECT_EQ(symbols[0], bytes({3, 0, 3, 0, 1, 2, 3}));
  EXPECT_EQ(symbols[1], bytes({3, 0, 1, 0, 0xff, 0, 0}));
  EXPECT_EQ(symbols[2], bytes({3, 0, 2, 0, 0x10, 0x20, 0}));
  auto parity = fec_encode(symbols, 2);
  ASSERT_EQ(parity.size(), 2u);
  EXPECT_EQ(parity[0], bytes({0x03, 0x00, 0x00, 0x00, 0xee, 0x22, 0x03}));
  EXPECT_EQ(parity[1], bytes({0x08, 0x00, 0xfe, 0x00, 0xc6, 0x09, 0x95}));
}

TEST(DumpFecTest, SymbolParsing) {
  auto symbol = fec_symbol(MessageType::kMeta, bytes({9, 8}), 10);
  auto content = parse_fec_symbol(symbol);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(content->type, MessageType::kMeta);
  EXPECT_EQ(std::vector<std::byte>(content->body.begin(), content->body.end()), bytes({9, 8}));
  symbol[9] = std::byte{1};  // non-zero padding
  EXPECT_FALSE(parse_fec_symbol(symbol).ok());
  EXPECT_FALSE(parse_fec_symbol(fec_symbol(MessageType::kEnd, bytes({1}), 5)).ok());
  auto long_length = fec_symbol(MessageType::kPages, bytes({1}), 5);
  long_length[2] = std::byte{3};
  EXPECT_FALSE(parse_fec_symbol(long_length).ok());
}

// A group of k random symbols, its m parities, and every way of losing up to m of the k + m.
void check_every_loss_pattern(unsigned k, unsigned m, std::mt19937& rng) {
  std::size_t length = 37;
  std::vector<std::vector<std::byte>> symbols(k, std::vector<std::byte>(length));
  for (auto& s : symbols) {
    for (auto& b : s) b = static_cast<std::byte>(rng());
  }
  auto parity = fec_encode(symbols, m);
  unsigned n = k + m;
  for (std::uint32_t lost = 0; lost < (1u << n); ++lost) {
    unsigned count = static_cast<unsigned>(std::popcount(lost));
    std::vector<std::optional<std::vector<std::byte>>> data(k), par(m);
    for (unsigned i = 0; i < k; ++i) {
      if (!(lost & (1u << i))) data[i] = symbols[i];
    }
    for (unsigned j = 0; j < m; ++j) {
      if (!(lost & (1u << (k + j)))) par[j] = parity[j];
    }
    Status s = fec_recover(data, par, length);
    unsigned data_lost = static_cast<unsigned>(std::popcount(lost & ((1u << k) - 1)));
    if (count <= m || data_lost == 0) {
      ASSERT_TRUE(s.ok()) << "k " << k << " m " << m << " lost mask " << lost;
      for (unsigned i = 0; i < k; ++i) ASSERT_EQ(*data[i], symbols[i]) << "mask " << lost;
    } else {
      ASSERT_FALSE(s.ok()) << "mask " << lost;
      EXPECT_EQ(s.error().code(), ErrorCode::kNotFound);
    }
  }
}

TEST(DumpFecTest, RecoversEveryPatternOfUpToMLosses) {
  std::mt19937 rng(1);
  check_every_loss_pattern(3, 2, rng);
  check_every_loss_pattern(8, 4, rng);
  check_every_loss_pattern(5, 1, rng);
  check_every_loss_pattern(1, 3, rng);
}

TEST(DumpFecTest, LargestGroupsRecoverRandomLossesOfM) {
  std::mt19937 rng(2);
  for (unsigned k : {64u, 32u, 17u}) {
    for (unsigned m : {16u, 2u}) {
      std::vector<std::vector<std::byte>> symbols(k, std::vector<std::byte>(1404));
      for (auto& s : symbols) {
        for (auto& b : s) b = static_cast<std::byte>(rng());
      }
      auto parity = fec_encode(symbols, m);
      for (int trial = 0; trial < 50; ++trial) {
        std::vector<unsigned> order(k + m);
        std::iota(order.begin(), order.end(), 0u);
        std::shuffle(order.begin(), order.end(), rng);
        std::vector<std::optional<std::vector<std::byte>>> data(k), par(m);
        for (unsigned i = 0; i < k; ++i) data[i] = symbols[i];
        for (unsigned j = 0; j < m; ++j) par[j] = parity[j];
        for (unsigned x = 0; x < m; ++x) {
          unsigned victim = order[x];
          if (victim < k)
            data[victim].reset();
          else
            par[victim - k].reset();
        }
        ASSERT_TRUE(fec_recover(data, par, 1404).ok()) << "k " << k << " m " << m;
        for (unsigned i = 0; i < k; ++i) ASSERT_EQ(*data[i], symbols[i]);
      }
    }
  }
}

TEST(DumpFecTest, InconsistentSizesAreRefused) {
  std::vector<std::optional<std::vector<std::byte>>> data(2), parity(1);
  data[0] = std::vector<std::byte>(5);
  parity[0] = std::vector<std::byte>(6);
  EXPECT_EQ(fec_recover(data, parity, 6).error().code(), ErrorCode::kInvalidArgument);
  data[0] = std::vector<std::byte>(6);
  parity[0] = std::vector<std::byte>(5);
  EXPECT_EQ(fec_recover(data, parity, 6).error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace vmscope::dumpwire
