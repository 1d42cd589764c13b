// A C type name as text ("struct task_struct *", "unsigned long[4]", "const char *", "pid_t")
// resolved against a program's names: the parser's type-name grammar (expression_parser.h) and
// the evaluator's resolution (pointers, arrays, qualifiers, primitive spellings), so a type
// written in a cast and a type asked for by name mean the same thing.
#pragma once

#include <string_view>

#include "arch/virtual_memory.h"
#include "debuginfo/type.h"
#include "program/name_lookup.h"
#include "support/result.h"

namespace vmscope {

// kSyntaxError (payload column, 1-based in `text`) when `text` is not a type name; kNotFound
// (payload name) for an unknown base type.
// `memory` is not read (the evaluator that resolves types wants one).
Result<debuginfo::QualifiedType> resolve_type_name(const VirtualMemory& memory,
                                                   const NameLookup& names, std::string_view text);

}  // namespace vmscope
