#include "program/expression_evaluator.h"

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

constexpr std::uint64_t kInitTask = 0x10000;
constexpr std::uint64_t kSecondTask = 0x20000;
constexpr std::uint64_t kJiffies = 0x11000;
constexpr std::uint64_t kTaskPointer = 0x11008;
constexpr std::uint64_t kPerCpuOffsets = 0x12000;
constexpr std::uint64_t kRunqueueOffset = 0x40;  // a per-CPU variable's "address"

// A miniature kernel:
//   struct list_head { struct list_head *next, *prev; };
//   struct task { int pid; char comm[16]; struct list_head tasks; struct task *parent;
//                 unsigned int flags : 3; unsigned int state : 5; };      // size 56
//   enum state { TASK_RUNNING = 0, TASK_DEAD = 64 };  typedef int pid_t;
class ExpressionEvaluatorTest : public ::testing::Test {
 protected:
  enum Key : std::uint64_t { kListHead, kTask };

  void SetUp() override {
    const auto& st = standard_types();
    structs_ = testing::LazyStructs::create();
    structs_->define(kListHead, [](const testing::LazyStructs& s) {
      auto self = pointer_to(q(s.make(TypeKind::kStruct, "list_head", 16, kListHead)));
      return std::vector<Member>{{"next", self, 0, 0}, {"prev", self, 64, 0}};
    });
    structs_->define(kTask, [&st](const testing::LazyStructs& s) {
      return std::vector<Member>{
          {"pid", q(st.int_type), 0, 0},
          {"comm", q(Type::make_array(q(st.char_type), 16)), 32, 0},
          {"tasks", q(s.make(TypeKind::kStruct, "list_head", 16, kListHead)), 192, 0},
          {"parent", pointer_to(q(s.make(TypeKind::kStruct, "task", 56, kTask))), 320, 0},
          {"flags", q(st.unsigned_int_type), 384, 3},
          {"state", q(st.unsigned_int_type), 387, 5}};
    });
    task_ = structs_->make(TypeKind::kStruct, "task", 56, kTask);
    auto list_head = structs_->make(TypeKind::kStruct, "list_head", 16, kListHead);
    auto state =
        Type::make_enum("state", st.unsigned_int_type, {{"TASK_RUNNING", 0}, {"TASK_DEAD", 64}});
    names_.types["struct task"] = q(task_);
    names_.types["struct list_head"] = q(list_head);
    names_.types["int"] = q(st.int_type);
    names_.types["char"] = q(st.char_type);
    names_.types["unsigned long"] = q(st.unsigned_long_type);
    names_.types["pid_t"] = q(Type::make_typedef("pid_t", q(st.int_type)));
    names_.add_variable("init_task", q(task_), kInitTask);
    names_.add_variable("jiffies", q(st.unsigned_long_type, debuginfo::kVolatile), kJiffies);
    names_.add_variable("task_ptr", pointer_to(q(task_)), kTaskPointer);
    names_.add_variable("__per_cpu_offset", q(Type::make_array(q(st.unsigned_long_type), 4)),
                        kPerCpuOffsets);
    names_.add_variable("runqueue", q(st.int_type), kRunqueueOffset);
    names_.functions["schedule"] = debuginfo::Function{
        "schedule", q(Type::make_function(q(st.void_type), {}, false)), 0x30000, {}};
    names_.constants["TASK_DEAD"] = debuginfo::Constant{"TASK_DEAD", q(state), 64, false};

    plant_task(kInitTask, 0, "swapper/0", kSecondTask + 24, kSecondTask + 24, kInitTask);
    plant_task(kSecondTask, 1, "init", kInitTask + 24, kInitTask + 24, kInitTask);
    target_.put<std::uint64_t>(kJiffies, 4294893814);
    target_.put<std::uint64_t>(kTaskPointer, kSecondTask);
    const std::uint64_t offsets[4] = {0x100000, 0x200000, 0x300000, 0x400000};
    target_.write(kPerCpuOffsets, offsets, sizeof offsets);
    target_.put<std::int32_t>(0x200000 + kRunqueueOffset, 77);
    // flags = 5, state = 9 in the bits after pid..parent.
    target_.put<std::uint8_t>(kInitTask + 48, static_cast<std::uint8_t>(5 | (9 << 3)));
  }

