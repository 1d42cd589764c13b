#include "debuginfo/type_name.h"

#include <optional>

namespace vmscope::debuginfo {
namespace {

// Types nest at most this deep in a name; a deeper (corrupt, cyclic-through-typedef) chain is
// cut short rather than overflowing the stack.
constexpr int kMaxDepth = 1000;

// A declarator under construction: nullopt means "no declarator at all", which differs from an
// empty one (a function's name slot) in where spaces go.
using Declarator = std::optional<std::string>;

std::string declare(const QualifiedType& type, const Declarator& name, int depth);

std::string with_name(std::string text, const Declarator& name) {
  if (name) {
    text += ' ';
    text += *name;
  }
  return text;
}

std::string declare_basic(const QualifiedType& type, const Declarator& name) {
  std::string text;
  if (type.qualifiers) text = qualifier_names(type.qualifiers) + ' ';
  text += type->kind() == TypeKind::kVoid ? std::string("void") : type->name();
  return with_name(std::move(text), name);
}

std::string declare_tagged(const QualifiedType& type, const Declarator& name) {
  std::string text;
  if (type.qualifiers) text = qualifier_names(type.qualifiers) + ' ';
  text += type_kind_name(type->kind());
  text += ' ';
  text += type->is_anonymous() ? std::string("<anonymous>") : type->name();
  return with_name(std::move(text), name);
}

std::string declare_pointer(const QualifiedType& type, const Declarator& name, int depth) {
  const QualifiedType& referenced = type->target();
  const bool parenthesize =
      referenced->kind() == TypeKind::kArray || referenced->kind() == TypeKind::kFunction;
  std::string inner = parenthesize ? "(*" : "*";
  if (type.qualifiers) {
    inner += ' ';
    inner += qualifier_names(type.qualifiers);
    if (name) inner += ' ';
  }
  if (name) inner += *name;
  if (parenthesize) inner += ')';
  return declare(referenced, inner, depth + 1);
}

std::string declare_array(const QualifiedType& type, const Declarator& name, int depth) {
  std::string inner = name.value_or("");
  if (type->length()) {
    inner += '[' + std::to_string(*type->length()) + ']';
  } else {
    inner += "[]";
  }
  return declare(type->target(), inner, depth + 1);
}

std::string declare_function(const QualifiedType& type, const Declarator& name, int depth) {
  std::string inner = name.value_or("");
  inner += '(';
  bool first = true;
  for (const Parameter& parameter : type->parameters()) {
    if (!first) inner += ", ";
    first = false;
    Declarator parameter_name;
    if (parameter.name && !parameter.name->empty()) parameter_name = *parameter.name;
    inner += declare(parameter.type, parameter_name, depth + 1);
  }
  if (!type->parameters().empty() && type->is_variadic()) {
    inner += ", ...";
  } else if (type->parameters().empty() && !type->is_variadic()) {
    inner += "void";
  }
  inner += ')';
  return declare(type->target(), inner, depth + 1);
}

std::string declare(const QualifiedType& type, const Declarator& name, int depth) {
  if (depth > kMaxDepth || !type.type) return with_name("<type too deep>", name);
  switch (type->kind()) {
    case TypeKind::kVoid:
    case TypeKind::kInteger:
    case TypeKind::kBool:
    case TypeKind::kFloat:
    case TypeKind::kTypedef: return declare_basic(type, name);
    case TypeKind::kStruct:
    case TypeKind::kUnion:
    case TypeKind::kClass:
    case TypeKind::kEnum: return declare_tagged(type, name);
    case TypeKind::kPointer: return declare_pointer(type, name, depth);
    case TypeKind::kArray: return declare_array(type, name, depth);
    case TypeKind::kFunction: return declare_function(type, name.value_or(""), depth);
  }
  return "<unknown type>";
}

}  // namespace

std::string qualifier_names(Qualifiers qualifiers) {
  static constexpr struct {
    Qualifier bit;
    const char* name;
  } kNames[] = {
      {kConst, "const"}, {kVolatile, "volatile"}, {kRestrict, "restrict"}, {kAtomic, "_Atomic"}};
  std::string text;
  for (const auto& entry : kNames) {
    if (!(qualifiers & entry.bit)) continue;
    if (!text.empty()) text += ' ';
    text += entry.name;
  }
  return text;
}

std::string type_name(const QualifiedType& type) {
  if (!type.type) return "<no type>";
  // A bare function type names its (empty) declarator slot: "int (void)".
  if (type->kind() == TypeKind::kFunction) return declare_function(type, std::string(), 0);
  return declare(type, std::nullopt, 0);
}

}  // namespace vmscope::debuginfo
