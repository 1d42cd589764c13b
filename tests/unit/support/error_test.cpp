#include "support/error.h"

#include <gtest/gtest.h>

#include <set>

namespace vmscope {
namespace {

TEST(ErrorTest, CarriesCodeMessageAndPayload) {
  Error error(ErrorCode::kAddressNotMapped, "no PTE", {.address = 0xffff888000001000, .level = 1});
  EXPECT_EQ(error.code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(error.message(), "no PTE");
  ASSERT_TRUE(error.payload().address.has_value());
  EXPECT_EQ(*error.payload().address, 0xffff888000001000u);
  EXPECT_EQ(error.payload().level, 1);
  EXPECT_FALSE(error.payload().column.has_value());
}

TEST(ErrorTest, ContextIsPrependedAndPayloadKept) {
  Error error(ErrorCode::kPageExcluded, "page excluded", {.physical = 0x1000});
  Error wrapped = error.with_context("reading init_task");
  EXPECT_EQ(wrapped.message(), "reading init_task: page excluded");
  EXPECT_EQ(wrapped.code(), ErrorCode::kPageExcluded);
  EXPECT_EQ(wrapped.payload().physical, 0x1000u);
}

TEST(ErrorTest, EveryCodeHasADistinctName) {
  std::set<std::string_view> names;
  for (int c = 0; c <= static_cast<int>(ErrorCode::kInternal); ++c) {
    auto name = error_code_name(static_cast<ErrorCode>(c));
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(Error(ErrorCode::kTruncated, "x").to_string(), "truncated: x");
}

}  // namespace
}  // namespace vmscope
