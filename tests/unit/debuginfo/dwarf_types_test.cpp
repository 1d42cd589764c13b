#include "debuginfo/dwarf_types.h"

#include <gtest/gtest.h>

#include <thread>

#include "debuginfo/dwarf_index_builder.h"
#include "debuginfo/type_layout.h"
#include "debuginfo/type_name.h"
#include "test_programs.h"

namespace vmscope::debuginfo {
namespace {

using testing::TempDir;

// Types read from DWARF 4 and 5 must agree with what the compiler itself laid out (the shapes
// program prints it when run).
class DwarfTypesTest : public ::testing::TestWithParam<int> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    for (int v : {4, 5}) {
      programs_[v] = testing::build_shapes(*dir_, v);
      facts_[v] = testing::program_facts(programs_[v]);
    }
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override {
    auto file = DwarfFile::open(programs_.at(GetParam()));
    ASSERT_TRUE(file.ok()) << file.error().to_string();
    file_ = std::move(file).value();
    auto index = build_dwarf_index(programs_.at(GetParam()), {}, nullptr);
    ASSERT_TRUE(index.ok());
    index_ = *index;
    types_ = DwarfTypes::create(file_, index_);
  }

  long long fact(const std::string& key) {
    auto& facts = facts_.at(GetParam());
    auto it = facts.find(key);
    EXPECT_NE(it, facts.end()) << "the program did not print " << key;
    return it == facts.end() ? -1 : it->second;
  }
  QualifiedType type(TypeTag tag, const std::string& name) {
    auto t = types_->find_type(tag, name);
    EXPECT_TRUE(t.ok()) << name << ": " << t.error().to_string();
    return t.ok() ? *t : QualifiedType{Type::make_void(), 0};
  }
  QualifiedType variable_type(const std::string& name) {
    auto found = index_->find_variables(name);
    EXPECT_FALSE(found.empty()) << name;
    if (found.empty()) return {Type::make_void(), 0};
    auto t = types_->type_of_object(found[0].die_offset);
    EXPECT_TRUE(t.ok()) << t.error().to_string();
    return t.ok() ? *t : QualifiedType{Type::make_void(), 0};
  }
  std::string member_type_name(const QualifiedType& t, const std::string& member) {
    auto m = find_member(t, member);
    EXPECT_TRUE(m.ok()) << member << ": " << m.error().to_string();
    return m.ok() ? type_name(m->type) : "";
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::map<int, std::string> programs_;
  static inline std::map<int, std::map<std::string, long long>> facts_;
  std::shared_ptr<const DwarfFile> file_;
  std::shared_ptr<const DwarfIndex> index_;
  std::shared_ptr<DwarfTypes> types_;
};

TEST_P(DwarfTypesTest, SizesMatchTheCompiler) {
  for (const char* s :
       {"bits", "with_anonymous", "flexible", "zero_length", "arrays", "callbacks"}) {
    EXPECT_EQ(type(TypeTag::kStruct, s)->size(), fact(std::string("size struct ") + s)) << s;
  }
  EXPECT_EQ(type(TypeTag::kUnion, "number")->size(), fact("size union number"));
  EXPECT_EQ(type(TypeTag::kEnum, "colour")->size(), fact("size enum colour"));
  EXPECT_EQ(type(TypeTag::kEnum, "big_values")->size(), fact("size enum big_values"));
}

TEST_P(DwarfTypesTest, BitFieldsSitWhereTheCompilerPutThem) {
  auto bits = type(TypeTag::kStruct, "bits");
  for (const char* field : {"a", "b", "c", "wide", "flag", "straddle"}) {
    auto m = find_member(bits, field);
    ASSERT_TRUE(m.ok()) << field;
    EXPECT_EQ(static_cast<long long>(m->bit_offset),
              fact(std::string("bitoffset struct bits ") + field))
        << field;
    EXPECT_EQ(static_cast<long long>(m->bit_field_size),
              fact(std::string("bitsize struct bits ") + field))
        << field;
  }
  EXPECT_EQ(static_cast<long long>(*offset_of(bits, "tail")), fact("offset struct bits tail"));
  EXPECT_EQ(member_type_name(bits, "flag"), "_Bool");
  EXPECT_EQ(member_type_name(bits, "wide"), "unsigned long long");
}

TEST_P(DwarfTypesTest, AnonymousMembersAndNestedDesignators) {
  auto t = type(TypeTag::kStruct, "with_anonymous");
  for (const char* m :
       {"head", "as_long", "lo", "hi", "deep", "deep_bytes", "named_inner.y", "tail"}) {
    auto offset = offset_of(t, m);
    ASSERT_TRUE(offset.ok()) << m << ": " << offset.error().to_string();
    EXPECT_EQ(static_cast<long long>(*offset),
              fact(std::string("offset struct with_anonymous ") + m))
        << m;
  }
  auto members = t->members();
  ASSERT_TRUE(members.ok());
  ASSERT_GE(members->size(), 2u);
  EXPECT_FALSE((*members)[1].name.has_value());  // the anonymous union
  EXPECT_EQ(type_name((*members)[1].type), "union <anonymous>");
}

TEST_P(DwarfTypesTest, FlexibleAndZeroLengthArrays) {
  auto flexible = type(TypeTag::kStruct, "flexible");
  EXPECT_EQ(member_type_name(flexible, "items"), "long []");
  EXPECT_EQ(static_cast<long long>(*offset_of(flexible, "items")),
            fact("offset struct flexible items"));
  EXPECT_FALSE(find_member(flexible, "items")->type->is_complete());
  auto zero = type(TypeTag::kStruct, "zero_length");
  EXPECT_EQ(member_type_name(zero, "items"), "long [0]");
  EXPECT_EQ(find_member(zero, "items")->type->size(), 0u);
}

TEST_P(DwarfTypesTest, ArraysPointersAndQualifiers) {
  auto arrays = type(TypeTag::kStruct, "arrays");
  EXPECT_EQ(member_type_name(arrays, "grid"), "int [2][3]");
  EXPECT_EQ(member_type_name(arrays, "names"), "char *[4]");
  EXPECT_EQ(member_type_name(arrays, "row"), "int (*)[3]");
  EXPECT_EQ(member_type_name(arrays, "label"), "const char * const");
  for (const char* d : {"grid[1][2]", "names[3]", "row", "label"}) {
    EXPECT_EQ(static_cast<long long>(*offset_of(arrays, d)),
              fact(std::string("offset struct arrays ") + d))
        << d;
  }
}

TEST_P(DwarfTypesTest, FunctionPointersTypedefChainsAndEnums) {
  auto cb = type(TypeTag::kStruct, "callbacks");
  EXPECT_EQ(member_type_name(cb, "handler"), "handler_t");
  auto handler = find_member(cb, "handler");
  ASSERT_TRUE(handler.ok());
  EXPECT_EQ(type_name(handler->type->target()), "int (*)(struct list_node *, const char *, ...)");
  EXPECT_EQ(member_type_name(cb, "no_args"), "void (*)(void)");
  // GCC gives an unprototyped `int (*)()` a DW_TAG_unspecified_parameters child: variadic
  // with no parameters, which drgn (and so this) spells "()".
  EXPECT_EQ(member_type_name(cb, "unprototyped"), "int (*)()");
  EXPECT_TRUE(find_member(cb, "unprototyped")->type->target()->is_variadic());
  EXPECT_EQ(member_type_name(cb, "counter"), "volatile unsigned long");
  EXPECT_EQ(member_type_name(cb, "id"), "id_t32");
  auto id = find_member(cb, "id");
  EXPECT_EQ(id->type->underlying().name(), "unsigned int");
  EXPECT_FALSE(id->type->is_signed());
  auto node = find_member(cb, "constant_node");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(type_name(node->type), "const_node *");
  QualifiedType pointee = underlying(node->type->target());
  EXPECT_EQ(type_name(pointee), "const struct list_node");
  for (const char* m : {"counter", "id", "constant_node", "colour"}) {
    EXPECT_EQ(static_cast<long long>(*offset_of(cb, m)),
              fact(std::string("offset struct callbacks ") + m));
  }

  auto colour = type(TypeTag::kEnum, "colour");
  ASSERT_EQ(colour->enumerators().size(), 3u);
  EXPECT_EQ(colour->enumerators()[1].name, "GREEN");
  EXPECT_EQ(static_cast<long long>(colour->enumerators()[1].value), fact("value GREEN"));
  EXPECT_FALSE(colour->is_signed());
  auto signed_values = type(TypeTag::kEnum, "signed_values");
  EXPECT_TRUE(signed_values->is_signed());
  EXPECT_EQ(signed_values->enumerators()[0].signed_value(), fact("value NEGATIVE"));
}

TEST_P(DwarfTypesTest, DeclarationsResolveToTheDefinitionInAnotherUnit) {
  // shapes.c only declares struct opaque; other.c defines it.
  auto pointer = variable_type("opaque_pointer");
  ASSERT_EQ(pointer->kind(), TypeKind::kPointer);
  const Type& opaque = pointer->target()->underlying();
  EXPECT_TRUE(opaque.is_complete());
  EXPECT_TRUE(find_member(pointer->target(), "defined_in_other_cu").ok());
  // Never defined anywhere: stays incomplete, and says so.
  auto never = variable_type("never_defined_pointer");
  EXPECT_FALSE(never->target()->is_complete());
  auto missing = find_member(never->target(), "x");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kTypeError);
}

TEST_P(DwarfTypesTest, MembersAreBuiltOnlyWhenAsked) {
  const std::size_t before = types_->cached_type_count();
  auto t = type(TypeTag::kStruct, "callbacks");
  const std::size_t after_handle = types_->cached_type_count();
  EXPECT_EQ(after_handle, before + 1);  // just the struct
  ASSERT_TRUE(t->members().ok());
  EXPECT_GT(types_->cached_type_count(), after_handle);  // now its members' types
}

TEST_P(DwarfTypesTest, FunctionTypesAndBaseTypeSpellings) {
  auto fn = index_->find_functions("marked_function");
  ASSERT_FALSE(fn.empty());
  auto type_of_fn = types_->type_of_object(fn[0].die_offset);
  ASSERT_TRUE(type_of_fn.ok());
  EXPECT_EQ(type_name(*type_of_fn), "int (int x)");
  auto ul = types_->find_type(TypeTag::kBase, "long unsigned int");
  ASSERT_TRUE(ul.ok());
  EXPECT_EQ((*ul)->name(), "unsigned long");
  EXPECT_EQ((*ul)->size(), 8u);
  auto missing = types_->find_type(TypeTag::kStruct, "no_such_struct");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().payload().name, "struct no_such_struct");
}