  void plant_task(std::uint64_t at, std::int32_t pid, const std::string& comm, std::uint64_t next,
                  std::uint64_t prev, std::uint64_t parent) {
    target_.put(at, pid);
    target_.put_string(at + 4, comm);
    target_.put(at + 24, next);
    target_.put(at + 32, prev);
    target_.put(at + 40, parent);
  }

  Result<Object> eval(std::string_view text, EvaluationOptions options = {}) {
    ExpressionEvaluator evaluator(target_.memory(), names_);
    return evaluator.evaluate(text, options);
  }
  std::int64_t value(std::string_view text) {
    auto object = eval(text);
    EXPECT_TRUE(object.ok()) << text << ": " << object.error().to_string();
    if (!object.ok()) return -999999;
    auto v = object->read_signed();
    EXPECT_TRUE(v.ok()) << text << ": " << v.error().to_string();
    return v.ok() ? *v : -999999;
  }
  std::string type_of(std::string_view text) {
    auto object = eval(text);
    return object.ok() ? debuginfo::type_name(object->type()) : object.error().to_string();
  }
  Error failure(std::string_view text) {
    auto object = eval(text);
    if (object.ok()) {
      auto read = object->read();  // a lazy object fails when read
      if (!read.ok()) return read.error();
      ADD_FAILURE() << text << " evaluated without error";
      return Error(ErrorCode::kInternal, "no error");
    }
    return object.error();
  }

  testing::SyntheticTarget target_;
  testing::TableLookup names_;
  std::shared_ptr<testing::LazyStructs> structs_;
  TypeRef task_;
};

TEST_F(ExpressionEvaluatorTest, GlobalsMembersAndStrings) {
  auto comm = eval("init_task.comm");
  ASSERT_TRUE(comm.ok()) << comm.error().to_string();
  EXPECT_EQ(comm->address(), kInitTask + 4);
  EXPECT_EQ(*comm->read_c_string(64), "swapper/0");
  EXPECT_EQ(value("init_task.tasks.next"), static_cast<std::int64_t>(kSecondTask + 24));
  EXPECT_EQ(value("jiffies"), 4294893814);
  EXPECT_EQ(type_of("jiffies"), "volatile unsigned long");
  EXPECT_EQ(value("init_task.flags"), 5);
  EXPECT_EQ(value("init_task.state"), 9);
  EXPECT_EQ(value("init_task.comm[1]"), 'w');
  EXPECT_EQ(value("1[init_task.comm]"), 'w');
}

TEST_F(ExpressionEvaluatorTest, PointersCastsAndContainerOf) {
  EXPECT_EQ(value("((struct task *)0x20000)->pid"), 1);
  EXPECT_EQ(*eval("((struct task *)0x20000)->comm")->read_c_string(64), "init");
  EXPECT_EQ(value("task_ptr->pid"), 1);
  EXPECT_EQ(value("(*task_ptr).pid"), 1);
  EXPECT_EQ(value("task_ptr->parent->parent->tasks.next->next == &init_task.tasks"), 1);
  EXPECT_EQ(value("container_of(init_task.tasks.next, struct task, tasks)->pid"), 1);
  EXPECT_EQ(type_of("container_of(init_task.tasks.next, struct task, tasks)"), "struct task *");
  EXPECT_EQ(value("&init_task.tasks"), static_cast<std::int64_t>(kInitTask + 24));
  EXPECT_EQ(type_of("&init_task.tasks"), "struct list_head *");
  EXPECT_EQ(value("(struct task *)0x20000 + 2"), static_cast<std::int64_t>(kSecondTask + 112));
  EXPECT_EQ(value("&init_task.comm[3] - init_task.comm"), 3);
  EXPECT_EQ(value("(pid_t)-1"), -1);
  EXPECT_EQ(type_of("(pid_t)-1"), "pid_t");
  EXPECT_EQ(type_of("(unsigned long)init_task.comm"), "unsigned long");
  EXPECT_EQ(value("(char)300"), 44);
  EXPECT_EQ(type_of("schedule"), "void (void)");
  EXPECT_EQ(value("(unsigned long)schedule"), 0x30000);
  EXPECT_EQ(value("&schedule == schedule"), 1);
}

