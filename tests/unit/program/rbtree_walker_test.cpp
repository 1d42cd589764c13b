#include "program/rbtree_walker.h"

#include <gtest/gtest.h>

#include <map>

#include "synthetic_target.h"

namespace vmscope {
namespace {

constexpr std::uint64_t kRoot = 0x1000;
constexpr std::uint64_t kMember = 0x18;

// Node with key k lives in the entry at 0x100000 + 0x1000 * k; its rb_node at offset 0x18:
// __rb_parent_color at +0, rb_right at +8, rb_left at +16.
std::uint64_t entry(int key) {
  return 0x100000 + 0x1000 * static_cast<std::uint64_t>(key);
}
std::uint64_t node(int key) {
  return entry(key) + kMember;
}

class RbTreeWalkerTest : public ::testing::Test {
 protected:
  void set(int key, int left, int right, std::uint64_t parent, std::uint64_t color = 1) {
    target_.put(node(key), parent | color);
    target_.put(node(key) + 8, right ? node(right) : 0);
    target_.put(node(key) + 16, left ? node(left) : 0);
  }
  //         4
  //      2     6
  //     1 3   5 7
  void build_balanced() {
    target_.put(kRoot, node(4));
    set(4, 2, 6, 0);
    set(2, 1, 3, node(4), 0);
    set(6, 5, 7, node(4), 0);
    for (int k : {1, 3}) set(k, 0, 0, node(2));
    for (int k : {5, 7}) set(k, 0, 0, node(6));
  }
  WalkResult<std::uint64_t> walk(WalkOptions options = {}) {
    return walk_rbtree(target_.memory(), kRoot, layout_, options);
  }
  testing::SyntheticTarget target_;
  RbTreeLayout layout_{.entry_offset = kMember};
};

TEST_F(RbTreeWalkerTest, InOrder) {
  build_balanced();
  auto result = walk();
  ASSERT_TRUE(result.complete()) << result.error->to_string();
  std::vector<std::uint64_t> expected;
  for (int k = 1; k <= 7; ++k) expected.push_back(entry(k));
  EXPECT_EQ(result.entries, expected);
  target_.put<std::uint64_t>(kRoot, 0);
  auto empty = walk();
  EXPECT_TRUE(empty.complete());
  EXPECT_TRUE(empty.entries.empty());
}

TEST_F(RbTreeWalkerTest, LoopsAndWrongParents) {
  build_balanced();
  set(7, 0, 2, node(6));  // 7's right child is 2, an ancestor's child: a cycle
  layout_.check_parent = false;
  auto loop = walk();
  ASSERT_FALSE(loop.complete());
  EXPECT_EQ(loop.error->code(), ErrorCode::kLoopDetected);
  EXPECT_EQ(loop.error->payload().address, node(2));
  EXPECT_EQ(loop.entries.size(), 7u);  // everything up to 7, in order
  layout_.check_parent = true;
  auto corrupt = walk();
  EXPECT_EQ(corrupt.error->code(), ErrorCode::kLoopDetected);  // the revisit is seen first
  build_balanced();
  set(3, 0, 0, node(6));  // 3 claims the wrong parent
  auto wrong = walk();
  ASSERT_FALSE(wrong.complete());
  EXPECT_EQ(wrong.error->code(), ErrorCode::kCorrupt);
  EXPECT_EQ(wrong.error->payload().address, node(3));
  EXPECT_EQ(wrong.entries, (std::vector<std::uint64_t>{entry(1), entry(2)}));
}

TEST_F(RbTreeWalkerTest, ImpossibleDepthIsCorruption) {
  // A chain of 200 left children: consistent links, but no red-black tree is that deep.
  target_.put(kRoot, node(1));
  for (int k = 1; k <= 200; ++k) set(k, k < 200 ? k + 1 : 0, 0, k == 1 ? 0 : node(k - 1));
  auto result = walk();
  ASSERT_FALSE(result.complete());
  EXPECT_EQ(result.error->code(), ErrorCode::kCorrupt);
  EXPECT_TRUE(result.entries.empty());
}

TEST_F(RbTreeWalkerTest, UnreadableNodesStopTheWalk) {
  build_balanced();
  target_.physical().exclude_page(node(6));
  auto excluded = walk();
  ASSERT_FALSE(excluded.complete());
  EXPECT_EQ(excluded.error->code(), ErrorCode::kPageExcluded);
  EXPECT_EQ(excluded.entries.size(), 4u);  // 1 2 3 4
}

TEST_F(RbTreeWalkerTest, BoundedAndCancellable) {
  build_balanced();
  auto limited = walk({.max_entries = 3});
  ASSERT_FALSE(limited.complete());
  EXPECT_EQ(limited.error->code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(limited.entries, (std::vector<std::uint64_t>{entry(1), entry(2), entry(3)}));
  CancellationSource source;
  source.cancel();
  EXPECT_EQ(walk({.cancel = source.token()}).error->code(), ErrorCode::kCancelled);
}

}  // namespace
}  // namespace vmscope
