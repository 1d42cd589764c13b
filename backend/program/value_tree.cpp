#include "program/value_tree.h"

#include <algorithm>
#include <cstdio>

#include "debuginfo/type_name.h"
#include "support/hex.h"

namespace vmscope {

using debuginfo::Type;
using debuginfo::TypeKind;

namespace {

// What a node shows when its value could not be read: the error's kind; the error itself
// rides along in ValueNode::error.
std::string unreadable(const Error& error) {
  return "<" + std::string(error_code_name(error.code())) + ">";
}

bool pointee_is_browsable(const Type& pointer) {
  const Type& target = pointer.target()->underlying();
  if (target.kind() == TypeKind::kVoid || target.kind() == TypeKind::kFunction) return false;
  return pointer.target()->size().has_value();
}

}  // namespace

std::string_view value_kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::kScalar: return "scalar";
    case ValueKind::kPointer: return "pointer";
    case ValueKind::kArray: return "array";
    case ValueKind::kStruct: return "struct";
    case ValueKind::kUnion: return "union";
    case ValueKind::kEnum: return "enum";
    case ValueKind::kFunction: return "function";
    case ValueKind::kVoid: return "void";
  }
  return "unknown";
}

std::string c_quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\%03o", byte);  // octal: never eats a digit
          out += escape;
        } else {
          out += c;
        }
      }
    }
  }
  return out + "\"";
}

ValueNode ValueTree::render(const Object& object, std::string name) const {
  return render_node(object, std::move(name), options_.inline_depth);
}

ValueNode ValueTree::render_node(const Object& object, std::string name,
                                 std::uint32_t depth) const {
  ValueNode node;
  node.name = std::move(name);
  node.type_name = debuginfo::type_name(object.type());
  node.address = object.address();
  node.bit_field_size = object.bit_field_size();
  const Type& u = object.underlying_type();
  auto fail = [&](const Error& error) {
    node.error = error;
    node.display = unreadable(error);
  };
  auto symbol_of = [&](std::uint64_t address) {
    if (options_.symbolize && address) node.symbol = options_.symbolize(address);
  };
  switch (u.kind()) {
    case TypeKind::kVoid:
      node.kind = ValueKind::kVoid;
      node.display = "void";
      break;
    case TypeKind::kInteger:
    case TypeKind::kBool: {
      node.kind = ValueKind::kScalar;
      if (u.is_signed()) {
        auto value = object.read_signed();
        if (value.ok()) {
          node.display = std::to_string(*value);
        } else {
          fail(value.error());
        }
      } else {
        auto value = object.read_unsigned();
        if (!value.ok()) {
          fail(value.error());
        } else if (u.kind() == TypeKind::kBool) {
          node.display = *value ? "true" : "false";
        } else {
          node.display = std::to_string(*value);
        }
      }
      break;
    }
    case TypeKind::kFloat: {
      node.kind = ValueKind::kScalar;
      auto value = object.read_double();
      if (value.ok()) {
        char buffer[40];
        std::snprintf(buffer, sizeof buffer, "%.17g", *value);
        node.display = buffer;
      } else {
        fail(value.error());
      }
      break;
    }
    case TypeKind::kEnum: {
      node.kind = ValueKind::kEnum;
      auto value = object.read_signed();  // sign-extended for signed enums, as enumerators are
      if (!value.ok()) {
        fail(value.error());
        break;
      }
      const auto bits = static_cast<std::uint64_t>(*value);
      node.display = u.is_signed() ? std::to_string(*value) : std::to_string(bits);
      for (const auto& enumerator : u.enumerators()) {
        if (enumerator.value == bits) {
          node.display = enumerator.name;
          break;
        }
      }
      break;
    }
    case TypeKind::kPointer: {
      node.kind = ValueKind::kPointer;
      auto value = object.read_unsigned();
      if (!value.ok()) {
        fail(value.error());
        break;
      }
      node.display = hex_u64(*value);
      symbol_of(*value);
      if (*value && is_character_type(u.target())) {
        auto text = object.read_c_string(options_.max_string);
        if (text.ok()) node.string = std::move(text).value();
      }
      node.has_children = *value != 0 && pointee_is_browsable(u);
      node.child_count = node.has_children ? 1 : 0;
      break;
    }
    case TypeKind::kArray: {
      node.kind = ValueKind::kArray;
      const bool sized = u.target()->size().has_value() && u.length().has_value();
      node.child_count = sized ? *u.length() : 0;
      node.has_children = node.child_count > 0;
      node.display = sized ? "[" + std::to_string(*u.length()) + "]" : "[]";
      if (is_character_type(u.target())) {
        auto text = object.read_c_string(options_.max_string);
        if (text.ok()) {
          node.display = c_quoted(*text);
          node.string = std::move(text).value();
        } else {
          fail(text.error());
        }
      }
      break;
    }
    case TypeKind::kStruct:
    case TypeKind::kClass:
    case TypeKind::kUnion: {
      node.kind = u.kind() == TypeKind::kUnion ? ValueKind::kUnion : ValueKind::kStruct;
      if (!u.is_complete()) {
        node.display = "<incomplete type>";
        break;
      }
      auto members = u.members();
      if (!members.ok()) {
        fail(members.error());
        break;
      }
      node.display = "{...}";
      node.child_count = members->size();
      node.has_children = node.child_count > 0;
      break;
    }
    case TypeKind::kFunction: {
      node.kind = ValueKind::kFunction;
      if (object.address()) {
        node.display = hex_u64(*object.address());
        symbol_of(*object.address());
      } else {
        node.display = "<function>";
      }
      break;
    }
    case TypeKind::kTypedef: break;  // underlying() never returns a typedef
  }
  if (node.has_children) {
    node.handle = handles_.add(object);
    // Characters of a string are not worth a row each unless asked for.
    const bool is_text = u.kind() == TypeKind::kArray && node.string.has_value();
    if (depth > 0 && !is_text) {
      node.children = children_of(object, 0, options_.page_size, depth - 1).children;
    }
  }
  return node;
}