TEST_P(DwarfTypesTest, SameNamedStructsPickTheFirstUnit) {
  auto clash = type(TypeTag::kStruct, "clash");
  EXPECT_TRUE(find_member(clash, "only_here").ok());
}

TEST_P(DwarfTypesTest, ConcurrentLookupsAgree) {
  // Several threads build types and members at once through one DwarfTypes (one libdw handle
  // under its lock); all must see the same layout. Run under ASan/UBSan by scripts/test.
  const char* structs[] = {"bits", "with_anonymous", "arrays", "callbacks", "flexible"};
  std::vector<std::thread> threads;
  std::vector<std::string> results(8);
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      std::string text;
      for (int round = 0; round < 20; ++round) {
        for (const char* name : structs) {
          auto type = types_->find_type(TypeTag::kStruct, name);
          if (!type.ok()) return;
          auto members = (*type)->members();
          if (!members.ok()) return;
          if (round == 0) {
            for (const Member& m : *members) {
              text += m.name.value_or("?") + ":" + std::to_string(m.bit_offset) + ":" +
                      type_name(m.type) + ";";
            }
          }
        }
      }
      results[t] = text;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_FALSE(results[0].empty());
  for (const std::string& r : results) EXPECT_EQ(r, results[0]);
}

TEST_P(DwarfTypesTest, TypesOutliveNothingTheyNeed) {
  auto t = type(TypeTag::kStruct, "bits");
  types_.reset();  // the DwarfTypes is gone before the members are asked for
  auto members = t->members();
  ASSERT_FALSE(members.ok());
  EXPECT_EQ(members.error().code(), ErrorCode::kInternal);
}

INSTANTIATE_TEST_SUITE_P(DwarfVersions, DwarfTypesTest, ::testing::Values(4, 5),
                         [](const auto& p) { return "dwarf" + std::to_string(p.param); });

}  // namespace
}  // namespace vmscope::debuginfo
