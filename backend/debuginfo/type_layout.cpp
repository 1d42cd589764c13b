#include "debuginfo/type_layout.h"

#include <cctype>
#include <charconv>
#include <optional>
#include <string>

#include "debuginfo/type_name.h"

namespace vmscope::debuginfo {
namespace {

// Anonymous members nest; a corrupt type could nest without end (a member whose type is its
// own container), so the search is bounded.
constexpr int kMaxAnonymousDepth = 64;

// Searches `compound` (already looked through typedefs) for `name`; offsets are relative to
// `compound`. Returns nullopt when absent, an error only when loading members failed.
Result<std::optional<MemberLocation>> search_members(const Type& compound, std::string_view name,
                                                     int depth) {
  if (depth > kMaxAnonymousDepth) {
    return Error(ErrorCode::kLimitExceeded, "anonymous members nest too deeply",
                 ErrorPayload{.name = std::string(name)});
  }
  VMSCOPE_TRY(auto members, compound.members());
  for (const Member& member : members) {
    if (member.name) {
      if (*member.name == name) {
        return std::optional(MemberLocation{member.type, member.bit_offset, member.bit_field_size});
      }
      continue;
    }
    const Type& inner = member.type->underlying();
    if (!inner.is_compound()) continue;
    VMSCOPE_TRY(auto found, search_members(inner, name, depth + 1));
    if (found) {
      found->bit_offset += member.bit_offset;
      return found;
    }
  }
  return std::optional<MemberLocation>();
}

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Decimal or 0x-prefixed hexadecimal, the whole string.
std::optional<std::uint64_t> parse_index(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Error syntax_error(std::string message, std::size_t index) {
  return Error(ErrorCode::kSyntaxError, std::move(message),
               ErrorPayload{.column = static_cast<std::uint32_t>(index + 1)});
}

}  // namespace

Result<std::uint64_t> sizeof_type(const QualifiedType& type) {
  if (!type.type) return Error(ErrorCode::kInternal, "sizeof of a null type");
  auto size = type->size();
  if (!size) {
    const Type& u = type->underlying();
    std::string why = u.kind() == TypeKind::kVoid       ? "void has no size"
                      : u.kind() == TypeKind::kFunction ? "a function type has no size"
                                                        : "the type is incomplete";
    return Error(ErrorCode::kTypeError, "cannot take sizeof '" + type_name(type) + "': " + why,
                 ErrorPayload{.name = type_name(type)});
  }
  return *size;
}

Result<MemberLocation> find_member(const QualifiedType& type, std::string_view name) {
  if (!type.type) return Error(ErrorCode::kInternal, "member lookup in a null type");
  const Type& compound = type->underlying();
  if (!compound.is_compound()) {
    return Error(ErrorCode::kTypeError,
                 "'" + type_name(type) + "' is not a structure or union; it has no member '" +
                     std::string(name) + "'",
                 ErrorPayload{.name = std::string(name)});
  }
  if (!compound.is_complete()) {
    return Error(
        ErrorCode::kTypeError,
        "'" + type_name(type) + "' is incomplete; it has no member '" + std::string(name) + "'",
        ErrorPayload{.name = std::string(name)});
  }
  VMSCOPE_TRY(auto found, search_members(compound, name, 0));
  if (!found) {
    return Error(ErrorCode::kNotFound,
                 "'" + type_name(type) + "' has no member '" + std::string(name) + "'",
                 ErrorPayload{.name = std::string(name)});
  }
  return *found;
}

Result<MemberLocation> resolve_designator(const QualifiedType& type, std::string_view designator) {
  MemberLocation here{type, 0, 0};
  std::size_t i = 0;
  bool expect_member = true;  // the designator starts with a member name (or a subscript)
  auto skip_space = [&] {
    while (i < designator.size() && std::isspace(static_cast<unsigned char>(designator[i]))) ++i;
  };
  skip_space();
  if (i == designator.size()) return syntax_error("empty member designator", i);
  while (true) {
    skip_space();
    if (i == designator.size()) break;
    char c = designator[i];
    if (c == '[') {
      std::size_t open = i++;
      skip_space();
      std::size_t start = i;
      while (i < designator.size() && std::isalnum(static_cast<unsigned char>(designator[i]))) {
        ++i;
      }
      std::string digits(designator.substr(start, i - start));
      skip_space();
      if (digits.empty() || i == designator.size() || designator[i] != ']') {
        return syntax_error("expected an array index and ']'", open);
      }
      ++i;
      auto index_or = parse_index(digits);
      if (!index_or) return syntax_error("invalid array index '" + digits + "'", start);
      std::uint64_t index = *index_or;
      const Type& array = here.type->underlying();
      if (array.kind() != TypeKind::kArray) {
        return Error(ErrorCode::kTypeError,
                     "'" + type_name(here.type) + "' is not an array; it cannot be subscripted",
                     ErrorPayload{.column = static_cast<std::uint32_t>(open + 1)});
      }
      VMSCOPE_TRY(auto element_size, sizeof_type(array.target()));
      if (index != 0 && element_size * 8 > UINT64_MAX / index) {
        return Error(ErrorCode::kLimitExceeded, "array index overflows the offset",
                     ErrorPayload{.column = static_cast<std::uint32_t>(start + 1)});
      }
      here.bit_offset += index * element_size * 8;
      here.type = array.target();
      here.bit_field_size = 0;
      expect_member = false;
      continue;
    }
    if (!expect_member) {
      if (c != '.') return syntax_error("expected '.' or '['", i);
      ++i;
      skip_space();
    }
    std::size_t start = i;
    while (i < designator.size() && is_identifier_char(designator[i])) ++i;
    if (start == i || std::isdigit(static_cast<unsigned char>(designator[start]))) {
      return syntax_error("expected a member name", start);
    }
    std::string_view name = designator.substr(start, i - start);
    auto member = find_member(here.type, name);
    if (!member.ok()) {
      Error error = std::move(member).error();
      error.payload().column = static_cast<std::uint32_t>(start + 1);
      return error;
    }
    here.bit_offset += member->bit_offset;
    here.type = member->type;
    here.bit_field_size = member->bit_field_size;
    expect_member = false;
  }
  if (expect_member) return syntax_error("expected a member name", i);
  return here;
}

Result<std::uint64_t> offset_of(const QualifiedType& type, std::string_view designator) {
  VMSCOPE_TRY(auto location, resolve_designator(type, designator));
  if (location.bit_offset % 8 != 0) {
    return Error(ErrorCode::kTypeError,
                 "'" + std::string(designator) + "' is a bit field not aligned to a byte",
                 ErrorPayload{.name = std::string(designator)});
  }
  return location.bit_offset / 8;
}

}  // namespace vmscope::debuginfo
