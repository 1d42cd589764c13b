// Layout questions about types: sizeof, member lookup and offsetof, with C's rules.
//
// A member name is looked up through anonymous struct/union members (C11): in
//   struct page { union { struct { struct list_head lru; ... }; ... }; ... };
// `lru` is a member of struct page whose bit offset is the sum of the enclosing anonymous
// members' offsets. A designator ("a.b[3].c") walks members and array elements as offsetof()
// does; array indexes are not bounds-checked (offsetof(struct x, flex[2]) is legitimate C).
#pragma once

#include <cstdint>
#include <string_view>

#include "debuginfo/type.h"
#include "support/result.h"

namespace vmscope::debuginfo {

// Where a member (or element) lies inside the object being designated.
struct MemberLocation {
  QualifiedType type;
  std::uint64_t bit_offset = 0;
  std::uint64_t bit_field_size = 0;  // 0: not a bit field
};

// sizeof: kTypeError for void, functions and incomplete types (with the type's name).
Result<std::uint64_t> sizeof_type(const QualifiedType& type);

// The member `name` of a struct/union/class (typedefs and qualifiers are looked through),
// searching anonymous members depth-first in declaration order. kTypeError if `type` is not a
// compound, kNotFound (payload name = member) if it has no such member.
Result<MemberLocation> find_member(const QualifiedType& type, std::string_view name);

// A designator: member names separated by '.', and [index] subscripts of arrays.
// kSyntaxError (payload column, 1-based) for a malformed designator.
Result<MemberLocation> resolve_designator(const QualifiedType& type, std::string_view designator);

// offsetof(type, designator) in bytes; kTypeError for a bit field that does not start on a
// byte boundary.
Result<std::uint64_t> offset_of(const QualifiedType& type, std::string_view designator);

}  // namespace vmscope::debuginfo
