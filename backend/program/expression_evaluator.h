// Evaluates C-like expressions (expression_parser.h) over a program: names come from a
// NameLookup (globals, functions, enumerators, types), memory from a VirtualMemory, and the
// result is an Object (object.h) — lazy, so `init_task` or `init_task.tasks` reads nothing until
// the caller reads the value, while `p->next->pid` reads the pointers on the way.
//
// C semantics as far as a dump allows: integer literals get C's types (0xffff… is unsigned
// long), casts, promotions and pointer arithmetic follow object_operators.h; sizeof's operand is
// evaluated (as in drgn, unlike C), so `sizeof(*p)` reads p. Builtins: offsetof,
// container_of(ptr, type, member), per_cpu(var, cpu) and per_cpu_ptr(ptr, cpu) (per_cpu.h).
//
// Errors carry the 1-based column of the part of the expression they are about: kSyntaxError
// from the parser, kNotFound (payload name) for unknown identifiers, types and members,
// kTypeError for operations C rejects, and the memory's own errors (kPageExcluded,
// kAddressNotMapped, with the faulting address) when a pointer on the way cannot be read.
//
// Threading: an evaluator holds references only; evaluate() is const and safe to call from
// several threads if the NameLookup is.
#pragma once

#include <string_view>

#include "arch/virtual_memory.h"
#include "program/expression_ast.h"
#include "program/expression_parser.h"
#include "program/name_lookup.h"
#include "program/object.h"
#include "program/program.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope {

struct EvaluationOptions {
  ParseOptions parse;
  CancellationToken cancel;
};

class ExpressionEvaluator {
 public:
  ExpressionEvaluator(const VirtualMemory& memory, const NameLookup& names)
      : memory_(memory), names_(names) {}

  // Parses and evaluates `text`.
  Result<Object> evaluate(std::string_view text, const EvaluationOptions& options = {}) const;
  // Evaluates an already parsed expression.
  Result<Object> evaluate(const Expression& expression, const CancellationToken& cancel) const;
  // The type a type name denotes ("struct task_struct *", "unsigned long [4]").
  Result<debuginfo::QualifiedType> resolve_type(const TypeNameSyntax& syntax) const;
  // Whether `name` is a typedef (and not also a variable) — the parser's cast test.
  bool is_typedef_name(std::string_view name) const;

 private:
  class Run;
  const VirtualMemory& memory_;
  const NameLookup& names_;
};

// Evaluates `text` against a Program's memory and debug info (kNotFound without a vmlinux).
Result<Object> evaluate_expression(const Program& program, std::string_view text,
                                   const EvaluationOptions& options = {});

}  // namespace vmscope
