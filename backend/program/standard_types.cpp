#include "program/standard_types.h"

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

}  // namespace vmscope
