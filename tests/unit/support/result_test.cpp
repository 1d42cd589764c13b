#include "support/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace vmscope {
namespace {

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return Error(ErrorCode::kSyntaxError, "not a digit", {.column = 1});
  return c - '0';
}

Result<int> sum_two(char a, char b) {
  VMSCOPE_TRY(int x, parse_digit(a));
  VMSCOPE_TRY(int y, parse_digit(b));
  return x + y;
}

Status check_positive(int v) {
  if (v <= 0) return Error(ErrorCode::kInvalidArgument, "not positive");
  return ok_status();
}

Result<int> doubled_if_positive(int v) {
  VMSCOPE_CHECK(check_positive(v));
  return v * 2;
}

TEST(ResultTest, ValueAndErrorAlternatives) {
  Result<int> good = parse_digit('7');
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad = parse_digit('x');
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kSyntaxError);
  EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(ResultTest, TryPropagatesTheFirstError) {
  EXPECT_EQ(*sum_two('3', '4'), 7);
  Result<int> failed = sum_two('3', '?');
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message(), "not a digit");
}

TEST(ResultTest, CheckPropagatesStatusErrors) {
  EXPECT_EQ(*doubled_if_positive(4), 8);
  EXPECT_EQ(doubled_if_positive(0).error().code(), ErrorCode::kInvalidArgument);
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<std::string>> r = std::make_unique<std::string>("vmcore");
  ASSERT_TRUE(r.ok());
  std::unique_ptr<std::string> taken = std::move(r).value();
  EXPECT_EQ(*taken, "vmcore");
}

}  // namespace
}  // namespace vmscope
