#include "program/object.h"

#include <gtest/gtest.h>

#include "debuginfo/type_name.h"
#include "program/standard_types.h"
#include "synthetic_target.h"

namespace vmscope {
namespace {

using debuginfo::Member;
using debuginfo::QualifiedType;
using debuginfo::Type;
using debuginfo::TypeKind;
using debuginfo::TypeRef;

QualifiedType q(TypeRef type, debuginfo::Qualifiers qualifiers = 0) {
  return {std::move(type), qualifiers};
}

// struct flags {              bits
//   unsigned int a : 3;       0..2
//   int b : 5;                3..7   (signed)
//   unsigned int c : 12;      14..25 (crosses two byte boundaries)
//   int d : 7;                29..35 (signed, crosses the 32-bit word)
//   unsigned long e : 40;     40..79
// };                          size 16
class ObjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& st = standard_types();
    u32_ = st.unsigned_int_type;
    i32_ = st.int_type;
    u64_ = st.unsigned_long_type;
    char_ = st.char_type;
    flags_ = Type::make_compound(TypeKind::kStruct, "flags", 16,
                                 {{"a", q(u32_), 0, 3},
                                  {"b", q(i32_), 3, 5},
                                  {"c", q(u32_), 14, 12},
                                  {"d", q(i32_), 29, 7},
                                  {"e", q(u64_), 40, 40}});
    // struct node { struct item *next; union { long as_long; struct { short lo, hi; }; };
    //               char name[8]; struct flags f; int values[4]; };
    auto short_type = Type::make_integer("short", 2, true);
    auto lohi = Type::make_compound(TypeKind::kStruct, std::nullopt, 4,
                                    {{"lo", q(short_type), 0, 0}, {"hi", q(short_type), 16, 0}});
    auto un =
        Type::make_compound(TypeKind::kUnion, std::nullopt, 8,
                            {{"as_long", q(st.long_type), 0, 0}, {std::nullopt, q(lohi), 0, 0}});
    // `next` points at a struct item, whose name lies where a node's does.
    auto item = Type::make_compound(TypeKind::kStruct, "item", 24,
                                    {{"pad", q(Type::make_array(q(st.long_type), 2)), 0, 0},
                                     {"name", q(Type::make_array(q(char_), 8)), 128, 0}});
    node_ = Type::make_compound(TypeKind::kStruct, "node", 64,
                                {{"next", pointer_to(q(item)), 0, 0},
                                 {std::nullopt, q(un), 64, 0},
                                 {"name", q(Type::make_array(q(char_), 8)), 128, 0},
                                 {"f", q(flags_), 192, 0},
                                 {"values", q(Type::make_array(q(i32_), 4)), 320, 0}});
  }

  void plant_flags(std::uint64_t address) {
    // a = 5, b = -3, c = 0xabc, d = -50, e = 0x12345678ab
    std::uint64_t low = 0, high = 0;
    auto set = [&](std::uint64_t bit, std::uint64_t width, std::uint64_t value) {
      for (std::uint64_t i = 0; i < width; ++i) {
        if (!((value >> i) & 1)) continue;
        const std::uint64_t at = bit + i;
        (at < 64 ? low : high) |= 1ull << (at % 64);
      }
    };
    set(0, 3, 5);
    set(3, 5, static_cast<std::uint64_t>(-3));
    set(14, 12, 0xabc);
    set(29, 7, static_cast<std::uint64_t>(-50));
    set(40, 40, 0x12345678ab);
    target_.put(address, low);
    target_.put(address + 8, high);
  }

  Object ref(TypeRef type, std::uint64_t address) {
    return Object::reference(target_.memory_ptr(), q(std::move(type)), address);
  }

  testing::SyntheticTarget target_;
  TypeRef u32_, i32_, u64_, char_, flags_, node_;
};

TEST_F(ObjectTest, BitFieldsReadSignedAndUnsignedAcrossBytes) {
  plant_flags(0x1000);
  Object f = ref(flags_, 0x1000);
  EXPECT_EQ(*f.member("a")->read_unsigned(), 5u);
  EXPECT_EQ(*f.member("b")->read_signed(), -3);
  EXPECT_EQ(*f.member("c")->read_unsigned(), 0xabcu);
  EXPECT_EQ(*f.member("d")->read_signed(), -50);
  EXPECT_EQ(*f.member("e")->read_unsigned(), 0x12345678abu);
  // The member object knows where it starts.
  auto c = f.member("c");
  EXPECT_EQ(c->address(), 0x1001u);
  EXPECT_EQ(c->bit_offset(), 6u);
  EXPECT_EQ(c->bit_field_size(), 12u);
  // The same fields taken from a value of the whole struct.
  auto value = f.read();
  ASSERT_TRUE(value.ok()) << value.error().to_string();
  EXPECT_FALSE(value->is_reference());
  EXPECT_EQ(*value->member("b")->read_signed(), -3);
  EXPECT_EQ(*value->member("c")->read_unsigned(), 0xabcu);
  EXPECT_EQ(*value->member("d")->read_signed(), -50);
  EXPECT_EQ(*value->member("e")->read_unsigned(), 0x12345678abu);
}

