#include "program/object_operators.h"

#include <gtest/gtest.h>

#include "debuginfo/type_name.h"
#include "program/standard_types.h"
#include "synthetic_target.h"

namespace vmscope {
namespace {

using debuginfo::QualifiedType;
using debuginfo::Type;
using debuginfo::TypeKind;
using debuginfo::TypeRef;

QualifiedType q(TypeRef type) {
  return {std::move(type), 0};
}

Object integer(TypeRef type, std::int64_t value) {
  return Object::from_integer(nullptr, q(std::move(type)), static_cast<std::uint64_t>(value))
      .value();
}

std::string result_type(const Result<Object>& object) {
  return object.ok() ? debuginfo::type_name(object->type()) : object.error().to_string();
}

std::string result_type(const Result<QualifiedType>& type) {
  return type.ok() ? debuginfo::type_name(*type) : type.error().to_string();
}

class ObjectOperatorsTest : public ::testing::Test {
 protected:
  const StandardTypes& st = standard_types();
  TypeRef uchar_ = Type::make_integer("unsigned char", 1, false);
  TypeRef ushort_ = Type::make_integer("unsigned short", 2, false);
  TypeRef u64_typedef_ =
      Type::make_typedef("u64", q(Type::make_integer("unsigned long long", 8, false)));
};

TEST_F(ObjectOperatorsTest, NarrowTypesPromoteToInt) {
  auto sum = apply_binary(BinaryOperator::kAdd, integer(uchar_, 200), integer(uchar_, 100));
  EXPECT_EQ(result_type(sum), "int");
  EXPECT_EQ(*sum->read_signed(), 300);
  auto negated = apply_unary(UnaryOperator::kNegate, integer(ushort_, 1));
  EXPECT_EQ(result_type(negated), "int");
  EXPECT_EQ(*negated->read_signed(), -1);
  auto inverted = apply_unary(UnaryOperator::kBitNot, integer(uchar_, 0));
  EXPECT_EQ(*inverted->read_signed(), -1);
}

TEST_F(ObjectOperatorsTest, UsualArithmeticConversions) {
  // int + unsigned int: unsigned int, so -1 becomes 0xffffffff and compares greater.
  auto mixed = apply_binary(BinaryOperator::kAdd, integer(st.int_type, -1),
                            integer(st.unsigned_int_type, 0));
  EXPECT_EQ(result_type(mixed), "unsigned int");
  EXPECT_EQ(*mixed->read_unsigned(), 0xffffffffu);
  auto less = apply_binary(BinaryOperator::kLess, integer(st.int_type, -1),
                           integer(st.unsigned_int_type, 1));
  EXPECT_EQ(result_type(less), "int");
  EXPECT_EQ(*less->read_signed(), 0);
  // long + unsigned int: long holds every unsigned int, so the result is signed.
  auto wide = apply_binary(BinaryOperator::kLess, integer(st.long_type, -1),
                           integer(st.unsigned_int_type, 1));
  EXPECT_EQ(*wide->read_signed(), 1);
  // long + unsigned long: unsigned long.
  EXPECT_EQ(result_type(apply_binary(BinaryOperator::kMultiply, integer(st.long_type, 2),
                                     integer(st.unsigned_long_type, 3))),
            "unsigned long");
  // long long vs unsigned long (same width, higher rank signed): unsigned long long.
  EXPECT_EQ(
      debuginfo::type_name(common_integer_type(q(st.long_long_type), q(st.unsigned_long_type))),
      "unsigned long long");
  // A typedef'd operand promotes to its underlying type.
  EXPECT_EQ(result_type(apply_binary(BinaryOperator::kAdd, integer(u64_typedef_, 1),
                                     integer(st.int_type, 1))),
            "unsigned long long");
}

TEST_F(ObjectOperatorsTest, BitFieldsPromoteByWidth) {
  auto field = Object::from_integer(nullptr, q(st.unsigned_int_type), 7, 3).value();
  EXPECT_EQ(result_type(promoted_type(field)), "int");
  auto minus = apply_binary(BinaryOperator::kSubtract, field, integer(st.int_type, 8));
  EXPECT_EQ(*minus->read_signed(), -1);
  auto wide = Object::from_integer(nullptr, q(st.unsigned_long_type), 7, 40).value();
  EXPECT_EQ(result_type(promoted_type(wide)), "unsigned long");
}

TEST_F(ObjectOperatorsTest, DivisionShiftsAndTheirErrors) {
  EXPECT_EQ(
      *apply_binary(BinaryOperator::kDivide, integer(st.int_type, -7), integer(st.int_type, 2))
           ->read_signed(),
      -3);
  EXPECT_EQ(
      *apply_binary(BinaryOperator::kModulo, integer(st.int_type, -7), integer(st.int_type, 2))
           ->read_signed(),
      -1);
  EXPECT_EQ(apply_binary(BinaryOperator::kDivide, integer(st.int_type, 1), integer(st.int_type, 0))
                .error()
                .code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(*apply_binary(BinaryOperator::kShiftLeft, integer(st.unsigned_long_type, 1),
                          integer(st.int_type, 63))
                 ->read_unsigned(),
            1ull << 63);
  EXPECT_EQ(
      *apply_binary(BinaryOperator::kShiftRight, integer(st.int_type, -16), integer(st.int_type, 2))
           ->read_signed(),
      -4);
  EXPECT_EQ(
      apply_binary(BinaryOperator::kShiftLeft, integer(st.int_type, 1), integer(st.int_type, 32))
          .error()
          .code(),
      ErrorCode::kInvalidArgument);
  // 1 << 31 in int wraps to INT_MIN as GCC computes it.
  EXPECT_EQ(
      *apply_binary(BinaryOperator::kShiftLeft, integer(st.int_type, 1), integer(st.int_type, 31))
           ->read_signed(),
      INT32_MIN);
  EXPECT_EQ(
      *apply_binary(BinaryOperator::kBitXor, integer(st.int_type, 0xf0), integer(st.int_type, 0xff))
           ->read_signed(),
      0x0f);
}

TEST_F(ObjectOperatorsTest, PointerArithmeticScalesByThePointeeSize) {
  auto big = Type::make_compound(TypeKind::kStruct, "big", 24, {});
  Object p = Object::from_integer(nullptr, pointer_to(q(big)), 0x1000).value();
  auto plus = apply_binary(BinaryOperator::kAdd, p, integer(st.int_type, 2));
  EXPECT_EQ(result_type(plus), "struct big *");
  EXPECT_EQ(*plus->read_unsigned(), 0x1000u + 48);
  auto commuted = apply_binary(BinaryOperator::kAdd, integer(st.int_type, -1), p);
  EXPECT_EQ(*commuted->read_unsigned(), 0x1000u - 24);
  auto difference = apply_binary(BinaryOperator::kSubtract, *plus, p);
  EXPECT_EQ(result_type(difference), "ptrdiff_t");
  EXPECT_EQ(*difference->read_signed(), 2);
  Object v = Object::from_integer(nullptr, pointer_to(q(st.void_type)), 0x1000).value();
  EXPECT_EQ(*apply_binary(BinaryOperator::kAdd, v, integer(st.int_type, 3))->read_unsigned(),
            0x1003u);
  EXPECT_EQ(*apply_binary(BinaryOperator::kEqual, p, integer(st.int_type, 0x1000))->read_signed(),
            1);
  EXPECT_EQ(apply_binary(BinaryOperator::kMultiply, p, integer(st.int_type, 2)).error().code(),
            ErrorCode::kTypeError);
  auto opaque = Type::make_compound(TypeKind::kStruct, "opaque", std::nullopt, {});
  Object o = Object::from_integer(nullptr, pointer_to(q(opaque)), 0x1000).value();
  EXPECT_EQ(apply_binary(BinaryOperator::kAdd, o, integer(st.int_type, 1)).error().code(),
            ErrorCode::kTypeError);
}

TEST_F(ObjectOperatorsTest, StructOperandsAreTypeErrors) {
  testing::SyntheticTarget target;
  auto s = Type::make_compound(TypeKind::kStruct, "task", 8, {});
  Object task = Object::reference(target.memory_ptr(), q(s), 0x1000);
  auto sum = apply_binary(BinaryOperator::kAdd, task, integer(st.int_type, 1));
  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.error().code(), ErrorCode::kTypeError);
  EXPECT_NE(sum.error().message().find("'struct task' and 'int'"), std::string::npos);
  EXPECT_EQ(apply_unary(UnaryOperator::kNegate, task).error().code(), ErrorCode::kTypeError);
  EXPECT_EQ(truth_value(task).error().code(), ErrorCode::kTypeError);
}

TEST_F(ObjectOperatorsTest, LogicalNotAndTruth) {
  EXPECT_EQ(*apply_unary(UnaryOperator::kLogicalNot, integer(st.long_type, 5))->read_signed(), 0);
  EXPECT_EQ(*apply_unary(UnaryOperator::kLogicalNot, integer(st.long_type, 0))->read_signed(), 1);
  EXPECT_TRUE(*truth_value(integer(uchar_, 1)));
}

TEST_F(ObjectOperatorsTest, FloatsComputeInDouble) {
  auto half = Object::from_double(nullptr, q(st.double_type), 0.5).value();
  auto sum = apply_binary(BinaryOperator::kAdd, half, integer(st.int_type, 2));
  EXPECT_EQ(result_type(sum), "double");
  EXPECT_EQ(*sum->read_double(), 2.5);
  EXPECT_EQ(apply_binary(BinaryOperator::kBitAnd, half, integer(st.int_type, 2)).error().code(),
            ErrorCode::kTypeError);
}

}  // namespace
}  // namespace vmscope
