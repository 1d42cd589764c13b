#include "kernel/kernel_layouts.h"

#include <gtest/gtest.h>

#include <cstring>

#include "testing/sparse_physical_memory.h"

namespace vmscope::kernel {
namespace {

using debuginfo::Member;
using debuginfo::QualifiedType;
using debuginfo::Type;
using debuginfo::TypeKind;

// The direct map: virtual kBase + p is physical p.
class DirectMap : public AddressTranslator {
 public:
  static constexpr std::uint64_t kBase = 0xffff888000000000;
  Result<Translation> translate(std::uint64_t vaddr) const override {
    if (vaddr < kBase) return Error(ErrorCode::kAddressNotMapped, "unmapped", {.address = vaddr});
    return Translation{vaddr - kBase, 4096};
  }
};

class KernelLayoutsTest : public ::testing::Test {
 protected:
  std::uint64_t v(std::uint64_t physical) const { return DirectMap::kBase + physical; }
  // A list_head at physical `node` pointing to `next` and `prev` (virtual).
  void link(std::uint64_t node, std::uint64_t next, std::uint64_t prev) {
    physical_.write_u64(node, next);
    physical_.write_u64(node + 8, prev);
  }
  // A well-formed ring: head, then nodes, back to head.
  void ring(std::uint64_t head, const std::vector<std::uint64_t>& nodes) {
    std::vector<std::uint64_t> all = {head};
    all.insert(all.end(), nodes.begin(), nodes.end());
    for (std::size_t i = 0; i < all.size(); ++i) {
      link(all[i], v(all[(i + 1) % all.size()]), v(all[(i + all.size() - 1) % all.size()]));
    }
  }
  Result<ListWalk> walk(std::uint64_t head, ListWalkLimits limits = {},
                        CancellationToken token = {}) {
    return walk_list(memory_, v(head), 0, 8, token, limits);
  }

  testing::SparsePhysicalMemory physical_;
  DirectMap translator_;
  VirtualMemory memory_{physical_, translator_};
};

TEST_F(KernelLayoutsTest, WalksACompleteRingInOrder) {
  ring(0x1000, {0x2000, 0x3000, 0x4000});
  auto w = walk(0x1000);
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  EXPECT_TRUE(w->complete());
  EXPECT_EQ(w->nodes, (std::vector<std::uint64_t>{v(0x2000), v(0x3000), v(0x4000)}));
}

TEST_F(KernelLayoutsTest, EmptyRingHasNoNodes) {
  ring(0x1000, {});
  auto w = walk(0x1000);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->complete());
  EXPECT_TRUE(w->nodes.empty());
}

TEST_F(KernelLayoutsTest, UnmappedNextStopsAndTheRestIsRecoveredBackwards) {
  ring(0x1000, {0x2000, 0x3000, 0x4000, 0x5000});
  physical_.write_u64(0x3000, 0x10);  // 0x3000's next: not a kernel address
  auto w = walk(0x1000);
  ASSERT_TRUE(w.ok());
  ASSERT_FALSE(w->complete());
  EXPECT_EQ(w->stopped->code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(w->recovered_backwards, 2u);
  EXPECT_EQ(w->nodes, (std::vector<std::uint64_t>{v(0x2000), v(0x3000), v(0x4000), v(0x5000)}));
}

TEST_F(KernelLayoutsTest, NextIntoJunkIsABrokenLink) {
  ring(0x1000, {0x2000, 0x3000, 0x4000});
  physical_.write_u64(0x7000, 0x1234);  // readable junk
  physical_.write_u64(0x7008, 0x5678);
  physical_.write_u64(0x2000, v(0x7000));
  auto w = walk(0x1000);
  ASSERT_TRUE(w.ok());
  ASSERT_FALSE(w->complete());
  EXPECT_EQ(w->stopped->code(), ErrorCode::kCorrupt);
  EXPECT_EQ(w->stopped->payload().address, v(0x7000));
  EXPECT_EQ(w->nodes, (std::vector<std::uint64_t>{v(0x2000), v(0x3000), v(0x4000)}));
}

TEST_F(KernelLayoutsTest, ALoopWithConsistentLinksIsDetected) {
  // head -> A -> B -> A (B.next = A and A.prev = B: a consistent loop that never returns).
  link(0x1000, v(0x2000), v(0x3000));
  link(0x2000, v(0x3000), v(0x1000));
  link(0x3000, v(0x2000), v(0x2000));
  physical_.write_u64(0x2008, v(0x1000));
  auto w = walk(0x1000);
  ASSERT_TRUE(w.ok());
  ASSERT_FALSE(w->complete());
  // Either the revisit or the broken back link ends it, in bounded time.
  EXPECT_TRUE(w->stopped->code() == ErrorCode::kLoopDetected ||
              w->stopped->code() == ErrorCode::kCorrupt)
      << w->stopped->to_string();
  EXPECT_LE(w->nodes.size(), 2u);
}

TEST_F(KernelLayoutsTest, SelfLoopWithMatchingPrevIsALoop) {
  // A node whose next and prev are itself, reached from a head: the walk must not spin.
  link(0x1000, v(0x2000), v(0x2000));
  link(0x2000, v(0x2000), v(0x1000));
  auto w = walk(0x1000);
  ASSERT_TRUE(w.ok());
  ASSERT_FALSE(w->complete());
  EXPECT_EQ(w->nodes.size(), 1u);
}

TEST_F(KernelLayoutsTest, LimitBoundsTheWalk) {
  ring(0x1000, {0x2000, 0x3000, 0x4000, 0x5000});
  auto w = walk(0x1000, {.max_nodes = 2});
  ASSERT_TRUE(w.ok());
  ASSERT_FALSE(w->complete());
  EXPECT_EQ(w->stopped->code(), ErrorCode::kLimitExceeded);
  EXPECT_LE(w->nodes.size(), 2u);
}

TEST_F(KernelLayoutsTest, CancellationIsAnError) {
  ring(0x1000, {0x2000});
  CancellationSource source;
  source.cancel();
  auto w = walk(0x1000, {}, source.token());
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code(), ErrorCode::kCancelled);
}

TEST_F(KernelLayoutsTest, UnreadableHeadIsAWalkThatStoppedAtOnce) {
  auto w = walk(0x9000);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->nodes.empty());
  ASSERT_FALSE(w->complete());
  EXPECT_EQ(w->stopped->code(), ErrorCode::kAddressNotMapped);
}

