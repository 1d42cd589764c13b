#include "program/expression_evaluator.h"

#include <limits>

#include "debuginfo/primitive_type_names.h"
#include "debuginfo/type_layout.h"
#include "debuginfo/type_name.h"
#include "program/object_operators.h"
#include "program/per_cpu.h"
#include "program/program_names.h"
#include "program/standard_types.h"

namespace vmscope {

using debuginfo::QualifiedType;
using debuginfo::Type;
using debuginfo::TypeKind;

namespace {

// Attaches the column of the expression part an error is about, unless a more precise one is
// already there.
Error at_column(Error error, std::uint32_t column) {
  if (!error.payload().column) error.payload().column = column;
  return error;
}

template <typename T>
Result<T> located(Result<T> result, std::uint32_t column) {
  if (result.ok()) return result;
  return at_column(std::move(result).error(), column);
}

// Errors from debuginfo's designator parser count columns in the designator's text; move them
// to the expression's columns.
Error designator_error(Error error, const DesignatorSyntax& designator, std::uint32_t fallback) {
  auto& column = error.payload().column;
  if (column && *column >= 1 && *column <= designator.columns.size()) {
    column = designator.columns[*column - 1];
  } else if (!designator.columns.empty()) {
    column = designator.columns.front();
  } else {
    column = fallback;
  }
  return error;
}

// The type of an integer literal (C11 6.4.4.1): the first of a list that holds the value.
Result<QualifiedType> literal_type(const Token& literal) {
  const StandardTypes& st = standard_types();
  const bool any_sign = !literal.decimal;  // octal and hex may become unsigned
  std::vector<debuginfo::TypeRef> candidates;
  const bool u = literal.suffix.is_unsigned;
  const int longs = literal.suffix.longs;
  if (longs == 0) {
    if (!u) candidates.push_back(st.int_type);
    if (u || any_sign) candidates.push_back(st.unsigned_int_type);
  }
  if (longs <= 1) {
    if (!u) candidates.push_back(st.long_type);
    if (u || any_sign) candidates.push_back(st.unsigned_long_type);
  }
  if (!u) candidates.push_back(st.long_long_type);
  if (u || any_sign) candidates.push_back(st.unsigned_long_long_type);
  for (const auto& type : candidates) {
    const std::uint64_t bits = *type->size() * 8;
    const std::uint64_t max = type->is_signed() ? (1ull << (bits - 1)) - 1
                              : bits == 64      ? std::numeric_limits<std::uint64_t>::max()
                                                : (1ull << bits) - 1;
    if (literal.value <= max) return unqualified(type);
  }
  // A decimal literal above LLONG_MAX: GCC makes it unsigned with a warning; so do we.
  return unqualified(st.unsigned_long_long_type);
}

}  // namespace

class ExpressionEvaluator::Run {
 public:
  Run(const ExpressionEvaluator& evaluator, const CancellationToken& cancel)
      : evaluator_(evaluator), memory_(&evaluator.memory_), cancel_(cancel) {}

  Result<Object> evaluate(const Expression& e) {
    VMSCOPE_CHECK(cancel_.check());
    auto result = dispatch(e);
    if (!result.ok()) return at_column(std::move(result).error(), e.column);
    return result;
  }

 private:
  const NameLookup& names() const { return evaluator_.names_; }

