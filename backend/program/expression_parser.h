// Parses the C-like expression language into a syntax tree (expression_ast.h).
//
// Grammar (C's precedence and associativity, no assignment, no comma operator):
//   expression  := logical-or [ '?' expression ':' expression ]
//   binary      := || && | ^ & (== !=) (< > <= >=) (<< >>) (+ -) (* / %), left-associative
//   unary       := ('-' | '+' | '~' | '!' | '*' | '&') unary | 'sizeof' unary
//                | 'sizeof' '(' type-name ')' | '(' type-name ')' unary | postfix
//   postfix     := primary { '[' expression ']' | '.' name | '->' name }
//   primary     := name | integer | 'c' | "string" | '(' expression ')'
//                | 'offsetof' '(' type-name ',' designator ')'
//                | 'container_of' '(' expression ',' type-name ',' designator ')'
//                | 'per_cpu' '(' expression ',' expression ')'
//                | 'per_cpu_ptr' '(' expression ',' expression ')'
//   type-name   := { qualifier } ( 'struct'|'union'|'enum'|'class' tag | primitive words
//                | typedef-name ) { qualifier } { '*' { qualifier } } { '[' integer ']' }
//   designator  := name { '.' name | '[' integer ']' }
//
// As in C, `(x)` is a cast only if x names a type; the caller answers that through
// `is_typedef_name` (keywords such as `unsigned` or `struct` are known without asking).
//
// Errors: kSyntaxError with the 1-based column of the offending token; kUnsupported (with the
// column) for C that is valid but not evaluable here (++, function calls, function-pointer type
// names); kLimitExceeded for text longer than max_length or nesting deeper than max_depth.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "program/expression_ast.h"
#include "support/result.h"

namespace vmscope {

struct ParseOptions {
  std::size_t max_length = 4096;
  std::uint32_t max_depth = 128;
};

using TypedefNamePredicate = std::function<bool(std::string_view name)>;

Result<ExpressionPtr> parse_expression(std::string_view text,
                                       const TypedefNamePredicate& is_typedef_name,
                                       const ParseOptions& options = {});

}  // namespace vmscope
