// C's operators on Objects, with C's conversions (C11 6.3.1): integer promotions (anything
// narrower than int, and narrow bit fields, become int), the usual arithmetic conversions
// (the wider type wins, unsigned wins at equal width), enums as their compatible type,
// arrays and functions decaying to pointers, and pointer arithmetic scaled by the pointee size
// (void * and function pointers by 1, as GCC does). Results are value objects of the C result
// type: comparisons and ! give int, pointer - pointer gives ptrdiff_t.
//
// Errors: kTypeError for operands C rejects (arithmetic on a struct, pointer * int, pointers to
// differently sized types subtracted), kInvalidArgument for division by zero or a shift count
// outside the promoted width. && and || short-circuit in the evaluator, which uses
// truth_value(); logical_and/or here take both operands already evaluated.
#pragma once

#include <string_view>

#include "debuginfo/type.h"
#include "program/object.h"
#include "support/result.h"

namespace vmscope {

enum class UnaryOperator { kPlus, kNegate, kBitNot, kLogicalNot };

enum class BinaryOperator {
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo,
  kShiftLeft,
  kShiftRight,
  kBitAnd,
  kBitOr,
  kBitXor,
  kLess,
  kGreater,
  kLessEqual,
  kGreaterEqual,
  kEqual,
  kNotEqual,
};

std::string_view operator_spelling(UnaryOperator op);
std::string_view operator_spelling(BinaryOperator op);

Result<Object> apply_unary(UnaryOperator op, const Object& operand);
Result<Object> apply_binary(BinaryOperator op, const Object& lhs, const Object& rhs);

// Whether a scalar (after decay) is non-zero: the condition of !, &&, || and ?:.
Result<bool> truth_value(const Object& object);

// The type an integer operand is promoted to (C11 6.3.1.1): int or unsigned int for narrower
// types and narrow bit fields, the (typedef-free) type itself otherwise. kTypeError for
// non-integers.
Result<debuginfo::QualifiedType> promoted_type(const Object& operand);

// The common type of two promoted integer types (C11 6.3.1.8).
debuginfo::QualifiedType common_integer_type(const debuginfo::QualifiedType& a,
                                             const debuginfo::QualifiedType& b);

}  // namespace vmscope
