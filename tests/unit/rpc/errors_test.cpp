#include "rpc/errors.h"

#include <gtest/gtest.h>

#include <set>

#include "rpc/protocol_document.h"

namespace vmscope::rpc {
namespace {

// Every backend error code maps to a JSON-RPC code that the OpenRPC document declares, with
// the same `kind`: the spec and the server cannot drift apart.
TEST(ErrorsTest, EveryCodeIsDeclaredInTheSpec) {
  const Json& errors = protocol_document()["components"]["errors"];
  std::set<int> codes;
  for (int c = 0; c <= static_cast<int>(ErrorCode::kInternal); ++c) {
    ErrorCode code = static_cast<ErrorCode>(c);
    Json object = error_object(Error(code, "m"));
    bool declared = false;
    for (const auto& [name, spec] : errors.items()) {
      if (spec["code"] == object["code"] && spec.contains("data") &&
          spec["data"]["kind"] == object["data"]["kind"]) {
        declared = true;
      }
    }
    EXPECT_TRUE(declared) << error_code_name(code) << " -> " << object["code"];
  }
}

TEST(ErrorsTest, PayloadFieldsBecomeHexStringsAndNumbers) {
  Json o = error_object(Error(ErrorCode::kSyntaxError, "expected ')'", {.column = 12}));
  EXPECT_EQ(o["code"], -32031);
  EXPECT_EQ(o["data"]["column"], 12);
  Json a = error_object(
      Error(ErrorCode::kAddressNotMapped, "no PMD", {.address = 0xffffffffffffffff, .level = 2}));
  EXPECT_EQ(a["data"]["address"], "0xffffffffffffffff");
  EXPECT_EQ(a["data"]["level"], 2);
}

}  // namespace
}  // namespace vmscope::rpc