TEST_F(ObjectTest, ReadingABitFieldGivesATruncatedValue) {
  plant_flags(0x1000);
  auto d = ref(flags_, 0x1000).member("d")->read();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->bit_field_size(), 7u);
  EXPECT_EQ(*d->read_signed(), -50);
  EXPECT_EQ(*d->read_unsigned(), static_cast<std::uint64_t>(-50) & 0x7f);
}

TEST_F(ObjectTest, MembersDescendIntoAnonymousUnionsAndStructs) {
  target_.put<std::int16_t>(0x2008, -2);
  target_.put<std::int16_t>(0x200a, 7);
  Object n = ref(node_, 0x2000);
  EXPECT_EQ(n.member("hi")->address(), 0x200au);
  EXPECT_EQ(*n.member("lo")->read_signed(), -2);
  EXPECT_EQ(*n.member("hi")->read_signed(), 7);
  EXPECT_EQ(*n.member("as_long")->read_unsigned(), 0x0007fffeu);
  auto missing = n.member("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().payload().name, "nope");
}

TEST_F(ObjectTest, MakingMembersReadsNothingAndReadsReportTheAddress) {
  // Nothing is planted at 0x9000: member objects exist, reads fail precisely.
  Object n = ref(node_, 0x9000);
  auto values = n.member("values");
  ASSERT_TRUE(values.ok());
  auto third = values->subscript(2);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->address(), 0x9000u + 40 + 8);
  auto read = third->read_signed();
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(read.error().payload().address, 0x9030u);
  // An excluded page keeps its own code.
  target_.put<std::uint32_t>(0xa000, 1);
  target_.physical().exclude_page(0xa000);
  auto excluded = ref(i32_, 0xa000).read_unsigned();
  ASSERT_FALSE(excluded.ok());
  EXPECT_EQ(excluded.error().code(), ErrorCode::kPageExcluded);
  EXPECT_EQ(excluded.error().payload().address, 0xa000u);
}

TEST_F(ObjectTest, ArraysAndPointers) {
  for (int i = 0; i < 4; ++i) target_.put<std::int32_t>(0x3028 + 4 * i, 10 * i - 5);
  target_.put<std::uint64_t>(0x3000, 0x4000);  // next
  target_.put_string(0x4010, "second");
  target_.put_string(0x3010, "first");
  Object n = ref(node_, 0x3000);
  EXPECT_EQ(*n.member("values")->subscript(3)->read_signed(), 25);
  EXPECT_EQ(*n.member("values")->subscript(0)->read_signed(), -5);
  // An array value is indexed in its bytes, and bounds-checked.
  auto values = n.member("values")->read();
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values->subscript(1)->read_signed(), 5);
  EXPECT_EQ(values->subscript(4).error().code(), ErrorCode::kInvalidArgument);
  // next->name via the pointer.
  auto name = n.arrow("next");
  EXPECT_EQ(name.error().code(), ErrorCode::kTypeError);  // n is not a pointer
  auto next = n.member("next")->dereference();
  ASSERT_TRUE(next.ok()) << next.error().to_string();
  EXPECT_EQ(next->address(), 0x4000u);
  EXPECT_EQ(*next->member("name")->read_c_string(64), "second");
  EXPECT_EQ(*n.member("next")->arrow("name")->read_c_string(64), "second");
  EXPECT_EQ(*n.member("name")->read_c_string(64), "first");
  EXPECT_EQ(*n.member("name")->read_c_string(3), "fir");
  // Pointer subscript is scaled by the pointee size.
  auto as_ints = n.member("values")->decay();
  ASSERT_TRUE(as_ints.ok());
  EXPECT_EQ(debuginfo::type_name(as_ints->type()), "int *");
  EXPECT_EQ(*as_ints->subscript(2)->read_signed(), 15);
  // *array is its first element; a scalar cannot be dereferenced.
  EXPECT_EQ(*n.member("values")->dereference()->read_signed(), -5);
  EXPECT_EQ(n.member("values")->subscript(1)->dereference().error().code(), ErrorCode::kTypeError);
}

TEST_F(ObjectTest, AddressOfAndItsLimits) {
  Object n = ref(node_, 0x5000);
  auto address = n.member("values")->address_of();
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(debuginfo::type_name(address->type()), "int (*)[4]");
  EXPECT_EQ(*address->read_unsigned(), 0x5028u);
  EXPECT_EQ(n.member("f")->member("c")->address_of().error().code(), ErrorCode::kTypeError);
  auto value = Object::from_integer(nullptr, q(i32_), 3);
  EXPECT_EQ(value->address_of().error().code(), ErrorCode::kTypeError);
}

