#include "debuginfo/member_designator.h"

#include <cctype>
#include <charconv>

#include "debuginfo/type_name.h"

namespace vmscope::debuginfo {
namespace {

Error at(Error error, std::size_t shift) {
  if (auto& column = error.payload().column) *column += static_cast<std::uint32_t>(shift);
  return error;
}

Error syntax_error(std::string message, std::size_t index) {
  return Error(ErrorCode::kSyntaxError, std::move(message),
               ErrorPayload{.column = static_cast<std::uint32_t>(index + 1)});
}

// The offsetof part of a designator, [begin, end) of the whole text, from `here`.
Result<MemberLocation> resolve_plain(const MemberLocation& here, std::string_view text,
                                     std::size_t begin, std::size_t end) {
  auto found = resolve_designator(here.type, text.substr(begin, end - begin));
  if (!found.ok()) return at(std::move(found).error(), begin);
  MemberLocation location = *found;
  location.bit_offset += here.bit_offset;
  return location;
}

}  // namespace

Result<MemberLocation> resolve_member_designator(const QualifiedType& type,
                                                 std::string_view designator) {
  MemberLocation here{type, 0, 0};
  std::size_t i = 0;
  auto skip_space = [&] {
    while (i < designator.size() && std::isspace(static_cast<unsigned char>(designator[i]))) ++i;
  };
  skip_space();
  if (i == designator.size()) return syntax_error("empty member designator", i);
  while (i < designator.size()) {
    // An element "#N" here; otherwise the plain part runs to the next ".#" (or the end).
    if (designator[i] == '#') {
      const std::size_t hash = i++;
      const std::size_t start = i;
      while (i < designator.size() && std::isdigit(static_cast<unsigned char>(designator[i]))) ++i;
      std::size_t index = 0;
      auto [end, ec] = std::from_chars(designator.data() + start, designator.data() + i, index);
      if (start == i || ec != std::errc()) {
        return syntax_error("expected a member position after '#'", start);
      }
      (void)end;
      const QualifiedType& outer = here.type;
      const Type& compound = outer->underlying();
      if (!compound.is_compound() || !compound.is_complete()) {
        return Error(ErrorCode::kTypeError,
                     "'" + type_name(outer) +
                         "' is not a complete structure or union; it has no "
                         "member #" +
                         std::to_string(index),
                     ErrorPayload{.column = static_cast<std::uint32_t>(hash + 1)});
      }
      VMSCOPE_TRY(auto members, compound.members());
      if (index >= members.size()) {
        return Error(ErrorCode::kNotFound,
                     "'" + type_name(outer) + "' has " + std::to_string(members.size()) +
                         " members; there is no member #" + std::to_string(index),
                     ErrorPayload{.column = static_cast<std::uint32_t>(hash + 1),
                                  .name = "#" + std::to_string(index)});
      }
      const Member& member = members[index];
      here =
          MemberLocation{member.type, here.bit_offset + member.bit_offset, member.bit_field_size};
      skip_space();
      if (i == designator.size()) break;
      if (designator[i] == '.') {
        ++i;
        skip_space();
        if (i == designator.size()) return syntax_error("expected a member after '.'", i);
        continue;
      }
      if (designator[i] != '[') return syntax_error("expected '.' or '['", i);
    }
    // The plain part ends at a '.' followed (after spaces) by '#'.
    std::size_t stop = std::string_view::npos;
    for (std::size_t j = i; j < designator.size() && stop == std::string_view::npos; ++j) {
      if (designator[j] != '.') continue;
      std::size_t k = j + 1;
      while (k < designator.size() && std::isspace(static_cast<unsigned char>(designator[k]))) ++k;
      if (k < designator.size() && designator[k] == '#') stop = j;
    }
    const std::size_t end = stop == std::string_view::npos ? designator.size() : stop;
    if (designator.substr(i, end - i).find('#') != std::string_view::npos) {
      return syntax_error("'#' must start a member element",
                          i + designator.substr(i, end - i).find('#'));
    }
    VMSCOPE_TRY(here, resolve_plain(here, designator, i, end));
    i = end;
    if (i < designator.size()) {
      ++i;  // the '.' before '#'
      skip_space();
    }
  }
  return here;
}

std::string positional_designator(std::string_view prefix, std::size_t index) {
  std::string text(prefix);
  if (!text.empty()) text += '.';
  text += '#';
  text += std::to_string(index);
  return text;
}

}  // namespace vmscope::debuginfo
