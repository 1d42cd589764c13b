#include "debuginfo/type.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace vmscope::debuginfo {
namespace {

TypeRef int_type() {
  return Type::make_integer("int", 4, true);
}

TEST(TypeTest, ScalarsHaveSizesAndSignedness) {
  auto i = int_type();
  auto u = Type::make_integer("unsigned long", 8, false);
  EXPECT_EQ(i->size(), 4u);
  EXPECT_TRUE(i->is_signed());
  EXPECT_FALSE(u->is_signed());
  EXPECT_TRUE(i->is_complete());
  EXPECT_EQ(Type::make_bool("_Bool", 1)->kind(), TypeKind::kBool);
  EXPECT_EQ(Type::make_float("double", 8)->size(), 8u);
}

TEST(TypeTest, VoidAndFunctionsHaveNoSize) {
  EXPECT_FALSE(Type::make_void()->size().has_value());
  EXPECT_FALSE(Type::make_void()->is_complete());
  auto f = Type::make_function({int_type(), 0}, {}, false);
  EXPECT_FALSE(f->size().has_value());
  EXPECT_FALSE(f->is_complete());
}

TEST(TypeTest, ArraySizeIsElementTimesLengthAndUnknownLengthIsIncomplete) {
  auto a = Type::make_array({int_type(), 0}, 5);
  EXPECT_EQ(a->size(), 20u);
  EXPECT_EQ(a->length(), 5u);
  auto flexible = Type::make_array({int_type(), 0}, std::nullopt);
  EXPECT_FALSE(flexible->size().has_value());
  EXPECT_FALSE(flexible->is_complete());
  auto zero = Type::make_array({int_type(), 0}, 0);
  EXPECT_EQ(zero->size(), 0u);
  EXPECT_TRUE(zero->is_complete());
}

TEST(TypeTest, TypedefsForwardSizeSignednessAndCompleteness) {
  auto u32 = Type::make_typedef("u32", {Type::make_integer("unsigned int", 4, false), 0});
  auto id = Type::make_typedef("id_t", {u32, kConst});
  EXPECT_EQ(id->size(), 4u);
  EXPECT_FALSE(id->is_signed());
  EXPECT_EQ(&id->underlying(), u32->target().type.get());
  QualifiedType q = underlying(QualifiedType{id, kVolatile});
  EXPECT_EQ(q.type->kind(), TypeKind::kInteger);
  EXPECT_EQ(q.qualifiers, kConst | kVolatile);
}

TEST(TypeTest, EnumTakesSizeAndSignFromCompatibleType) {
  auto e = Type::make_enum("e", int_type(), {{"A", 0}, {"B", static_cast<std::uint64_t>(-1)}});
  EXPECT_EQ(e->size(), 4u);
  EXPECT_TRUE(e->is_signed());
  ASSERT_EQ(e->enumerators().size(), 2u);
  EXPECT_EQ(e->enumerators()[1].signed_value(), -1);
  auto incomplete = Type::make_enum("later", nullptr, {});
  EXPECT_FALSE(incomplete->is_complete());
  EXPECT_FALSE(incomplete->size().has_value());
}

TEST(TypeTest, EagerCompoundMembers) {
  auto s = Type::make_compound(TypeKind::kStruct, "point", 8,
                               {{"x", {int_type(), 0}, 0, 0}, {"y", {int_type(), 0}, 32, 0}});
  auto members = s->members();
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[1].name, "y");
  EXPECT_EQ((*members)[1].bit_offset, 32u);
  EXPECT_FALSE(s->has_lazy_members());
}

TEST(TypeTest, DeclaredCompoundIsIncomplete) {
  auto s = Type::make_compound(TypeKind::kUnion, "u", std::nullopt, {});
  EXPECT_FALSE(s->is_complete());
  EXPECT_FALSE(s->size().has_value());
}

TEST(TypeTest, MembersOfNonCompoundIsTypeError) {
  auto members = int_type()->members();
  ASSERT_FALSE(members.ok());
  EXPECT_EQ(members.error().code(), ErrorCode::kTypeError);
}

// Counts loads, so the tests can see laziness.
class CountingSource : public MemberSource {
 public:
  Result<std::vector<Member>> load_members(std::uint64_t key) const override {
    ++loads;
    if (key == 99) return Error(ErrorCode::kCorrupt, "bad DIE");
    return std::vector<Member>{{"field", {Type::make_integer("int", 4, true), 0}, key * 8, 0}};
  }
  mutable std::atomic<int> loads{0};
};

TEST(TypeTest, LazyMembersLoadOnceOnFirstUse) {
  auto source = std::make_shared<CountingSource>();
  auto s = Type::make_lazy_compound(TypeKind::kStruct, "lazy", 16, source, 4);
  EXPECT_EQ(source->loads, 0);
  EXPECT_EQ(s->size(), 16u);  // no load needed for the size
  EXPECT_EQ(source->loads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto m = s->members();
      ASSERT_TRUE(m.ok());
      EXPECT_EQ((*m)[0].bit_offset, 32u);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(source->loads, 1);
}

TEST(TypeTest, LazyMemberErrorIsRememberedAndReported) {
  auto source = std::make_shared<CountingSource>();
  auto s = Type::make_lazy_compound(TypeKind::kStruct, "broken", 4, source, 99);
  EXPECT_EQ(s->members().error().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(s->members().error().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(source->loads, 1);
}

TEST(TypeTest, LazyMembersAfterSourceIsGoneFailInsteadOfDangling) {
  TypeRef s;
  {
    auto source = std::make_shared<CountingSource>();
    s = Type::make_lazy_compound(TypeKind::kStruct, "orphan", 4, source, 1);
  }
  auto members = s->members();
  ASSERT_FALSE(members.ok());
  EXPECT_EQ(members.error().code(), ErrorCode::kInternal);
}

TEST(TypeTest, KindNames) {
  EXPECT_EQ(type_kind_name(TypeKind::kStruct), "struct");
  EXPECT_EQ(type_kind_name(TypeKind::kTypedef), "typedef");
}

}  // namespace
}  // namespace vmscope::debuginfo
