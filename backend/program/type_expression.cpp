#include "program/type_expression.h"

#include <string>

#include "program/expression_evaluator.h"
#include "program/expression_parser.h"

namespace vmscope {
namespace {

// The text is parsed as the operand of sizeof, the one place C takes a bare type name.
constexpr std::string_view kPrefix = "sizeof(";

Error shifted(Error error) {
  if (auto& column = error.payload().column) {
    *column = *column > kPrefix.size() ? *column - static_cast<std::uint32_t>(kPrefix.size()) : 1;
  }
  return error;
}

}  // namespace

Result<debuginfo::QualifiedType> resolve_type_name(const VirtualMemory& memory,
                                                   const NameLookup& names, std::string_view text) {
  auto is_typedef = [&](std::string_view name) {
    return !names.find_variable(name).ok() && names.find_type(name).ok();
  };
  const std::string wrapped = std::string(kPrefix) + std::string(text) + ")";
  auto parsed = parse_expression(wrapped, is_typedef);
  if (!parsed.ok()) return shifted(std::move(parsed).error());
  const Expression& root = **parsed;
  if (root.kind != ExpressionKind::kSizeofType) {
    return Error(ErrorCode::kSyntaxError, "'" + std::string(text) + "' is not a type name",
                 {.column = 1});
  }
  const ExpressionEvaluator evaluator(memory, names);
  auto resolved = evaluator.resolve_type(root.type_name);
  if (!resolved.ok()) return shifted(std::move(resolved).error());
  return resolved;
}

}  // namespace vmscope
