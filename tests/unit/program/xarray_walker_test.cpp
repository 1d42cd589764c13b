#include "program/xarray_walker.h"

#include <gtest/gtest.h>

#include "program/standard_types.h"
#include "synthetic_target.h"

namespace vmscope {
namespace {

constexpr std::uint64_t kRoot = 0x1000;
constexpr std::uint64_t kTop = 0x20000;
constexpr std::uint64_t kLeaf = 0x30000;
constexpr std::uint64_t kPointerA = 0xffff888000001000;
constexpr std::uint64_t kPointerB = 0xffff888000002000;

// Nodes as both encodings lay them out: shift at +0, slots[64] at +40.
class XarrayWalkerTest : public ::testing::Test {
 protected:
  void node(std::uint64_t at, std::uint8_t shift) {
    target_.put(at, shift);
    for (int i = 0; i < 64; ++i) target_.put<std::uint64_t>(slot(at, i), 0);
  }
  static std::uint64_t slot(std::uint64_t node, int i) {
    return node + 40 + 8 * static_cast<std::uint64_t>(i);
  }
  WalkResult<XarrayEntry> walk(WalkOptions options = {}) {
    return walk_xarray(target_.memory(), kRoot, layout_, options);
  }
  testing::SyntheticTarget target_;
  XarrayLayout layout_;
};

TEST_F(XarrayWalkerTest, XarrayEntriesInIndexOrder) {
  node(kTop, 6);
  node(kLeaf, 0);
  target_.put(kRoot + 8, kTop | 2);
  target_.put(slot(kTop, 0), kLeaf | 2);
  target_.put(slot(kTop, 2), kPointerA);                    // a multi-index entry: 128..191
  target_.put<std::uint64_t>(slot(kTop, 3), (2 << 2) | 2);  // its sibling
  target_.put(slot(kLeaf, 1), kPointerB);
  target_.put<std::uint64_t>(slot(kLeaf, 5), (7 << 1) | 1);    // xa_mk_value(7)
  target_.put<std::uint64_t>(slot(kLeaf, 6), (256 << 2) | 2);  // XA_RETRY_ENTRY
  target_.put<std::uint64_t>(slot(kLeaf, 7), (257 << 2) | 2);  // XA_ZERO_ENTRY
  auto result = walk();
  ASSERT_TRUE(result.complete()) << result.error->to_string();
  EXPECT_EQ(result.entries, (std::vector<XarrayEntry>{{1, kPointerB}, {5, 15}, {128, kPointerA}}));
}

TEST_F(XarrayWalkerTest, EmptyAndSingleEntryRoots) {
  target_.put<std::uint64_t>(kRoot + 8, 0);
  auto empty = walk();
  EXPECT_TRUE(empty.complete());
  EXPECT_TRUE(empty.entries.empty());
  target_.put(kRoot + 8, kPointerA);
  auto single = walk();
  EXPECT_EQ(single.entries, (std::vector<XarrayEntry>{{0, kPointerA}}));
}

TEST_F(XarrayWalkerTest, RadixTreeEncoding) {
  layout_.encoding = XarrayEncoding::kRadixTree;
  node(kTop, 6);
  node(kLeaf, 0);
  target_.put(kRoot + 8, kTop | 1);
  target_.put(slot(kTop, 1), kLeaf | 1);  // indexes 64..127
  target_.put(slot(kLeaf, 3), kPointerA);
  target_.put(slot(kLeaf, 4), slot(kLeaf, 3) | 1);           // a sibling of slot 3
  target_.put<std::uint64_t>(slot(kLeaf, 5), (9 << 2) | 2);  // an exceptional entry
  auto result = walk();
  ASSERT_TRUE(result.complete()) << result.error->to_string();
  EXPECT_EQ(result.entries, (std::vector<XarrayEntry>{{67, kPointerA}, {69, (9 << 2) | 2}}));
}

TEST_F(XarrayWalkerTest, CorruptionIsCaught) {
  node(kTop, 6);
  node(kLeaf, 12);  // a child must have shift 0 under a shift-6 parent
  target_.put(kRoot + 8, kTop | 2);
  target_.put(slot(kTop, 0), kPointerA);
  target_.put(slot(kTop, 1), kLeaf | 2);
  auto wrong_shift = walk();
  ASSERT_FALSE(wrong_shift.complete());
  EXPECT_EQ(wrong_shift.error->code(), ErrorCode::kCorrupt);
  EXPECT_EQ(wrong_shift.error->payload().address, kLeaf);
  EXPECT_EQ(wrong_shift.entries, (std::vector<XarrayEntry>{{0, kPointerA}}));

  target_.put(slot(kTop, 1), kTop | 2);  // a node containing itself
  auto loop = walk();
  ASSERT_FALSE(loop.complete());
  EXPECT_EQ(loop.error->code(), ErrorCode::kLoopDetected);
  EXPECT_EQ(loop.error->payload().address, kTop);

  target_.put(slot(kTop, 1), std::uint64_t{0x7f0000000000} | 2);  // nothing there
  auto unreadable = walk();
  EXPECT_EQ(unreadable.error->code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(unreadable.entries.size(), 1u);
}

TEST_F(XarrayWalkerTest, BoundedAndCancellable) {
  node(kTop, 0);
  target_.put(kRoot + 8, kTop | 2);
  for (int i = 0; i < 10; ++i)
    target_.put(slot(kTop, i), kPointerA + 8 * static_cast<std::uint64_t>(i));
  auto limited = walk({.max_entries = 4});
  EXPECT_EQ(limited.error->code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(limited.entries.size(), 4u);
  CancellationSource source;
  source.cancel();
  EXPECT_EQ(walk({.cancel = source.token()}).error->code(), ErrorCode::kCancelled);
}

TEST(XarrayLayoutTest, DetectsTheEncodingFromTheTypes) {
  const auto& st = standard_types();
  auto slots = debuginfo::Type::make_array(pointer_to({st.void_type, 0}), 64);
  auto node_members = std::vector<debuginfo::Member>{
      {"shift", {debuginfo::Type::make_integer("unsigned char", 1, false), 0}, 0, 0},
      {"slots", {slots, 0}, 320, 0}};
  auto head = std::vector<debuginfo::Member>{{"xa_lock", {st.int_type, 0}, 0, 0},
                                             {"xa_head", pointer_to({st.void_type, 0}), 64, 0}};
  testing::TableLookup xarray;
  xarray.types["struct xa_node"] = {
      debuginfo::Type::make_compound(debuginfo::TypeKind::kStruct, "xa_node", 552, node_members),
      0};
  xarray.types["struct xarray"] = {
      debuginfo::Type::make_compound(debuginfo::TypeKind::kStruct, "xarray", 16, head), 0};
  auto layout = xarray_layout(xarray);
  ASSERT_TRUE(layout.ok()) << layout.error().to_string();
  EXPECT_EQ(layout->encoding, XarrayEncoding::kXarray);
  EXPECT_EQ(layout->head_offset, 8u);
  EXPECT_EQ(layout->slots_offset, 40u);
  EXPECT_EQ(layout->slot_count, 64u);

  testing::TableLookup radix;
  radix.types["struct radix_tree_node"] = xarray.types["struct xa_node"];
  radix.types["struct radix_tree_root"] = {
      debuginfo::Type::make_compound(
          debuginfo::TypeKind::kStruct, "radix_tree_root", 16,
          {{"gfp_mask", {st.int_type, 0}, 0, 0}, {"rnode", pointer_to({st.void_type, 0}), 64, 0}}),
      0};
  auto radix_layout = xarray_layout(radix);
  ASSERT_TRUE(radix_layout.ok()) << radix_layout.error().to_string();
  EXPECT_EQ(radix_layout->encoding, XarrayEncoding::kRadixTree);

  testing::TableLookup neither;
  EXPECT_EQ(xarray_layout(neither).error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace vmscope