TEST_F(ObjectTest, CastsConvertLikeC) {
  auto minus_one = Object::from_integer(nullptr, q(i32_), static_cast<std::uint64_t>(-1));
  ASSERT_TRUE(minus_one.ok());
  EXPECT_EQ(*minus_one->cast(q(u64_))->read_unsigned(), ~0ull);
  EXPECT_EQ(*minus_one->cast(q(u32_))->read_unsigned(), 0xffffffffu);
  EXPECT_EQ(*minus_one->cast(q(char_))->read_signed(), -1);
  auto big = Object::from_integer(nullptr, q(u64_), 0x1234567890);
  EXPECT_EQ(*big->cast(q(u32_))->read_unsigned(), 0x34567890u);
  EXPECT_EQ(*big->cast(q(standard_types().bool_type))->read_unsigned(), 1u);
  auto pointer = big->cast(pointer_to(q(node_)));
  ASSERT_TRUE(pointer.ok());
  EXPECT_EQ(*pointer->read_unsigned(), 0x1234567890u);
  EXPECT_EQ(debuginfo::type_name(pointer->type()), "struct node *");
  auto as_double = minus_one->cast(q(standard_types().double_type));
  EXPECT_EQ(*as_double->read_double(), -1.0);
  EXPECT_EQ(*as_double->cast(q(i32_))->read_signed(), -1);
  // Casting to a struct, or a struct to an integer, is a type error naming the type.
  auto to_struct = big->cast(q(node_));
  ASSERT_FALSE(to_struct.ok());
  EXPECT_EQ(to_struct.error().code(), ErrorCode::kTypeError);
  EXPECT_NE(to_struct.error().message().find("struct node"), std::string::npos);
  EXPECT_EQ(ref(node_, 0x5000).cast(q(u64_)).error().code(), ErrorCode::kTypeError);
  // An array in memory casts through its address.
  EXPECT_EQ(*ref(node_, 0x5000).member("values")->cast(q(u64_))->read_unsigned(), 0x5028u);
}

TEST_F(ObjectTest, TypedefsAndEnumsAreLookedThrough) {
  auto state = Type::make_enum("state", u32_, {{"RUNNING", 0}, {"SLEEPING", 1}});
  auto state_t = Type::make_typedef("state_t", q(state, debuginfo::kConst));
  target_.put<std::uint32_t>(0x6000, 1);
  Object s = ref(state_t, 0x6000);
  EXPECT_EQ(*s.read_unsigned(), 1u);
  auto typedef_struct = Type::make_typedef("node_t", q(node_));
  target_.put<std::int32_t>(0x7028, 42);
  Object n = ref(typedef_struct, 0x7000);
  auto values = n.member("values");
  ASSERT_TRUE(values.ok()) << values.error().to_string();
  EXPECT_EQ(*values->subscript(0)->read_signed(), 42);
}

TEST_F(ObjectTest, ContainerOfSubtractsTheMemberOffset) {
  auto member_pointer = Object::from_integer(nullptr, pointer_to(q(flags_)), 0x8018);
  auto container = member_pointer->container_of(q(node_), "f");
  ASSERT_TRUE(container.ok()) << container.error().to_string();
  EXPECT_EQ(*container->read_unsigned(), 0x8000u);
  EXPECT_EQ(debuginfo::type_name(container->type()), "struct node *");
  auto nested = member_pointer->container_of(q(node_), "values[2]");
  EXPECT_EQ(*nested->read_unsigned(), 0x8018u - 48);
  auto unknown = member_pointer->container_of(q(node_), "nothing");
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  auto not_pointer = Object::from_integer(nullptr, q(u64_), 0x8018);
  EXPECT_EQ(not_pointer->container_of(q(node_), "f").error().code(), ErrorCode::kTypeError);
}

TEST_F(ObjectTest, ReinterpretKeepsTheAddress) {
  target_.put<std::uint64_t>(0x9100, 0x1122334455667788);
  auto as_bytes = ref(u64_, 0x9100).reinterpret(q(Type::make_array(q(char_), 8)));
  ASSERT_TRUE(as_bytes.ok());
  EXPECT_EQ(as_bytes->address(), 0x9100u);
  EXPECT_EQ(*as_bytes->subscript(0)->read_unsigned(), 0x88u);
}

TEST_F(ObjectTest, VoidAndIncompleteObjectsCannotBeRead) {
  auto incomplete = Type::make_compound(TypeKind::kStruct, "opaque", std::nullopt, {});
  EXPECT_EQ(ref(incomplete, 0x1000).read().error().code(), ErrorCode::kTypeError);
  auto void_pointer = Object::from_integer(nullptr, pointer_to(q(standard_types().void_type)), 8);
  EXPECT_EQ(void_pointer->dereference().error().code(), ErrorCode::kTypeError);
}

}  // namespace
}  // namespace vmscope