  Result<Object> dispatch(const Expression& e) {
    switch (e.kind) {
      case ExpressionKind::kIdentifier: return identifier(e);
      case ExpressionKind::kInteger: {
        VMSCOPE_TRY(QualifiedType type, located(literal_type(e.literal), e.column));
        return Object::from_integer(memory_, type, e.literal.value);
      }
      case ExpressionKind::kCharacter:
        return Object::from_integer(memory_, unqualified(standard_types().int_type),
                                    e.literal.value);
      case ExpressionKind::kString: return string_literal(e);
      case ExpressionKind::kMember: return member(e);
      case ExpressionKind::kArrow: {
        VMSCOPE_TRY(Object base, evaluate(*e.operands[0]));
        return base.arrow(e.name);
      }
      case ExpressionKind::kSubscript: return subscript(e);
      case ExpressionKind::kUnary: {
        VMSCOPE_TRY(Object operand, evaluate(*e.operands[0]));
        return apply_unary(e.unary_operator, operand);
      }
      case ExpressionKind::kDereference: {
        VMSCOPE_TRY(Object operand, evaluate(*e.operands[0]));
        return operand.dereference();
      }
      case ExpressionKind::kAddressOf: {
        VMSCOPE_TRY(Object operand, evaluate(*e.operands[0]));
        return operand.address_of();
      }
      case ExpressionKind::kBinary: {
        VMSCOPE_TRY(Object lhs, evaluate(*e.operands[0]));
        VMSCOPE_TRY(Object rhs, evaluate(*e.operands[1]));
        return apply_binary(e.binary_operator, lhs, rhs);
      }
      case ExpressionKind::kLogicalAnd:
      case ExpressionKind::kLogicalOr: return logical(e);
      case ExpressionKind::kConditional: {
        VMSCOPE_TRY(Object condition, evaluate(*e.operands[0]));
        VMSCOPE_TRY(bool truth, located(truth_value(condition), e.operands[0]->start));
        return evaluate(*e.operands[truth ? 1 : 2]);
      }
      case ExpressionKind::kCast: {
        VMSCOPE_TRY(QualifiedType type, evaluator_.resolve_type(e.type_name));
        VMSCOPE_TRY(Object operand, evaluate(*e.operands[0]));
        return operand.cast(type);
      }
      case ExpressionKind::kSizeofType: {
        VMSCOPE_TRY(QualifiedType type, evaluator_.resolve_type(e.type_name));
        VMSCOPE_TRY(std::uint64_t size, located(debuginfo::sizeof_type(type), e.type_name.column));
        return size_value(size);
      }
      case ExpressionKind::kSizeofExpression: {
        VMSCOPE_TRY(Object operand, evaluate(*e.operands[0]));
        if (operand.bit_field_size()) {
          return Error(ErrorCode::kTypeError, "sizeof cannot be applied to a bit field");
        }
        VMSCOPE_TRY(std::uint64_t size, debuginfo::sizeof_type(operand.type()));
        return size_value(size);
      }
      case ExpressionKind::kOffsetof: {
        VMSCOPE_TRY(QualifiedType type, evaluator_.resolve_type(e.type_name));
        auto offset = debuginfo::offset_of(type, e.designator.text);
        if (!offset.ok()) return designator_error(offset.error(), e.designator, e.column);
        return size_value(*offset);
      }
      case ExpressionKind::kContainerOf: return container_of(e);
      case ExpressionKind::kPerCpu:
      case ExpressionKind::kPerCpuPtr: return per_cpu(e);
    }
    return Error(ErrorCode::kInternal, "unknown expression kind");
  }

  Result<Object> size_value(std::uint64_t size) {
    return Object::from_integer(memory_, unqualified(standard_types().size_type), size);
  }

  Result<Object> identifier(const Expression& e) {
    auto variable = names().find_variable(e.name);
    if (variable.ok()) return Object::reference(memory_, variable->type, variable->address);
    if (variable.error().code() != ErrorCode::kNotFound) return variable.error();
    auto function = names().find_function(e.name);
    if (function.ok()) return Object::reference(memory_, function->type, function->address);
    if (function.error().code() != ErrorCode::kNotFound) return function.error();
    auto constant = names().find_constant(e.name);
    if (constant.ok()) return Object::from_integer(memory_, constant->type, constant->value);
    if (constant.error().code() != ErrorCode::kNotFound) return constant.error();
    return Error(ErrorCode::kNotFound, "no variable, function or enumerator named '" + e.name + "'",
                 {.column = e.column, .name = e.name});
  }

  Result<Object> string_literal(const Expression& e) {
    const QualifiedType type =
        unqualified(Type::make_array(unqualified(standard_types().char_type), e.name.size() + 1));
    std::vector<std::byte> bytes(e.name.size() + 1);
    for (std::size_t i = 0; i < e.name.size(); ++i) bytes[i] = static_cast<std::byte>(e.name[i]);
    return Object::from_bytes(memory_, type, std::move(bytes));
  }

  Result<Object> member(const Expression& e) {
    VMSCOPE_TRY(Object base, evaluate(*e.operands[0]));
    if (base.underlying_type().kind() == TypeKind::kPointer) {
      return Error(ErrorCode::kTypeError,
                   "'" + debuginfo::type_name(base.type()) + "' is a pointer; use '->' to reach '" +
                       e.name + "'",
                   {.name = e.name});
    }
    return base.member(e.name);
  }

  Result<Object> subscript(const Expression& e) {
    VMSCOPE_TRY(Object base, evaluate(*e.operands[0]));
    VMSCOPE_TRY(Object index, evaluate(*e.operands[1]));
    auto is_sequence = [](const Object& o) {
      const TypeKind kind = o.underlying_type().kind();
      return kind == TypeKind::kArray || kind == TypeKind::kPointer;
    };
    if (!is_sequence(base) && is_sequence(index)) std::swap(base, index);  // i[p] is p[i]
    if (!is_integer_like_type(index.underlying_type())) {
      return at_column(Error(ErrorCode::kTypeError, "an array index must be an integer, not '" +
                                                        debuginfo::type_name(index.type()) + "'"),
                       e.operands[1]->start);
    }
    VMSCOPE_TRY(std::int64_t i, index.read_signed());
    return base.subscript(i);
  }