TEST_F(ExpressionEvaluatorTest, LiteralsSizeofOffsetofEnumerators) {
  EXPECT_EQ(type_of("1"), "int");
  EXPECT_EQ(type_of("2147483648"), "long");
  EXPECT_EQ(type_of("0xffffffff"), "unsigned int");
  EXPECT_EQ(type_of("0xffff8d77011fa0c0"), "unsigned long");
  EXPECT_EQ(type_of("1ul"), "unsigned long");
  EXPECT_EQ(type_of("1ll"), "long long");
  EXPECT_EQ(type_of("'a'"), "int");
  EXPECT_EQ(value("010 + 0x10 + 10"), 34);
  EXPECT_EQ(value("-1 < 0u"), 0);  // C: -1 converts to UINT_MAX
  EXPECT_EQ(value("sizeof(struct task)"), 56);
  EXPECT_EQ(type_of("sizeof(struct task)"), "size_t");
  EXPECT_EQ(value("sizeof init_task.comm"), 16);
  EXPECT_EQ(value("sizeof(struct task *)"), 8);
  EXPECT_EQ(value("sizeof(int [3])"), 12);
  EXPECT_EQ(value("offsetof(struct task, tasks.prev)"), 32);
  EXPECT_EQ(value("offsetof(struct task, comm[5])"), 9);
  EXPECT_EQ(value("TASK_DEAD"), 64);
  EXPECT_EQ(type_of("TASK_DEAD"), "enum state");
  EXPECT_EQ(value("TASK_DEAD | 1"), 65);
  EXPECT_EQ(value("sizeof(\"abc\")"), 4);
  EXPECT_EQ(value("\"abc\"[1]"), 'b');
}

TEST_F(ExpressionEvaluatorTest, LogicalOperatorsShortCircuit) {
  // The right sides would read unmapped memory; they must not be evaluated.
  EXPECT_EQ(value("0 && *(int *)0x7fff00000000"), 0);
  EXPECT_EQ(value("1 || *(int *)0x7fff00000000"), 1);
  EXPECT_EQ(value("init_task.pid == 0 ? 7 : *(int *)0x7fff00000000"), 7);
  EXPECT_EQ(value("!init_task.pid && task_ptr"), 1);
}

