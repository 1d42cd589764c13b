// The C types an expression needs without asking the debug info: the type of an integer
// literal, of a comparison, of sizeof, of the result of a promotion, and pointers to any type.
// They are the LP64 types of x86_64 (int 4 bytes, long 8, pointers 8), built by hand the way
// drgn's language_c.c falls back to its own primitive types. Their names are spelled as drgn
// spells them, so results print the same type names as values read from DWARF.
//
// Threading: the types are immutable and shared; standard_types() is safe from any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "debuginfo/type.h"

namespace vmscope {

inline constexpr std::uint64_t kPointerSize = 8;

struct StandardTypes {
  debuginfo::TypeRef void_type;
  debuginfo::TypeRef bool_type;  // _Bool
  debuginfo::TypeRef char_type;  // plain char: signed on x86_64
  debuginfo::TypeRef int_type;
  debuginfo::TypeRef unsigned_int_type;
  debuginfo::TypeRef long_type;
  debuginfo::TypeRef unsigned_long_type;
  debuginfo::TypeRef long_long_type;
  debuginfo::TypeRef unsigned_long_long_type;
  debuginfo::TypeRef double_type;
  debuginfo::TypeRef size_type;     // sizeof, offsetof: typedef unsigned long size_t
  debuginfo::TypeRef ptrdiff_type;  // pointer - pointer: typedef long ptrdiff_t
};

const StandardTypes& standard_types();

debuginfo::QualifiedType unqualified(debuginfo::TypeRef type);

// `T *` for any T (void, functions and incomplete types included).
debuginfo::QualifiedType pointer_to(const debuginfo::QualifiedType& target);

// C's primitive types by any spelling ("unsigned long int"), for those the debug info has no
// DIE for; null for a spelling that is not one (or long double, which has no standard type).
debuginfo::TypeRef standard_primitive_type(std::string_view spelling);

}  // namespace vmscope
