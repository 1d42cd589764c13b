#include "rpc/wire_values.h"

#include <gtest/gtest.h>

namespace vmscope::rpc {
namespace {

TEST(WireValuesTest, HexRoundTripAtTheLimits) {
  EXPECT_EQ(hex_u64(0), "0x0");
  EXPECT_EQ(hex_u64(0xffffffffffffffff), "0xffffffffffffffff");
  for (std::uint64_t v : {0ull, 1ull, 0xffffffff84a9ae40ull, (1ull << 53) + 1}) {
    auto parsed = parse_hex_u64(hex_u64(v), "address");
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, v);
  }
  EXPECT_EQ(*parse_hex_u64("0XFFFF8880", "a"), 0xffff8880u);
}

TEST(WireValuesTest, RejectsWhatIsNotAHexString) {
  for (const Json& bad : {Json(1234), Json("1234"), Json("0x"), Json("0xfffffffffffffffff"),
                          Json("0x12g4"), Json(nullptr), Json("-0x1")}) {
    auto parsed = parse_hex_u64(bad, "address");
    ASSERT_FALSE(parsed.ok()) << bad.dump();
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().payload().name, "address");
  }
}

TEST(WireValuesTest, RequiredAndOptionalFields) {
  Json params = {{"core", "/x"}, {"n", 5}, {"neg", -1}, {"s", "t"}};
  EXPECT_EQ(*required_string(params, "core"), "/x");
  EXPECT_EQ(required_string(params, "missing").error().payload().name, "missing");
  EXPECT_FALSE(required_string(params, "n").ok());
  EXPECT_EQ(optional_string(params, "s"), "t");
  EXPECT_FALSE(optional_string(params, "n").has_value());
  EXPECT_EQ(*optional_count(params, "n", 1, 10), 5u);
  EXPECT_EQ(*optional_count(params, "absent", 7, 10), 7u);
  EXPECT_FALSE(optional_count(params, "n", 1, 4).ok());
  EXPECT_FALSE(optional_count(params, "neg", 1, 10).ok());
  EXPECT_FALSE(optional_count(params, "s", 1, 10).ok());
  EXPECT_FALSE(required_address(params, "core").ok());
}

}  // namespace
}  // namespace vmscope::rpc