TEST_F(ExpressionEvaluatorTest, PerCpuUsesTheDumpsOffsets) {
  auto rq = eval("per_cpu(runqueue, 1)");
  ASSERT_TRUE(rq.ok()) << rq.error().to_string();
  EXPECT_EQ(rq->address(), 0x200000 + kRunqueueOffset);
  EXPECT_EQ(*rq->read_signed(), 77);
  EXPECT_EQ(value("per_cpu_ptr(&runqueue, 1) == &per_cpu(runqueue, 1)"), 1);
  auto beyond = failure("per_cpu(runqueue, 4)");
  EXPECT_EQ(beyond.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(failure("per_cpu(3, 0)").code(), ErrorCode::kTypeError);
}

TEST_F(ExpressionEvaluatorTest, UnknownNamesAreNotFoundWithColumns) {
  auto identifier = failure("1 + nosuch");
  EXPECT_EQ(identifier.code(), ErrorCode::kNotFound);
  EXPECT_EQ(identifier.payload().column, 5u);
  EXPECT_EQ(identifier.payload().name, "nosuch");
  auto member = failure("init_task.tasks.nosuch");
  EXPECT_EQ(member.code(), ErrorCode::kNotFound);
  EXPECT_EQ(member.payload().column, 17u);
  EXPECT_EQ(member.payload().name, "nosuch");
  auto type = failure("(struct nosuch *)0");
  EXPECT_EQ(type.code(), ErrorCode::kNotFound);
  EXPECT_EQ(type.payload().column, 2u);
  EXPECT_EQ(type.payload().name, "struct nosuch");
  auto designator = failure("container_of(task_ptr, struct task, tasks.nope)");
  EXPECT_EQ(designator.code(), ErrorCode::kNotFound);
  EXPECT_EQ(designator.payload().column, 43u);
  auto offsetof_member = failure("offsetof(struct task, bogus)");
  EXPECT_EQ(offsetof_member.code(), ErrorCode::kNotFound);
  EXPECT_EQ(offsetof_member.payload().column, 23u);
}

TEST_F(ExpressionEvaluatorTest, TypeErrorsWithColumns) {
  auto arrow = failure("init_task->pid");
  EXPECT_EQ(arrow.code(), ErrorCode::kTypeError);
  EXPECT_EQ(arrow.payload().column, 12u);
  auto dot = failure("task_ptr.pid");
  EXPECT_EQ(dot.code(), ErrorCode::kTypeError);
  EXPECT_EQ(dot.payload().column, 10u);
  EXPECT_NE(dot.message().find("'->'"), std::string::npos);
  auto arithmetic = failure("jiffies + init_task");
  EXPECT_EQ(arithmetic.code(), ErrorCode::kTypeError);
  EXPECT_EQ(arithmetic.payload().column, 9u);
  auto bad_cast = failure("(struct task)1");
  EXPECT_EQ(bad_cast.code(), ErrorCode::kTypeError);
  EXPECT_EQ(bad_cast.payload().column, 1u);
  auto deref = failure("*jiffies");
  EXPECT_EQ(deref.code(), ErrorCode::kTypeError);
  EXPECT_EQ(deref.payload().column, 1u);
  auto address = failure("&init_task.flags");
  EXPECT_EQ(address.code(), ErrorCode::kTypeError);
  auto index = failure("init_task.comm[task_ptr->comm]");
  EXPECT_EQ(index.code(), ErrorCode::kTypeError);
  EXPECT_EQ(index.payload().column, 16u);
  auto sizeof_void = failure("1 + sizeof(void)");
  EXPECT_EQ(sizeof_void.code(), ErrorCode::kTypeError);
  EXPECT_EQ(sizeof_void.payload().column, 12u);
}

TEST_F(ExpressionEvaluatorTest, SyntaxErrorsCarryColumns) {
  auto e = failure("init_task.comm[");
  EXPECT_EQ(e.code(), ErrorCode::kSyntaxError);
  EXPECT_EQ(e.payload().column, 16u);
  EXPECT_EQ(failure("(pid_t 3").payload().column, 8u);
}

TEST_F(ExpressionEvaluatorTest, UnreadableMemoryGivesThePreciseError) {
  // Nothing at 0x500000: the pid read fails at its address.
  auto pid = failure("((struct task *)0x500000)->pid");
  EXPECT_EQ(pid.code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(pid.payload().address, 0x500000u);
  // A pointer on the way cannot be read: evaluation itself fails there.
  auto parent = eval("((struct task *)0x500000)->parent->pid");
  ASSERT_FALSE(parent.ok());
  EXPECT_EQ(parent.error().code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(parent.error().payload().address, 0x500028u);
  // An excluded page keeps its code and address.
  plant_task(0x600000, 5, "gone", 0, 0, 0x700000);
  target_.put<std::int32_t>(0x700000, 9);
  target_.physical().exclude_page(0x700000);
  auto excluded = failure("((struct task *)0x600000)->parent->pid");
  EXPECT_EQ(excluded.code(), ErrorCode::kPageExcluded);
  EXPECT_EQ(excluded.payload().address, 0x700000u);
  // Garbage above the mapped range.
  auto garbage = failure("*(int *)0xdead000000000000");
  EXPECT_EQ(garbage.code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(garbage.payload().address, 0xdead000000000000u);
}

TEST_F(ExpressionEvaluatorTest, CancellationStopsEvaluation) {
  CancellationSource source;
  source.cancel();
  auto result = eval("init_task.pid", {.cancel = source.token()});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kCancelled);
}

TEST_F(ExpressionEvaluatorTest, CastDecidesByTheNames) {
  ExpressionEvaluator evaluator(target_.memory(), names_);
  EXPECT_TRUE(evaluator.is_typedef_name("pid_t"));
  EXPECT_FALSE(evaluator.is_typedef_name("jiffies"));
  EXPECT_FALSE(evaluator.is_typedef_name("nosuch"));
  EXPECT_EQ(value("(jiffies) - 4294893813"), 1);
}

}  // namespace
}  // namespace vmscope
