#include "program/maple_tree_walker.h"

#include <gtest/gtest.h>

#include "synthetic_target.h"

namespace vmscope {
namespace {

constexpr std::uint64_t kTree = 0x1000;
constexpr std::uint64_t kRootNode = 0x100000;
constexpr std::uint64_t kLeafA = 0x200000;
constexpr std::uint64_t kLeafB = 0x300000;
constexpr std::uint64_t kVmaA = 0xffff888000010000;
constexpr std::uint64_t kVmaB = 0xffff888000020000;

// enodes: node | type << 3 | flags (2 marks the root, 4 is MAPLE_ENODE_NULL).
std::uint64_t enode(std::uint64_t node, std::uint64_t type, std::uint64_t flags = 4) {
  return node | type << 3 | flags;
}

// struct maple_node as 6.1 lays it out: parent at 0, then dense slot[31] at 8; maple_range_64
// pivot[15] at 8 and slot[16] at 128; maple_arange_64 pivot[9] at 8, slot[10] at 80.
class MapleTreeWalkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    layout_.dense = {0, 0, 8, 31};
    layout_.range64 = {8, 15, 128, 16};
    layout_.arange64 = {8, 9, 80, 10};
    for (std::uint64_t n : {kRootNode, kLeafA, kLeafB}) {
      for (std::uint64_t i = 0; i < 256; i += 8) target_.put<std::uint64_t>(n + i, 0);
    }
  }
  void pivots(std::uint64_t node, const MapleNodeLayout& shape, std::vector<std::uint64_t> values) {
    for (std::size_t i = 0; i < values.size(); ++i)
      target_.put(node + shape.pivots_offset + 8 * i, values[i]);
  }
  void slots(std::uint64_t node, const MapleNodeLayout& shape, std::vector<std::uint64_t> values) {
    for (std::size_t i = 0; i < values.size(); ++i)
      target_.put(node + shape.slots_offset + 8 * i, values[i]);
  }
  // An arange_64 root over two leaf_64 nodes, like an mm's VMA tree.
  void build() {
    target_.put(kTree + 8, enode(kRootNode, 3, 2));
    pivots(kRootNode, layout_.arange64, {0x7fff, ~0ull});
    slots(kRootNode, layout_.arange64, {enode(kLeafA, 1), enode(kLeafB, 1)});
    pivots(kLeafA, layout_.range64, {0x0fff, 0x1fff, 0x7fff});
    slots(kLeafA, layout_.range64, {0, kVmaA, 0});
    pivots(kLeafB, layout_.range64, {0x8fff, 0});
    slots(kLeafB, layout_.range64, {kVmaB, 0});
  }
  WalkResult<MapleEntry> walk(WalkOptions options = {}) {
    return walk_maple_tree(target_.memory(), kTree, layout_, options);
  }
  testing::SyntheticTarget target_;
  MapleTreeLayout layout_;
};

TEST_F(MapleTreeWalkerTest, RangesInIndexOrder) {
  build();
  auto result = walk();
  ASSERT_TRUE(result.complete()) << result.error->to_string();
  EXPECT_EQ(result.entries,
            (std::vector<MapleEntry>{{0x1000, 0x1fff, kVmaA}, {0x8000, 0x8fff, kVmaB}}));
}

TEST_F(MapleTreeWalkerTest, DenseNodesAndSingleEntryRoots) {
  target_.put(kTree + 8, enode(kRootNode, 0, 2));
  slots(kRootNode, layout_.dense, {0, kVmaA, 0, kVmaB});
  auto dense = walk();
  ASSERT_TRUE(dense.complete()) << dense.error->to_string();
  EXPECT_EQ(dense.entries, (std::vector<MapleEntry>{{1, 1, kVmaA}, {3, 3, kVmaB}}));
  target_.put(kTree + 8, kVmaA);
  EXPECT_EQ(walk().entries, (std::vector<MapleEntry>{{0, 0, kVmaA}}));
  target_.put<std::uint64_t>(kTree + 8, 0);
  EXPECT_TRUE(walk().entries.empty());
}

TEST_F(MapleTreeWalkerTest, CorruptNodesStopTheWalk) {
  build();
  pivots(kLeafB, layout_.range64, {0x7000});  // below the node's minimum 0x8000
  auto range = walk();
  ASSERT_FALSE(range.complete());
  EXPECT_EQ(range.error->code(), ErrorCode::kCorrupt);
  EXPECT_EQ(range.error->payload().address, kLeafB);
  EXPECT_EQ(range.entries.size(), 1u);

  build();
  slots(kRootNode, layout_.arange64, {enode(kLeafA, 1), enode(kLeafB, 9)});
  auto type = walk();
  EXPECT_EQ(type.error->code(), ErrorCode::kCorrupt);
  EXPECT_EQ(type.entries.size(), 1u);

  build();
  slots(kRootNode, layout_.arange64, {enode(kLeafA, 1), enode(kRootNode, 3)});
  auto loop = walk();
  EXPECT_EQ(loop.error->code(), ErrorCode::kLoopDetected);
  EXPECT_EQ(loop.error->payload().address, kRootNode);

  build();
  slots(kRootNode, layout_.arange64, {enode(kLeafA, 1), enode(0x7f0000000000, 1)});
  auto unreadable = walk();
  EXPECT_EQ(unreadable.error->code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(unreadable.entries.size(), 1u);
}

TEST_F(MapleTreeWalkerTest, BoundedAndCancellable) {
  build();
  auto limited = walk({.max_entries = 1});
  EXPECT_EQ(limited.error->code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(limited.entries.size(), 1u);
  CancellationSource source;
  source.cancel();
  EXPECT_EQ(walk({.cancel = source.token()}).error->code(), ErrorCode::kCancelled);
}

}  // namespace
}  // namespace vmscope
