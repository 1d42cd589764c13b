#include "debuginfo/dwarf_index.h"

#include <gtest/gtest.h>

#include <cstring>

#include "debuginfo/dwarf_index_format.h"

namespace vmscope::debuginfo {
namespace {

IndexContents sample_contents() {
  IndexContents c;
  c.source = SourceIdentity{{0xde, 0xad, 0xbe, 0xef}, 12345, 678};
  c.types = {
      {"task_struct", TypeTag::kStruct, false, 0x100},
      {"clash", TypeTag::kStruct, false, 0x200},
      {"clash", TypeTag::kStruct, false, 0x300},
      {"opaque", TypeTag::kStruct, true, 0x400},
      {"u32", TypeTag::kTypedef, false, 0x500},
      {"task_struct", TypeTag::kTypedef, false, 0x600},  // same name, other tag
  };
  c.variables = {{"jiffies", 0x700, std::nullopt}, {"init_task", 0x800, 0xffffffff82000000}};
  c.functions = {{"schedule", 0x900, false, 0x1000, 0x1100},
                 {"schedule", 0x900, false, 0x5000, 0x5010},  // cold part
                 {"do_exit", 0xa00, false, 0x2000, 0x2400},
                 {"entry_SYSCALL_64", 0xb00, true, 0, 0}};
  c.enumerators = {{"PIDTYPE_PID", 0xc00, 0, false},
                   {"NEG", 0xd00, static_cast<std::uint64_t>(-2), true}};
  return c;
}

std::shared_ptr<const DwarfIndex> sample() {
  auto index = DwarfIndex::from_contents(sample_contents());
  EXPECT_TRUE(index.ok());
  return index.ok() ? *index : nullptr;
}

TEST(DwarfIndexTest, FindsTypesByTagAndName) {
  auto index = sample();
  auto task = index->find_type(TypeTag::kStruct, "task_struct");
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(task->die_offset, 0x100u);
  EXPECT_EQ(index->find_type(TypeTag::kTypedef, "task_struct")->die_offset, 0x600u);
  EXPECT_FALSE(index->find_type(TypeTag::kUnion, "task_struct").has_value());
  EXPECT_FALSE(index->find_type(TypeTag::kStruct, "task_struc").has_value());
  EXPECT_FALSE(index->find_type(TypeTag::kStruct, "task_structs").has_value());
}

TEST(DwarfIndexTest, KeepsDistinctDefinitionsInOrderAndMarksDeclarations) {
  auto index = sample();
  auto clash = index->find_types(TypeTag::kStruct, "clash");
  ASSERT_EQ(clash.size(), 2u);
  EXPECT_EQ(clash[0].die_offset, 0x200u);
  EXPECT_EQ(clash[1].die_offset, 0x300u);
  auto opaque = index->find_type(TypeTag::kStruct, "opaque");
  ASSERT_TRUE(opaque.has_value());
  EXPECT_TRUE(opaque->is_declaration);
}

TEST(DwarfIndexTest, VariablesFunctionsEnumerators) {
  auto index = sample();
  auto jiffies = index->find_variables("jiffies");
  ASSERT_EQ(jiffies.size(), 1u);
  EXPECT_FALSE(jiffies[0].address.has_value());
  EXPECT_EQ(index->find_variables("init_task")[0].address, 0xffffffff82000000u);
  EXPECT_EQ(index->find_functions("schedule").size(), 2u);
  EXPECT_TRUE(index->find_functions("entry_SYSCALL_64")[0].is_declaration);
  auto neg = index->find_enumerators("NEG");
  ASSERT_EQ(neg.size(), 1u);
  EXPECT_TRUE(neg[0].is_signed);
  EXPECT_EQ(static_cast<std::int64_t>(neg[0].value), -2);
  EXPECT_TRUE(index->find_enumerators("NOPE").empty());
}

TEST(DwarfIndexTest, FunctionContainingAnAddress) {
  auto index = sample();
  EXPECT_EQ(index->function_containing(0x1000)->name, "schedule");
  EXPECT_EQ(index->function_containing(0x10ff)->name, "schedule");
  EXPECT_FALSE(index->function_containing(0x1100).has_value());
  EXPECT_EQ(index->function_containing(0x5008)->name, "schedule");
  EXPECT_EQ(index->function_containing(0x23ff)->name, "do_exit");
  EXPECT_FALSE(index->function_containing(0xfff).has_value());
  EXPECT_FALSE(index->function_containing(0).has_value());
}

TEST(DwarfIndexTest, BytesRoundTripWithSourceIdentity) {
  auto index = sample();
  std::vector<std::uint8_t> bytes(index->bytes().begin(), index->bytes().end());
  auto again = DwarfIndex::from_bytes(bytes);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ((*again)->source(), sample_contents().source);
  EXPECT_EQ((*again)->find_type(TypeTag::kStruct, "task_struct")->die_offset, 0x100u);
  EXPECT_EQ((*again)->counts().types, 6u);
  EXPECT_EQ((*again)->counts().functions, 4u);
}

TEST(DwarfIndexTest, SerializationIsDeterministic) {
  auto a = sample();
  auto b = sample();
  EXPECT_TRUE(
      std::equal(a->bytes().begin(), a->bytes().end(), b->bytes().begin(), b->bytes().end()));
}

TEST(DwarfIndexTest, RejectsCorruptBytes) {
  auto index = sample();
  std::vector<std::uint8_t> good(index->bytes().begin(), index->bytes().end());

  auto flipped = good;
  flipped[flipped.size() - 20] ^= 0x40;
  EXPECT_EQ(DwarfIndex::from_bytes(flipped).error().code(), ErrorCode::kCorrupt);

  auto truncated = good;
  truncated.resize(good.size() - 8);
  EXPECT_EQ(DwarfIndex::from_bytes(truncated).error().code(), ErrorCode::kTruncated);

  EXPECT_EQ(DwarfIndex::from_bytes({1, 2, 3}).error().code(), ErrorCode::kCorrupt);

  auto bad_magic = good;
  bad_magic[0] = 'X';
  EXPECT_EQ(DwarfIndex::from_bytes(bad_magic).error().code(), ErrorCode::kCorrupt);

  auto other_version = good;
  format::FileHeader header;
  std::memcpy(&header, other_version.data(), sizeof(header));
  header.version += 1;
  std::memcpy(other_version.data(), &header, sizeof(header));
  EXPECT_EQ(DwarfIndex::from_bytes(other_version).error().code(), ErrorCode::kUnsupported);

  // A section pointing outside the file, with a valid checksum: still refused.
  auto out_of_bounds = good;
  std::memcpy(&header, out_of_bounds.data(), sizeof(header));
  header.types.count = 1u << 30;
  std::memcpy(out_of_bounds.data(), &header, sizeof(header));
  EXPECT_EQ(DwarfIndex::from_bytes(out_of_bounds).error().code(), ErrorCode::kCorrupt);
}

TEST(DwarfIndexTest, EmptyIndexWorks) {
  auto index = DwarfIndex::from_contents(IndexContents{});
  ASSERT_TRUE(index.ok());
  EXPECT_FALSE((*index)->find_type(TypeTag::kStruct, "x").has_value());
  EXPECT_FALSE((*index)->function_containing(0x1000).has_value());
}

}  // namespace
}  // namespace vmscope::debuginfo
