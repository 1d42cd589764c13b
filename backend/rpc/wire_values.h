// Conversions between protocol JSON and plain values that every method needs: 64-bit
// addresses as "0x…" hex strings (JavaScript numbers lose precision above 2^53), required and
// optional fields with precise invalid-params errors naming the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "rpc/json.h"
#include "support/hex.h"
#include "support/result.h"

namespace vmscope::rpc {

using vmscope::hex_u64;  // "0xffffffff81000000" (support/hex.h)

Result<std::uint64_t> parse_hex_u64(const Json& value, const std::string& field);

Result<std::string> required_string(const Json& params, const std::string& field);
std::optional<std::string> optional_string(const Json& params, const std::string& field);
Result<std::uint64_t> required_address(const Json& params, const std::string& field);
// A boolean; `fallback` when absent.
Result<bool> optional_bool(const Json& params, const std::string& field, bool fallback = false);
// A non-negative integer within [0, max]; `fallback` when absent.
Result<std::uint64_t> optional_count(const Json& params, const std::string& field,
                                     std::uint64_t fallback, std::uint64_t max);

}  // namespace vmscope::rpc
