#include "program/per_cpu.h"

#include <gtest/gtest.h>

#include "program/standard_types.h"
#include "synthetic_target.h"

namespace vmscope {
namespace {

using debuginfo::Type;

class PerCpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& st = standard_types();
    const std::uint64_t offsets[2] = {0x100000, 0x180000};
    target_.write(0x1000, offsets, sizeof offsets);
    target_.put<std::uint32_t>(0x180000 + 0x20, 42);
    target_.put<std::uint64_t>(0x100000 + 0x28, 0x30);  // a per-CPU pointer's value
    smp_.add_variable("__per_cpu_offset", {Type::make_array({st.unsigned_long_type, 0}, 2), 0},
                      0x1000);
  }
  testing::SyntheticTarget target_;
  testing::TableLookup smp_;
  testing::TableLookup uniprocessor_;
};

TEST_F(PerCpuTest, OffsetsComeFromTheDump) {
  EXPECT_EQ(*per_cpu_offset(target_.memory(), smp_, 0), 0x100000u);
  EXPECT_EQ(*per_cpu_offset(target_.memory(), smp_, 1), 0x180000u);
  auto beyond = per_cpu_offset(target_.memory(), smp_, 2);
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(PerCpuTest, VariablesAndPointersMoveToTheCpusCopy) {
  auto counter =
      Object::reference(target_.memory_ptr(), {standard_types().unsigned_int_type, 0}, 0x20);
  auto copy = per_cpu_object(counter, 1, smp_);
  ASSERT_TRUE(copy.ok()) << copy.error().to_string();
  EXPECT_EQ(copy->address(), 0x180020u);
  EXPECT_EQ(*copy->read_unsigned(), 42u);
  auto pointer = counter.address_of();
  auto moved = per_cpu_pointer(*pointer, 1, smp_);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved->read_unsigned(), 0x180020u);
  auto value = Object::from_integer(nullptr, {standard_types().int_type, 0}, 1);
  EXPECT_EQ(per_cpu_object(*value, 0, smp_).error().code(), ErrorCode::kTypeError);
}

TEST_F(PerCpuTest, WithoutPerCpuAreasOnlyCpuZeroExists) {
  EXPECT_EQ(*per_cpu_offset(target_.memory(), uniprocessor_, 0), 0u);
  auto other = per_cpu_offset(target_.memory(), uniprocessor_, 1);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(other.error().payload().name, "__per_cpu_offset");
}

TEST_F(PerCpuTest, AnUnreadableOffsetTableIsReported) {
  testing::TableLookup broken;
  broken.add_variable("__per_cpu_offset",
                      {Type::make_array({standard_types().unsigned_long_type, 0}, 2), 0}, 0x900000);
  auto offset = per_cpu_offset(target_.memory(), broken, 1);
  ASSERT_FALSE(offset.ok());
  EXPECT_EQ(offset.error().code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(offset.error().payload().address, 0x900008u);
}

}  // namespace
}  // namespace vmscope
