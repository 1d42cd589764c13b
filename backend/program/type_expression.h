// A C type name as text, resolved against a program's names into the type graph: what
// `types/get` takes and what a client copies from a type name vmscope (or drgn) printed.
//
// The grammar is C's type-name (C11 6.7.7): specifiers and qualifiers in any order ("const
// struct page", "long unsigned int", "pid_t", "int const"), then an abstract declarator —
// pointers with their own qualifiers ("char * const *"), array bounds ("int [4]", "int [2][3]",
// "struct list_head []"), parameter lists ("int (void)", "void (struct work_struct *)",
// "int (const char *, ...)") and parentheses that change what binds to what ("char (*)[16]",
// "void (*)(struct work_struct *)", "int (*(*)(void))[3]"). Parameters may carry names; as in
// C, a parameter declared as an array or a function means a pointer to it. The type is built
// the way C reads the declarator (inside out), so type_name() of the result prints it back as
// C and drgn print it.
//
// Errors: kSyntaxError for text that is not a type name, kNotFound (payload name) for an
// unknown type, kTypeError for a declarator C forbids (an array of functions or of an
// incomplete type, a function returning an array or a function), each with the 1-based column
// in `text` of the token it is about.
//
// Casts inside expressions still go through the expression parser's own (smaller) type-name
// grammar.
#pragma once

#include <string_view>

#include "arch/virtual_memory.h"
#include "debuginfo/type.h"
#include "program/name_lookup.h"
#include "support/result.h"

namespace vmscope {

// `memory` is not read; it is kept so callers need not change when a type name can refer to
// values (a VLA bound, typeof).
Result<debuginfo::QualifiedType> resolve_type_name(const VirtualMemory& memory,
                                                   const NameLookup& names, std::string_view text);

}  // namespace vmscope
