#include "program/list_walker.h"

#include <gtest/gtest.h>

#include "program/standard_types.h"
#include "synthetic_target.h"

namespace vmscope {
namespace {

// Entries are structs at 0x10000 + 0x1000 * i (a page each) with their list_head at offset
// 0x10; the head is at 0x1000.
constexpr std::uint64_t kHead = 0x1000;
constexpr std::uint64_t kMember = 0x10;

std::uint64_t entry(int i) {
  return 0x10000 + 0x1000 * static_cast<std::uint64_t>(i);
}
std::uint64_t node(int i) {
  return entry(i) + kMember;
}

class ListWalkerTest : public ::testing::Test {
 protected:
  // A well-formed ring head -> node(0) -> ... -> node(n - 1) -> head.
  void build(int n) {
    std::vector<std::uint64_t> ring = {kHead};
    for (int i = 0; i < n; ++i) ring.push_back(node(i));
    for (std::size_t i = 0; i < ring.size(); ++i) {
      link(ring[i], ring[(i + 1) % ring.size()]);
    }
  }
  void link(std::uint64_t from, std::uint64_t to) {
    target_.put(from, to);      // from->next
    target_.put(to + 8, from);  // to->prev
  }
  WalkResult<std::uint64_t> walk(WalkOptions options = {}) {
    return walk_list(target_.memory(), kHead, layout_, options);
  }

  testing::SyntheticTarget target_;
  ListLayout layout_{.next_offset = 0, .prev_offset = 8, .entry_offset = kMember};
};

TEST_F(ListWalkerTest, WalksTheRingInOrderAsContainers) {
  build(5);
  auto result = walk();
  ASSERT_TRUE(result.complete()) << result.error->to_string();
  EXPECT_EQ(result.entries,
            (std::vector<std::uint64_t>{entry(0), entry(1), entry(2), entry(3), entry(4)}));
}

TEST_F(ListWalkerTest, AnEmptyListHasNoEntries) {
  build(0);
  auto result = walk();
  EXPECT_TRUE(result.complete());
  EXPECT_TRUE(result.entries.empty());
}

TEST_F(ListWalkerTest, ALoopIsDetectedWithThePartialResult) {
  build(4);
  // node(3)->next goes back to node(1) instead of the head; every prev still looks right up to
  // there, so only the revisit gives it away.
  target_.put<std::uint64_t>(node(3), node(1));
  auto result = walk();
  ASSERT_FALSE(result.complete());
  EXPECT_EQ(result.error->code(), ErrorCode::kLoopDetected);
  EXPECT_EQ(result.error->payload().address, node(1));
  EXPECT_EQ(result.entries, (std::vector<std::uint64_t>{entry(0), entry(1), entry(2), entry(3)}));
  // Without the prev check the same loop is caught the same way.
  layout_.check_prev = false;
  auto unchecked = walk();
  EXPECT_EQ(unchecked.error->code(), ErrorCode::kLoopDetected);
  EXPECT_EQ(unchecked.entries.size(), 4u);
}

TEST_F(ListWalkerTest, AWrongPrevIsCorruption) {
  build(3);
  target_.put<std::uint64_t>(node(2) + 8, node(0));  // node(2)->prev should be node(1)
  auto result = walk();
  ASSERT_FALSE(result.complete());
  EXPECT_EQ(result.error->code(), ErrorCode::kCorrupt);
  EXPECT_EQ(result.error->payload().address, node(2));
  EXPECT_EQ(result.entries, (std::vector<std::uint64_t>{entry(0), entry(1)}));
}

TEST_F(ListWalkerTest, GarbageAndUnreadablePagesStopWithTheirAddress) {
  build(3);
  target_.put<std::uint64_t>(node(1), 0xdead000000000100);  // LIST_POISON1
  auto poisoned = walk();
  ASSERT_FALSE(poisoned.complete());
  EXPECT_EQ(poisoned.error->code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(poisoned.error->payload().address, 0xdead000000000100u);
  EXPECT_EQ(poisoned.entries, (std::vector<std::uint64_t>{entry(0), entry(1)}));

  build(3);
  target_.physical().exclude_page(node(2));
  auto excluded = walk();
  ASSERT_FALSE(excluded.complete());
  EXPECT_EQ(excluded.error->code(), ErrorCode::kPageExcluded);
  EXPECT_EQ(excluded.error->payload().address, node(2));
  EXPECT_EQ(excluded.entries.size(), 2u);
}

TEST_F(ListWalkerTest, ANullNextBreaksTheList) {
  build(3);
  target_.put<std::uint64_t>(node(1), 0);
  layout_.check_prev = false;
  auto result = walk();
  ASSERT_FALSE(result.complete());
  EXPECT_EQ(result.error->code(), ErrorCode::kCorrupt);
  EXPECT_EQ(result.entries.size(), 2u);
}

TEST_F(ListWalkerTest, BoundedAndCancellable) {
  build(10);
  auto limited = walk({.max_entries = 4});
  ASSERT_FALSE(limited.complete());
  EXPECT_EQ(limited.error->code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(limited.entries.size(), 4u);
  CancellationSource source;
  source.cancel();
  auto cancelled = walk({.cancel = source.token()});
  ASSERT_FALSE(cancelled.complete());
  EXPECT_EQ(cancelled.error->code(), ErrorCode::kCancelled);
}

TEST_F(ListWalkerTest, AnUnreadableHeadGivesNoEntries) {
  auto result = walk_list(target_.memory(), 0x7000000, layout_);
  ASSERT_FALSE(result.complete());
  EXPECT_EQ(result.error->code(), ErrorCode::kAddressNotMapped);
  EXPECT_TRUE(result.entries.empty());
}

TEST(ListLayoutTest, OffsetsComeFromTheTypes) {
  auto structs = testing::LazyStructs::create();
  structs->define(0, [](const testing::LazyStructs& s) {
    auto self = pointer_to({s.make(debuginfo::TypeKind::kStruct, "list_head", 16, 0), 0});
    return std::vector<debuginfo::Member>{{"next", self, 0, 0}, {"prev", self, 64, 0}};
  });
  auto list_head = structs->make(debuginfo::TypeKind::kStruct, "list_head", 16, 0);
  testing::TableLookup names;
  names.types["struct list_head"] = {list_head, 0};
  names.types["struct task"] = {
      debuginfo::Type::make_compound(
          debuginfo::TypeKind::kStruct, "task", 40,
          {{"pid", {standard_types().long_type, 0}, 0, 0}, {"tasks", {list_head, 0}, 192, 0}}),
      0};
  auto layout = list_layout(names, "struct task", "tasks");
  ASSERT_TRUE(layout.ok()) << layout.error().to_string();
  EXPECT_EQ(layout->next_offset, 0u);
  EXPECT_EQ(layout->prev_offset, 8u);
  EXPECT_EQ(layout->entry_offset, 24u);
  EXPECT_EQ(list_layout(names, "struct task", "nope").error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace vmscope
