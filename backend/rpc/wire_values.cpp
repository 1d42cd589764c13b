#include "rpc/wire_values.h"

namespace vmscope::rpc {

Result<std::uint64_t> parse_hex_u64(const Json& value, const std::string& field) {
  auto invalid = [&](const std::string& why) {
    return Error(ErrorCode::kInvalidArgument, field + " " + why, {.name = field});
  };
  if (!value.is_string()) return invalid("must be a hex string such as \"0xffffffff81000000\"");
  const std::string& text = value.get_ref<const std::string&>();
  if (text.size() < 3 || text.size() > 18 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) {
    return invalid("must be a hex string such as \"0xffffffff81000000\", got \"" + text + "\"");
  }
  std::uint64_t result = 0;
  for (std::size_t i = 2; i < text.size(); ++i) {
    const char c = text[i];
    int digit;
    if (c >= '0' && c <= '9')
      digit = c - '0';
    else if (c >= 'a' && c <= 'f')
      digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      digit = c - 'A' + 10;
    else
      return invalid("has a non-hex character in \"" + text + "\"");
    result = (result << 4) | static_cast<std::uint64_t>(digit);
  }
  return result;
}

Result<std::string> required_string(const Json& params, const std::string& field) {
  if (!params.is_object() || !params.contains(field)) {
    return Error(ErrorCode::kInvalidArgument, "missing parameter " + field, {.name = field});
  }
  if (!params[field].is_string()) {
    return Error(ErrorCode::kInvalidArgument, field + " must be a string", {.name = field});
  }
  return params[field].get<std::string>();
}

std::optional<std::string> optional_string(const Json& params, const std::string& field) {
  if (!params.is_object() || !params.contains(field) || !params[field].is_string()) {
    return std::nullopt;
  }
  return params[field].get<std::string>();
}

Result<std::uint64_t> required_address(const Json& params, const std::string& field) {
  if (!params.is_object() || !params.contains(field)) {
    return Error(ErrorCode::kInvalidArgument, "missing parameter " + field, {.name = field});
  }
  return parse_hex_u64(params[field], field);
}

Result<bool> optional_bool(const Json& params, const std::string& field, bool fallback) {
  if (!params.is_object() || !params.contains(field)) return fallback;
  if (!params[field].is_boolean()) {
    return Error(ErrorCode::kInvalidArgument, field + " must be a boolean", {.name = field});
  }
  return params[field].get<bool>();
}

Result<std::uint64_t> optional_count(const Json& params, const std::string& field,
                                     std::uint64_t fallback, std::uint64_t max) {
  if (!params.is_object() || !params.contains(field)) return fallback;
  const Json& v = params[field];
  if (!v.is_number_integer() ||
      (v.is_number_integer() && v.get<std::int64_t>() < 0 && !v.is_number_unsigned())) {
    return Error(ErrorCode::kInvalidArgument, field + " must be a non-negative integer",
                 {.name = field});
  }
  const std::uint64_t n = v.get<std::uint64_t>();
  if (n > max) {
    return Error(ErrorCode::kInvalidArgument, field + " must be at most " + std::to_string(max),
                 {.name = field});
  }
  return n;
}

}  // namespace vmscope::rpc