ChildrenPage ValueTree::children_of(const Object& object, std::uint64_t start, std::uint64_t count,
                                    std::uint32_t depth) const {
  ChildrenPage page;
  page.start = start;
  const Type& u = object.underlying_type();
  auto error_node = [&](std::string name, const Error& error) {
    ValueNode node;
    node.name = std::move(name);
    node.error = error;
    node.display = unreadable(error);
    return node;
  };
  switch (u.kind()) {
    case TypeKind::kStruct:
    case TypeKind::kClass:
    case TypeKind::kUnion: {
      auto members = u.members();
      if (!members.ok()) break;
      page.total = members->size();
      for (std::uint64_t i = start; i < page.total && i < start + count; ++i) {
        const debuginfo::Member& member = (*members)[i];
        std::string name = member.name.value_or("<anonymous>");
        auto part = object.field(member.type, member.bit_offset, member.bit_field_size);
        page.children.push_back(part.ok() ? render_node(*part, std::move(name), depth)
                                          : error_node(std::move(name), part.error()));
      }
      break;
    }
    case TypeKind::kArray: {
      page.total = u.length().value_or(0);
      for (std::uint64_t i = start; i < page.total && i < start + count; ++i) {
        std::string name = "[" + std::to_string(i) + "]";
        auto element = object.subscript(static_cast<std::int64_t>(i));
        page.children.push_back(element.ok() ? render_node(*element, std::move(name), depth)
                                             : error_node(std::move(name), element.error()));
      }
      break;
    }
    case TypeKind::kPointer: {
      page.total = 1;
      if (start == 0 && count > 0) {
        auto target = object.dereference();
        page.children.push_back(target.ok() ? render_node(*target, "*", depth)
                                            : error_node("*", target.error()));
      }
      break;
    }
    default: break;
  }
  return page;
}

Result<ChildrenPage> ValueTree::children(std::uint64_t handle, std::uint64_t start,
                                         std::uint64_t count) const {
  VMSCOPE_TRY(Object object, handles_.get(handle));
  count = std::min<std::uint64_t>(count, options_.page_size);
  const std::uint32_t depth = options_.inline_depth > 0 ? options_.inline_depth - 1 : 0;
  return children_of(object, start, count, depth);
}

}  // namespace vmscope