TEST_F(KernelLayoutsTest, RegionSnapshotKeepsWhatIsReadable) {
  std::vector<std::uint8_t> bytes(3 * 4096);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
  physical_.write(0x10000, bytes.data(), bytes.size());
  physical_.exclude_page(0x11000);
  auto region = RegionSnapshot::read(memory_, v(0x10000), bytes.size(), 1 << 20, {});
  ASSERT_TRUE(region.ok());
  ASSERT_TRUE(region->first_error());
  EXPECT_EQ(region->first_error()->code(), ErrorCode::kPageExcluded);
  auto first = region->bytes(10, 4);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(static_cast<std::uint8_t>((*first)[0]), 10);
  EXPECT_FALSE(region->bytes(4090, 10).ok());  // touches the excluded page
  EXPECT_TRUE(region->bytes(0x2000, 16).ok());
  EXPECT_FALSE(region->bytes(3 * 4096 - 4, 8).ok());  // past the end
  EXPECT_FALSE(RegionSnapshot::read(memory_, v(0x10000), 1 << 21, 1 << 20, {}).ok());
}

TEST(FieldTest, ExtractsIntegersBitFieldsAndSigns) {
  std::vector<std::byte> object(16);
  const std::uint8_t raw[] = {0xfe, 0xff, 0xff, 0xff, 0x5d, 0, 0, 0};
  std::memcpy(object.data(), raw, sizeof raw);
  EXPECT_EQ((Field{.offset = 0, .size = 4}.extract(object)), 0xfffffffeu);
  EXPECT_EQ((Field{.offset = 0, .size = 4, .is_signed = true}.extract(object)),
            static_cast<std::uint64_t>(-2));
  // 0x5d = 0b010'11101: flags:5 = 0b11101 (29), level:3 = 0b010 (2).
  EXPECT_EQ((Field{.offset = 4, .size = 1, .bit_shift = 0, .bit_size = 5}.extract(object)), 29u);
  EXPECT_EQ((Field{.offset = 4, .size = 1, .bit_shift = 5, .bit_size = 3}.extract(object)), 2u);
}

TEST(FieldTest, FieldOfResolvesMembersAndBitFields) {
  auto u8 = Type::make_integer("u8", 1, false);
  auto u16 = Type::make_integer("u16", 2, false);
  auto s32 = Type::make_integer("int", 4, true);
  auto u64 = Type::make_integer("u64", 8, false);
  auto inner = Type::make_compound(TypeKind::kStruct, "inner", 8, {Member{"cpu", {s32}, 32, 0}});
  auto outer = Type::make_compound(
      TypeKind::kStruct, "outer", 32,
      {Member{"seq", {u64}, 0, 0}, Member{"len", {u16}, 64, 0}, Member{"flags", {u8}, 80, 5},
       Member{"level", {u8}, 85, 3}, Member{std::nullopt, {inner}, 128, 0}});
  QualifiedType type{outer};
  auto len = field_of(type, "len");
  ASSERT_TRUE(len.ok());
  EXPECT_EQ(len->offset, 8u);
  EXPECT_EQ(len->size, 2u);
  auto level = field_of(type, "level");
  ASSERT_TRUE(level.ok());
  EXPECT_EQ(level->offset, 10u);
  EXPECT_EQ(level->bit_shift, 5u);
  EXPECT_EQ(level->bit_size, 3u);
  auto cpu = field_of(type, "cpu");  // through the anonymous member
  ASSERT_TRUE(cpu.ok());
  EXPECT_EQ(cpu->offset, 20u);
  EXPECT_TRUE(cpu->is_signed);
  FieldResolver resolver(type);
  EXPECT_FALSE(resolver.optional("missing").present());
  EXPECT_FALSE(resolver.required("missing").ok());
  EXPECT_TRUE(resolver.has("seq"));
}

TEST(StructWindowTest, ReadsOnlyTheSpanAndRejectsFieldsOutsideIt) {
  ByteSpan span;
  span.add(Field{.offset = 8, .size = 8});
  span.add(Field{.offset = 24, .size = 4});
  EXPECT_EQ(span.begin, 8u);
  EXPECT_EQ(span.end, 28u);
  std::vector<std::byte> bytes(20);
  bytes[0] = std::byte{7};
  bytes[16] = std::byte{'h'};
  bytes[17] = std::byte{'i'};
  StructWindow w(0x1000, 8, bytes);
  EXPECT_EQ(w.value(Field{.offset = 8, .size = 8}), 7u);
  EXPECT_EQ(w.string(Field{.offset = 24, .size = 4}), "hi");
  EXPECT_FALSE(w.get(Field{.offset = 0, .size = 8}).ok());
  EXPECT_EQ(w.value(Field{}), 0u);  // absent field
}

}  // namespace
}  // namespace vmscope::kernel
