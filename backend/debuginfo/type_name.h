// C spelling of a type, as drgn's Type.type_name() spells it (libdrgn language_c.c): the
// declarator is built inside-out, so a pointer to a function reads "void (*)(struct page *)",
// an array of pointers "char *[4]", a const pointer "char * const", an anonymous struct
// "struct <anonymous>", a flexible array "int []", a zero-length one "int [0]". Matching drgn
// lets the fixture tests compare every member's type name with drgn's recording.
#pragma once

#include <string>

#include "debuginfo/type.h"

namespace vmscope::debuginfo {

std::string type_name(const QualifiedType& type);

// "const volatile" etc., in drgn's order; empty for no qualifiers.
std::string qualifier_names(Qualifiers qualifiers);

}  // namespace vmscope::debuginfo
