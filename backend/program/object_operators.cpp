#include "program/object_operators.h"

#include <algorithm>
#include <limits>

#include "debuginfo/primitive_type_names.h"
#include "debuginfo/type_name.h"
#include "program/standard_types.h"

namespace vmscope {

using debuginfo::QualifiedType;
using debuginfo::Type;
using debuginfo::TypeKind;

namespace {

enum class Class { kInteger, kFloat, kPointer, kOther };

Class classify(const Type& u) {
  if (is_integer_like_type(u)) return Class::kInteger;
  if (u.kind() == TypeKind::kFloat) return Class::kFloat;
  if (u.kind() == TypeKind::kPointer) return Class::kPointer;
  return Class::kOther;
}

// The integer type an enum stands for; the type itself otherwise.
const Type& arithmetic_type(const Type& u) {
  if (u.kind() == TypeKind::kEnum && u.target().type) return u.target()->underlying();
  return u;
}

// Conversion rank (C11 6.3.1.1), from the primitive's name; by size for others (__int128 …).
int integer_rank(const Type& u) {
  if (u.kind() == TypeKind::kBool) return 0;
  using debuginfo::PrimitiveType;
  if (auto primitive = debuginfo::parse_primitive_type(u.name())) {
    switch (*primitive) {
      case PrimitiveType::kChar:
      case PrimitiveType::kSignedChar:
      case PrimitiveType::kUnsignedChar: return 1;
      case PrimitiveType::kShort:
      case PrimitiveType::kUnsignedShort: return 2;
      case PrimitiveType::kInt:
      case PrimitiveType::kUnsignedInt: return 3;
      case PrimitiveType::kLong:
      case PrimitiveType::kUnsignedLong: return 4;
      case PrimitiveType::kLongLong:
      case PrimitiveType::kUnsignedLongLong: return 5;
      default: break;
    }
  }
  switch (u.size().value_or(0)) {
    case 1: return 1;
    case 2: return 2;
    case 4: return 3;
    case 8: return 4;
    default: return 6;
  }
}

std::uint64_t width_bits(const QualifiedType& type) {
  return type->size().value_or(8) * 8;
}

std::uint64_t truncate_to(std::uint64_t value, std::uint64_t bits) {
  return bits >= 64 ? value : value & ((1ull << bits) - 1);
}

std::int64_t as_signed(std::uint64_t value, std::uint64_t bits) {
  if (bits >= 64) return static_cast<std::int64_t>(value);
  const std::uint64_t sign = 1ull << (bits - 1);
  value = truncate_to(value, bits);
  return static_cast<std::int64_t>((value ^ sign) - sign);
}

std::string quoted(const QualifiedType& type) {
  return "'" + debuginfo::type_name(type) + "'";
}

Error invalid_operands(std::string_view op, const Object& lhs, const Object& rhs) {
  return Error(ErrorCode::kTypeError, "invalid operands to binary " + std::string(op) + " (" +
                                          quoted(lhs.type()) + " and " + quoted(rhs.type()) + ")");
}

// The operand's value converted to integer type `to` (sign-extended from its own type first).
Result<std::uint64_t> integer_value_as(const Object& operand, const QualifiedType& to) {
  VMSCOPE_TRY(std::int64_t value, operand.read_signed());
  return truncate_to(static_cast<std::uint64_t>(value), width_bits(to));
}

// sizeof the pointee for pointer arithmetic: 1 for void and functions (a GNU extension the
// kernel relies on).
Result<std::uint64_t> pointee_size(const Object& pointer) {
  const QualifiedType& target = pointer.underlying_type().target();
  const TypeKind kind = target->underlying().kind();
  if (kind == TypeKind::kVoid || kind == TypeKind::kFunction) return 1;
  auto size = target->size();
  if (!size || *size == 0) {
    return Error(ErrorCode::kTypeError, "arithmetic on a pointer to an incomplete type " +
                                            quoted(target) + " is not possible");
  }
  return *size;
}

QualifiedType int_type() {
  return unqualified(standard_types().int_type);
}

Result<Object> boolean(const Object& context, bool value) {
  return Object::from_integer(context.memory(), int_type(), value ? 1 : 0);
}

bool is_comparison(BinaryOperator op) {
  switch (op) {
    case BinaryOperator::kLess:
    case BinaryOperator::kGreater:
    case BinaryOperator::kLessEqual:
    case BinaryOperator::kGreaterEqual:
    case BinaryOperator::kEqual:
    case BinaryOperator::kNotEqual: return true;
    default: return false;
  }
}

template <typename T>
bool compare(BinaryOperator op, T a, T b) {
  switch (op) {
    case BinaryOperator::kLess: return a < b;
    case BinaryOperator::kGreater: return a > b;
    case BinaryOperator::kLessEqual: return a <= b;
    case BinaryOperator::kGreaterEqual: return a >= b;
    case BinaryOperator::kEqual: return a == b;
    default: return a != b;
  }
}

Result<Object> pointer_operation(BinaryOperator op, const Object& lhs, const Object& rhs) {
  const bool lp = lhs.underlying_type().kind() == TypeKind::kPointer;
  const bool rp = rhs.underlying_type().kind() == TypeKind::kPointer;
  if (is_comparison(op)) {
    VMSCOPE_TRY(std::uint64_t a, lhs.read_unsigned());
    VMSCOPE_TRY(std::uint64_t b, rhs.read_unsigned());
    return boolean(lhs, compare(op, a, b));
  }
  if (op == BinaryOperator::kAdd && lp != rp) {
    const Object& pointer = lp ? lhs : rhs;
    const Object& index = lp ? rhs : lhs;
    VMSCOPE_TRY(std::uint64_t size, pointee_size(pointer));
    VMSCOPE_TRY(std::uint64_t base, pointer.read_unsigned());
    VMSCOPE_TRY(std::int64_t n, index.read_signed());
    return Object::from_integer(lhs.memory(), pointer.type(),
                                base + static_cast<std::uint64_t>(n) * size);
  }
  if (op == BinaryOperator::kSubtract && lp && !rp) {
    VMSCOPE_TRY(std::uint64_t size, pointee_size(lhs));
    VMSCOPE_TRY(std::uint64_t base, lhs.read_unsigned());
    VMSCOPE_TRY(std::int64_t n, rhs.read_signed());
    return Object::from_integer(lhs.memory(), lhs.type(),
                                base - static_cast<std::uint64_t>(n) * size);
  }
  if (op == BinaryOperator::kSubtract && lp && rp) {
    VMSCOPE_TRY(std::uint64_t size, pointee_size(lhs));
    VMSCOPE_TRY(std::uint64_t other_size, pointee_size(rhs));
    if (size != other_size) {
      return Error(ErrorCode::kTypeError, "cannot subtract pointers to differently sized types (" +
                                              quoted(lhs.type()) + " and " + quoted(rhs.type()) +
                                              ")");
    }
    VMSCOPE_TRY(std::uint64_t a, lhs.read_unsigned());
    VMSCOPE_TRY(std::uint64_t b, rhs.read_unsigned());
    const auto difference = static_cast<std::int64_t>(a - b) / static_cast<std::int64_t>(size);
    return Object::from_integer(lhs.memory(), unqualified(standard_types().ptrdiff_type),
                                static_cast<std::uint64_t>(difference));
  }
  return invalid_operands(operator_spelling(op), lhs, rhs);
}

Result<Object> float_operation(BinaryOperator op, const Object& lhs, const Object& rhs) {
  VMSCOPE_TRY(double a, lhs.read_double());
  VMSCOPE_TRY(double b, rhs.read_double());
  if (is_comparison(op)) return boolean(lhs, compare(op, a, b));
  const QualifiedType result = unqualified(standard_types().double_type);
  switch (op) {
    case BinaryOperator::kAdd: return Object::from_double(lhs.memory(), result, a + b);
    case BinaryOperator::kSubtract: return Object::from_double(lhs.memory(), result, a - b);
    case BinaryOperator::kMultiply: return Object::from_double(lhs.memory(), result, a * b);
    case BinaryOperator::kDivide: return Object::from_double(lhs.memory(), result, a / b);
    default: return invalid_operands(operator_spelling(op), lhs, rhs);
  }
}

Result<Object> shift(BinaryOperator op, const Object& lhs, const Object& rhs) {
  VMSCOPE_TRY(QualifiedType type, promoted_type(lhs));
  VMSCOPE_TRY(std::uint64_t value, integer_value_as(lhs, type));
  VMSCOPE_TRY(std::int64_t count, rhs.read_signed());
  const std::uint64_t bits = width_bits(type);
  if (count < 0 || static_cast<std::uint64_t>(count) >= bits) {
    return Error(ErrorCode::kInvalidArgument, "shift count " + std::to_string(count) +
                                                  " is outside 0.." + std::to_string(bits - 1) +
                                                  " for " + quoted(type));
  }
  std::uint64_t result;
  if (op == BinaryOperator::kShiftLeft) {
    result = value << count;
  } else if (type->is_signed()) {
    result = static_cast<std::uint64_t>(as_signed(value, bits) >> count);  // arithmetic, as GCC
  } else {
    result = value >> count;
  }
  return Object::from_integer(lhs.memory(), type, result);
}

Result<Object> integer_operation(BinaryOperator op, const Object& lhs, const Object& rhs) {
  if (op == BinaryOperator::kShiftLeft || op == BinaryOperator::kShiftRight) {
    return shift(op, lhs, rhs);
  }
  VMSCOPE_TRY(QualifiedType left_type, promoted_type(lhs));
  VMSCOPE_TRY(QualifiedType right_type, promoted_type(rhs));
  const QualifiedType type = common_integer_type(left_type, right_type);
  const std::uint64_t bits = width_bits(type);
  const bool is_signed = type->is_signed();
  VMSCOPE_TRY(std::uint64_t a, integer_value_as(lhs, type));
  VMSCOPE_TRY(std::uint64_t b, integer_value_as(rhs, type));
  const std::int64_t sa = as_signed(a, bits);
  const std::int64_t sb = as_signed(b, bits);
  if (is_comparison(op)) return boolean(lhs, is_signed ? compare(op, sa, sb) : compare(op, a, b));
  std::uint64_t result = 0;
  switch (op) {
    case BinaryOperator::kAdd: result = a + b; break;
    case BinaryOperator::kSubtract: result = a - b; break;
    case BinaryOperator::kMultiply: result = a * b; break;
    case BinaryOperator::kBitAnd: result = a & b; break;
    case BinaryOperator::kBitOr: result = a | b; break;
    case BinaryOperator::kBitXor: result = a ^ b; break;
    case BinaryOperator::kDivide:
    case BinaryOperator::kModulo: {
      if (b == 0) return Error(ErrorCode::kInvalidArgument, "division by zero");
      const bool divide = op == BinaryOperator::kDivide;
      if (!is_signed) {
        result = divide ? a / b : a % b;
      } else if (sa == std::numeric_limits<std::int64_t>::min() && sb == -1) {
        result = divide ? a : 0;  // overflows in C; wraps like the hardware's result
      } else {
        result = static_cast<std::uint64_t>(divide ? sa / sb : sa % sb);
      }
      break;
    }
    default: return invalid_operands(operator_spelling(op), lhs, rhs);
  }
  return Object::from_integer(lhs.memory(), type, result);
}

}  // namespace

std::string_view operator_spelling(UnaryOperator op) {
  switch (op) {
    case UnaryOperator::kPlus: return "+";
    case UnaryOperator::kNegate: return "-";
    case UnaryOperator::kBitNot: return "~";
    case UnaryOperator::kLogicalNot: return "!";
  }
  return "?";
}

std::string_view operator_spelling(BinaryOperator op) {
  switch (op) {
    case BinaryOperator::kAdd: return "+";
    case BinaryOperator::kSubtract: return "-";
    case BinaryOperator::kMultiply: return "*";
    case BinaryOperator::kDivide: return "/";
    case BinaryOperator::kModulo: return "%";
    case BinaryOperator::kShiftLeft: return "<<";
    case BinaryOperator::kShiftRight: return ">>";
    case BinaryOperator::kBitAnd: return "&";
    case BinaryOperator::kBitOr: return "|";
    case BinaryOperator::kBitXor: return "^";
    case BinaryOperator::kLess: return "<";
    case BinaryOperator::kGreater: return ">";
    case BinaryOperator::kLessEqual: return "<=";
    case BinaryOperator::kGreaterEqual: return ">=";
    case BinaryOperator::kEqual: return "==";
    case BinaryOperator::kNotEqual: return "!=";
  }
  return "?";
}

Result<QualifiedType> promoted_type(const Object& operand) {
  const Type& u = arithmetic_type(operand.underlying_type());
  if (u.kind() != TypeKind::kInteger && u.kind() != TypeKind::kBool) {
    return Error(ErrorCode::kTypeError,
                 "a value of type " + quoted(operand.type()) + " is not an integer");
  }
  const std::uint64_t width = u.size().value_or(0) * 8;
  if (std::uint64_t field = operand.bit_field_size(); field && field < width) {
    // A bit field narrower than its type promotes by its width (C11 6.3.1.1p2, as GCC does).
    if (field < 32 || (field == 32 && u.is_signed())) return int_type();
    if (field == 32) return unqualified(standard_types().unsigned_int_type);
  }
  if (integer_rank(u) < 3 && width <= 32) return int_type();
  // The promoted type is the integer type itself, without typedefs or qualifiers.
  const Type& declared = operand.underlying_type();
  if (declared.kind() == TypeKind::kEnum) return QualifiedType{declared.target().type, 0};
  QualifiedType peeled = debuginfo::underlying(operand.type());
  peeled.qualifiers = 0;
  return peeled;
}

QualifiedType common_integer_type(const QualifiedType& a, const QualifiedType& b) {
  const Type& ua = a->underlying();
  const Type& ub = b->underlying();
  const int ra = integer_rank(ua);
  const int rb = integer_rank(ub);
  const bool sa = ua.is_signed();
  const bool sb = ub.is_signed();
  if (sa == sb) return rb > ra ? b : a;
  const QualifiedType& u = sa ? b : a;
  const QualifiedType& s = sa ? a : b;
  const int ru = sa ? rb : ra;
  const int rs = sa ? ra : rb;
  if (ru >= rs) return u;
  if (s->size().value_or(0) > u->size().value_or(0)) return s;
  // Neither holds the other's values: the unsigned type of the signed one's rank.
  switch (rs) {
    case 3: return unqualified(standard_types().unsigned_int_type);
    case 4: return unqualified(standard_types().unsigned_long_type);
    case 5: return unqualified(standard_types().unsigned_long_long_type);
    default: return u;
  }
}

Result<bool> truth_value(const Object& object) {
  VMSCOPE_TRY(Object value, object.decay());
  switch (classify(value.underlying_type())) {
    case Class::kInteger:
    case Class::kPointer: {
      VMSCOPE_TRY(std::uint64_t bits, value.read_unsigned());
      return bits != 0;
    }
    case Class::kFloat: {
      VMSCOPE_TRY(double d, value.read_double());
      return d != 0.0;
    }
    case Class::kOther: break;
  }
  return Error(ErrorCode::kTypeError,
               "a value of type " + quoted(object.type()) + " cannot be used as a condition");
}

Result<Object> apply_unary(UnaryOperator op, const Object& operand) {
  if (op == UnaryOperator::kLogicalNot) {
    VMSCOPE_TRY(bool truth, truth_value(operand));
    return boolean(operand, !truth);
  }
  VMSCOPE_TRY(Object value, operand.decay());
  const Class c = classify(value.underlying_type());
  if (c == Class::kFloat && op != UnaryOperator::kBitNot) {
    VMSCOPE_TRY(double d, value.read_double());
    return Object::from_double(value.memory(), value.type(), op == UnaryOperator::kNegate ? -d : d);
  }
  if (c != Class::kInteger) {
    return Error(ErrorCode::kTypeError, "invalid operand to unary " +
                                            std::string(operator_spelling(op)) + " (" +
                                            quoted(operand.type()) + ")");
  }
  VMSCOPE_TRY(QualifiedType type, promoted_type(value));
  VMSCOPE_TRY(std::uint64_t bits, integer_value_as(value, type));
  std::uint64_t result = bits;
  if (op == UnaryOperator::kNegate) result = 0 - bits;
  if (op == UnaryOperator::kBitNot) result = ~bits;
  return Object::from_integer(value.memory(), type, result);
}

Result<Object> apply_binary(BinaryOperator op, const Object& lhs_in, const Object& rhs_in) {
  VMSCOPE_TRY(Object lhs, lhs_in.decay());
  VMSCOPE_TRY(Object rhs, rhs_in.decay());
  const Class lc = classify(lhs.underlying_type());
  const Class rc = classify(rhs.underlying_type());
  if (lc == Class::kOther || rc == Class::kOther) {
    return invalid_operands(operator_spelling(op), lhs_in, rhs_in);
  }
  if (lc == Class::kPointer || rc == Class::kPointer) {
    if ((lc == Class::kFloat || rc == Class::kFloat)) {
      return invalid_operands(operator_spelling(op), lhs_in, rhs_in);
    }
    return pointer_operation(op, lhs, rhs);
  }
  if (lc == Class::kFloat || rc == Class::kFloat) return float_operation(op, lhs, rhs);
  return integer_operation(op, lhs, rhs);
}

}  // namespace vmscope
