// The syntax tree of an expression (expression_parser.h builds it, expression_evaluator.h
// evaluates it). Nodes are plain data; each records the 1-based column its errors point at: the
// operator for operations, the name for identifiers and members, the '(' of a cast.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "debuginfo/type.h"
#include "program/expression_lexer.h"
#include "program/object_operators.h"

namespace vmscope {

// A type name as written in a cast, sizeof, offsetof or container_of: a base type with
// qualifiers, then pointer levels (each with its own qualifiers), then array bounds.
struct TypeNameSyntax {
  std::string base;  // "struct task_struct", "unsigned long", "pid_t"
  debuginfo::Qualifiers base_qualifiers = 0;
  std::vector<debuginfo::Qualifiers> pointers;  // one per '*', innermost first
  std::vector<std::uint64_t> array_lengths;     // `[N]` suffixes, outermost first
  std::uint32_t column = 0;                     // first token of the type name
  std::uint32_t base_column = 0;                // first token of the base type
};

// A member designator as in offsetof: `tasks`, `pids[1].node`. `text` is the designator with
// spaces removed; `columns[i]` is the source column of text[i], to point errors at the source.
struct DesignatorSyntax {
  std::string text;
  std::vector<std::uint32_t> columns;
};

enum class ExpressionKind {
  kIdentifier,        // name
  kInteger,           // literal
  kCharacter,         // literal
  kString,            // text
  kMember,            // operands[0] . name
  kArrow,             // operands[0] -> name
  kSubscript,         // operands[0] [ operands[1] ]
  kUnary,             // unary_operator operands[0]
  kDereference,       // * operands[0]
  kAddressOf,         // & operands[0]
  kBinary,            // operands[0] binary_operator operands[1]
  kLogicalAnd,        // operands[0] && operands[1]
  kLogicalOr,         // operands[0] || operands[1]
  kConditional,       // operands[0] ? operands[1] : operands[2]
  kCast,              // ( type_name ) operands[0]
  kSizeofType,        // sizeof ( type_name )
  kSizeofExpression,  // sizeof operands[0]
  kOffsetof,          // offsetof ( type_name , designator )
  kContainerOf,       // container_of ( operands[0] , type_name , designator )
  kPerCpu,            // per_cpu ( operands[0] , operands[1] ): the CPU's instance of a variable
  kPerCpuPtr,         // per_cpu_ptr ( operands[0] , operands[1] ): a per-CPU pointer's CPU copy
};

struct Expression {
  ExpressionKind kind = ExpressionKind::kInteger;
  std::uint32_t column = 0;
  std::uint32_t start = 0;  // column of the subexpression's first character
  std::uint32_t depth = 1;  // height of the subtree (bounded by the parser)
  std::string name;         // identifier, member name, string literal contents
  Token literal;            // integer and character literals
  UnaryOperator unary_operator = UnaryOperator::kPlus;
  BinaryOperator binary_operator = BinaryOperator::kAdd;
  TypeNameSyntax type_name;
  DesignatorSyntax designator;
  std::vector<std::unique_ptr<Expression>> operands;
};

using ExpressionPtr = std::unique_ptr<Expression>;

}  // namespace vmscope
