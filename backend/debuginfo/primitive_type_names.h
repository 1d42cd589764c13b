// C's primitive types can be spelled many ways ("long unsigned int", "unsigned long",
// "long int unsigned"); GCC's DWARF uses one spelling, a user types another. Both are reduced to
// the spelling drgn prefers (libdrgn type.c, drgn_primitive_type_spellings[...][0]), so type
// names print as drgn prints them and lookups accept any spelling.
#pragma once

#include <optional>
#include <string_view>

namespace vmscope::debuginfo {

enum class PrimitiveType {
  kChar,
  kSignedChar,
  kUnsignedChar,
  kShort,
  kUnsignedShort,
  kInt,
  kUnsignedInt,
  kLong,
  kUnsignedLong,
  kLongLong,
  kUnsignedLongLong,
  kBool,
  kFloat,
  kDouble,
  kLongDouble,
};

// The primitive a spelling names ("int signed" -> kInt); nullopt for anything else (including
// "__int128" and typedef names like "u32").
std::optional<PrimitiveType> parse_primitive_type(std::string_view spelling);

// The preferred spelling ("unsigned long").
std::string_view primitive_type_spelling(PrimitiveType type);

// Whether a primitive integer type is signed; plain char counts as signed here (its DWARF
// encoding decides for real types).
bool primitive_type_is_signed(PrimitiveType type);

// The preferred spelling of `spelling` if it names a primitive type, else `spelling` itself.
std::string_view canonical_type_spelling(std::string_view spelling);

}  // namespace vmscope::debuginfo
