#include "program/standard_types.h"

#include "debuginfo/primitive_type_names.h"

namespace vmscope {

using debuginfo::Type;

const StandardTypes& standard_types() {
  // Built once, never changed: an immutable table, not mutable global state.
  static const StandardTypes kTypes = [] {
    StandardTypes t;
    t.void_type = Type::make_void();
    t.bool_type = Type::make_bool("_Bool", 1);
    t.char_type = Type::make_integer("char", 1, true);
    t.int_type = Type::make_integer("int", 4, true);
    t.unsigned_int_type = Type::make_integer("unsigned int", 4, false);
    t.long_type = Type::make_integer("long", 8, true);
    t.unsigned_long_type = Type::make_integer("unsigned long", 8, false);
    t.long_long_type = Type::make_integer("long long", 8, true);
    t.unsigned_long_long_type = Type::make_integer("unsigned long long", 8, false);
    t.double_type = Type::make_float("double", 8);
    t.size_type = Type::make_typedef("size_t", {t.unsigned_long_type, 0});
    t.ptrdiff_type = Type::make_typedef("ptrdiff_t", {t.long_type, 0});
    return t;
  }();
  return kTypes;
}

debuginfo::QualifiedType unqualified(debuginfo::TypeRef type) {
  return debuginfo::QualifiedType{std::move(type), 0};
}

debuginfo::QualifiedType pointer_to(const debuginfo::QualifiedType& target) {
  return unqualified(Type::make_pointer(target, kPointerSize));
}

debuginfo::TypeRef standard_primitive_type(std::string_view spelling) {
  if (spelling == "void") return standard_types().void_type;
  auto primitive = debuginfo::parse_primitive_type(spelling);
  if (!primitive) return nullptr;
  const StandardTypes& st = standard_types();
  using debuginfo::PrimitiveType;
  switch (*primitive) {
    case PrimitiveType::kChar: return st.char_type;
    case PrimitiveType::kSignedChar: return Type::make_integer("signed char", 1, true);
    case PrimitiveType::kUnsignedChar: return Type::make_integer("unsigned char", 1, false);
    case PrimitiveType::kShort: return Type::make_integer("short", 2, true);
    case PrimitiveType::kUnsignedShort: return Type::make_integer("unsigned short", 2, false);
    case PrimitiveType::kInt: return st.int_type;
    case PrimitiveType::kUnsignedInt: return st.unsigned_int_type;
    case PrimitiveType::kLong: return st.long_type;
    case PrimitiveType::kUnsignedLong: return st.unsigned_long_type;
    case PrimitiveType::kLongLong: return st.long_long_type;
    case PrimitiveType::kUnsignedLongLong: return st.unsigned_long_long_type;
    case PrimitiveType::kBool: return st.bool_type;
    case PrimitiveType::kFloat: return Type::make_float("float", 4);
    case PrimitiveType::kDouble: return st.double_type;
    case PrimitiveType::kLongDouble: return nullptr;
  }
  return nullptr;
}

}  // namespace vmscope
