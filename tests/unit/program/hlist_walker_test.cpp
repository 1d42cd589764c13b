#include "program/hlist_walker.h"

#include <gtest/gtest.h>

#include "synthetic_target.h"

namespace vmscope {
namespace {

constexpr std::uint64_t kHead = 0x1000;
constexpr std::uint64_t kMember = 0x20;

std::uint64_t entry(int i) {
  return 0x10000 + 0x1000 * static_cast<std::uint64_t>(i);
}
std::uint64_t node(int i) {
  return entry(i) + kMember;
}

class HlistWalkerTest : public ::testing::Test {
 protected:
  // head -> node(0) -> ... -> node(n - 1) -> NULL, pprev pointing back at each link.
  void build(int n) {
    std::uint64_t link = kHead;
    target_.put<std::uint64_t>(kHead, 0);
    for (int i = 0; i < n; ++i) {
      target_.put(link, node(i));
      target_.put(node(i) + 8, link);
      target_.put<std::uint64_t>(node(i), 0);
      link = node(i);
    }
  }
  WalkResult<std::uint64_t> walk(WalkOptions options = {}) {
    return walk_hlist(target_.memory(), kHead, layout_, options);
  }
  testing::SyntheticTarget target_;
  HlistLayout layout_{.entry_offset = kMember};
};

TEST_F(HlistWalkerTest, WalksToNull) {
  build(4);
  auto result = walk();
  ASSERT_TRUE(result.complete()) << result.error->to_string();
  EXPECT_EQ(result.entries, (std::vector<std::uint64_t>{entry(0), entry(1), entry(2), entry(3)}));
  build(0);
  EXPECT_TRUE(walk().entries.empty());
}

TEST_F(HlistWalkerTest, LoopsAndBrokenBackLinks) {
  build(3);
  target_.put<std::uint64_t>(node(2), node(0));  // back to the start
  auto loop = walk();
  ASSERT_FALSE(loop.complete());
  EXPECT_EQ(loop.error->code(), ErrorCode::kLoopDetected);
  EXPECT_EQ(loop.error->payload().address, node(0));
  EXPECT_EQ(loop.entries.size(), 3u);

  build(3);
  target_.put<std::uint64_t>(node(1) + 8, kHead);  // pprev should be &node(0)->next
  auto corrupt = walk();
  ASSERT_FALSE(corrupt.complete());
  EXPECT_EQ(corrupt.error->code(), ErrorCode::kCorrupt);
  EXPECT_EQ(corrupt.error->payload().address, node(1));
  EXPECT_EQ(corrupt.entries, (std::vector<std::uint64_t>{entry(0)}));
  layout_.check_pprev = false;
  EXPECT_TRUE(walk().complete());
}

TEST_F(HlistWalkerTest, UnreadableNodesAndBounds) {
  build(3);
  target_.put<std::uint64_t>(node(1), 0x7f0000000000);  // nothing there
  auto garbage = walk();
  ASSERT_FALSE(garbage.complete());
  EXPECT_EQ(garbage.error->code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(garbage.error->payload().address, 0x7f0000000000u);
  EXPECT_EQ(garbage.entries.size(), 2u);
  build(5);
  auto limited = walk({.max_entries = 2});
  EXPECT_EQ(limited.error->code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(limited.entries.size(), 2u);
  CancellationSource source;
  source.cancel();
  EXPECT_EQ(walk({.cancel = source.token()}).error->code(), ErrorCode::kCancelled);
}

}  // namespace
}  // namespace vmscope