  Result<Object> logical(const Expression& e) {
    const bool is_and = e.kind == ExpressionKind::kLogicalAnd;
    VMSCOPE_TRY(Object lhs, evaluate(*e.operands[0]));
    VMSCOPE_TRY(bool left, located(truth_value(lhs), e.operands[0]->start));
    bool result = left;
    if (left == is_and) {  // && needs the right side when the left is true, || when false
      VMSCOPE_TRY(Object rhs, evaluate(*e.operands[1]));
      VMSCOPE_TRY(bool right, located(truth_value(rhs), e.operands[1]->start));
      result = right;
    }
    return Object::from_integer(memory_, unqualified(standard_types().int_type), result ? 1 : 0);
  }

  Result<Object> container_of(const Expression& e) {
    VMSCOPE_TRY(Object pointer, evaluate(*e.operands[0]));
    VMSCOPE_TRY(QualifiedType type, evaluator_.resolve_type(e.type_name));
    auto result = pointer.container_of(type, e.designator.text);
    if (!result.ok() && (result.error().code() == ErrorCode::kNotFound ||
                         result.error().code() == ErrorCode::kSyntaxError)) {
      return designator_error(result.error(), e.designator, e.column);
    }
    if (!result.ok()) return at_column(result.error(), e.operands[0]->start);
    return result;
  }

  Result<Object> per_cpu(const Expression& e) {
    VMSCOPE_TRY(Object variable, evaluate(*e.operands[0]));
    VMSCOPE_TRY(Object cpu_object, evaluate(*e.operands[1]));
    auto cpu = cpu_object.read_signed();
    if (!cpu.ok() || *cpu < 0) {
      return at_column(Error(ErrorCode::kTypeError, "the CPU number must be an integer >= 0"),
                       e.operands[1]->start);
    }
    const auto n = static_cast<std::uint64_t>(*cpu);
    if (e.kind == ExpressionKind::kPerCpu) return per_cpu_object(variable, n, names());
    return per_cpu_pointer(variable, n, names());
  }

  const ExpressionEvaluator& evaluator_;
  const VirtualMemory* memory_;
  const CancellationToken& cancel_;
};

Result<Object> ExpressionEvaluator::evaluate(std::string_view text,
                                             const EvaluationOptions& options) const {
  auto is_typedef = [this](std::string_view name) { return is_typedef_name(name); };
  VMSCOPE_TRY(ExpressionPtr expression, parse_expression(text, is_typedef, options.parse));
  return evaluate(*expression, options.cancel);
}

Result<Object> ExpressionEvaluator::evaluate(const Expression& expression,
                                             const CancellationToken& cancel) const {
  Run run(*this, cancel);
  return run.evaluate(expression);
}

bool ExpressionEvaluator::is_typedef_name(std::string_view name) const {
  if (names_.find_variable(name).ok()) return false;
  auto type = names_.find_type(name);
  return type.ok();
}

Result<QualifiedType> ExpressionEvaluator::resolve_type(const TypeNameSyntax& syntax) const {
  auto found = names_.find_type(syntax.base);
  if (!found.ok() && found.error().code() == ErrorCode::kNotFound) {
    // DWARF has no DIE for void, nor for a base type the program never used.
    if (auto standard = standard_primitive_type(syntax.base)) found = unqualified(standard);
  }
  if (!found.ok()) {
    Error error = std::move(found).error();
    error.payload().column = syntax.base_column ? syntax.base_column : syntax.column;
    if (!error.payload().name) error.payload().name = syntax.base;
    return error;
  }
  QualifiedType type = *found;
  type.qualifiers |= syntax.base_qualifiers;
  for (debuginfo::Qualifiers qualifiers : syntax.pointers) {
    type = pointer_to(type);
    type.qualifiers = qualifiers;
  }
  for (auto it = syntax.array_lengths.rbegin(); it != syntax.array_lengths.rend(); ++it) {
    type = unqualified(Type::make_array(type, *it));
  }
  return type;
}

Result<Object> evaluate_expression(const Program& program, std::string_view text,
                                   const EvaluationOptions& options) {
  VMSCOPE_TRY(const debuginfo::DebugInfo* info, program.require_debug_info("an expression"));
  // The vmlinux's names, then the loaded modules' (their debug files loaded on first miss).
  ProgramNameLookup names(*info, program.module_debug());
  ExpressionEvaluator evaluator(program.memory(), names);
  return evaluator.evaluate(text, options);
}

}  // namespace vmscope
