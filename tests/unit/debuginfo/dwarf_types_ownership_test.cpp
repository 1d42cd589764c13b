// Who owns the type graph DwarfTypes builds. Types from DWARF form cycles (struct list_node's
// members point back at struct list_node); while types owned each other through shared_ptr,
// closing a dump leaked the whole graph (LSan reported it from the member loading). These tests
// prove the graph is freed once DwarfTypes and every type it handed out are gone — by watching
// a weak_ptr expire, which fails in any build, and under the ASan build (ctest runs it with
// ASAN_OPTIONS=detect_leaks=1) by LeakSanitizer finding nothing at exit — and that a type kept
// after DwarfTypes is closed stays usable, links and loaded members included (ASan would report
// a use after free).
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <set>

#include "debuginfo/dwarf_index_builder.h"
#include "debuginfo/dwarf_types.h"
#include "debuginfo/type_name.h"
#include "test_programs.h"

namespace vmscope::debuginfo {
namespace {

using testing::TempDir;

class DwarfTypesOwnershipTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    program_ = testing::build_shapes(*dir_, 5);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    auto file = DwarfFile::open(program_);
    ASSERT_TRUE(file.ok()) << file.error().to_string();
    auto index = build_dwarf_index(program_, {}, nullptr);
    ASSERT_TRUE(index.ok()) << index.error().to_string();
    types_ = DwarfTypes::create(std::move(file).value(), *index);
  }

  QualifiedType find(TypeTag tag, const std::string& name) {
    auto t = types_->find_type(tag, name);
    EXPECT_TRUE(t.ok()) << name << ": " << t.error().to_string();
    return t.ok() ? *t : QualifiedType{Type::make_void(), 0};
  }

  // Loads the members of every compound reachable from `root` (through pointers, arrays,
  // typedefs, functions), so that every cycle the graph has is closed.
  static std::size_t load_everything(const QualifiedType& root) {
    std::set<const Type*> seen;
    std::function<void(const QualifiedType&)> visit = [&](const QualifiedType& q) {
      if (!q.type || !seen.insert(q.type.get()).second) return;
      if (q->target().type) visit(q->target());
      for (const Parameter& p : q->parameters()) visit(p.type);
      if (q->is_compound() && q->is_complete()) {
        auto members = q->members();
        EXPECT_TRUE(members.ok()) << type_name(q);
        if (!members.ok()) return;
        for (const Member& m : *members) visit(m.type);
      }
    };
    visit(root);
    return seen.size();
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::string program_;
  std::shared_ptr<DwarfTypes> types_;
};

TEST_F(DwarfTypesOwnershipTest, ASelfReferentialStructIsFreedWithItsDebugInfo) {
  std::weak_ptr<const Type> watched;
  {
    QualifiedType node = find(TypeTag::kStruct, "list_node");
    auto members = node->members();
    ASSERT_TRUE(members.ok());
    ASSERT_EQ(members->size(), 2u);
    // next points back at the struct itself: the cycle that used to keep everything alive.
    EXPECT_EQ((*members)[0].type->target().type.get(), node.type.get());
    watched = node.type;
  }
  EXPECT_FALSE(watched.expired()) << "DwarfTypes still holds the graph";
  types_.reset();
  EXPECT_TRUE(watched.expired()) << "the type graph outlived DwarfTypes and every reference";
}

TEST_F(DwarfTypesOwnershipTest, EveryTypeOfTheProgramIsFreed) {
  std::weak_ptr<const Type> watched;
  std::size_t reached = 0;
  for (const char* name : {"bits", "with_anonymous", "flexible", "zero_length", "arrays",
                           "callbacks", "clash", "list_node"}) {
    QualifiedType t = find(TypeTag::kStruct, name);
    reached += load_everything(t);
    if (watched.expired()) watched = t.type;
  }
  reached += load_everything(find(TypeTag::kUnion, "number"));
  reached += load_everything(find(TypeTag::kTypedef, "handler_t"));
  EXPECT_GT(reached, 20u);
  EXPECT_GT(types_->arena_size(), 20u);
  std::printf("[ types    ] %zu types reached, %zu owned by the arena\n", reached,
              types_->arena_size());
  types_.reset();
  EXPECT_TRUE(watched.expired());
}

TEST_F(DwarfTypesOwnershipTest, ATypeKeptAfterCloseKeepsTheGraphAlive) {
  QualifiedType callbacks = find(TypeTag::kStruct, "callbacks");
  ASSERT_GT(load_everything(callbacks), 3u);
  QualifiedType node = find(TypeTag::kStruct, "list_node");
  std::weak_ptr<const Type> watched = node.type;
  node = {};
  QualifiedType bits = find(TypeTag::kStruct, "bits");  // members never loaded
  types_.reset();
  // The kept type, its loaded members and what they link to are still there (ASan would
  // report a use after free otherwise), and names print through the links.
  EXPECT_FALSE(watched.expired());
  auto members = callbacks->members();
  ASSERT_TRUE(members.ok());
  std::size_t named = 0;
  for (const Member& m : *members) named += type_name(m.type).empty() ? 0 : 1;
  EXPECT_EQ(named, members->size());
  // Members not loaded before the close cannot be loaded now: an error, not a crash.
  auto unloaded = bits->members();
  ASSERT_FALSE(unloaded.ok());
  EXPECT_NE(unloaded.error().message().find("closed"), std::string::npos)
      << unloaded.error().to_string();
  callbacks = {};
  bits = {};
  EXPECT_TRUE(watched.expired());
}

}  // namespace
}  // namespace vmscope::debuginfo
