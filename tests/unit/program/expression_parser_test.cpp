#include "program/expression_parser.h"

#include <gtest/gtest.h>

#include <set>

namespace vmscope {
namespace {

// The tree in prefix form, to compare shapes: (+ 1 (* 2 3)).
std::string show(const Expression& e) {
  auto sub = [&](std::size_t i) { return show(*e.operands[i]); };
  auto type = [&] {
    std::string text = e.type_name.base;
    for (std::size_t i = 0; i < e.type_name.pointers.size(); ++i) text += "*";
    for (auto n : e.type_name.array_lengths) text += "[" + std::to_string(n) + "]";
    return text;
  };
  switch (e.kind) {
    case ExpressionKind::kIdentifier: return e.name;
    case ExpressionKind::kInteger:
    case ExpressionKind::kCharacter: return std::to_string(e.literal.value);
    case ExpressionKind::kString: return "\"" + e.name + "\"";
    case ExpressionKind::kMember: return "(. " + sub(0) + " " + e.name + ")";
    case ExpressionKind::kArrow: return "(-> " + sub(0) + " " + e.name + ")";
    case ExpressionKind::kSubscript: return "([] " + sub(0) + " " + sub(1) + ")";
    case ExpressionKind::kUnary:
      return "(" + std::string(operator_spelling(e.unary_operator)) + " " + sub(0) + ")";
    case ExpressionKind::kDereference: return "(deref " + sub(0) + ")";
    case ExpressionKind::kAddressOf: return "(addr " + sub(0) + ")";
    case ExpressionKind::kBinary:
      return "(" + std::string(operator_spelling(e.binary_operator)) + " " + sub(0) + " " + sub(1) +
             ")";
    case ExpressionKind::kLogicalAnd: return "(&& " + sub(0) + " " + sub(1) + ")";
    case ExpressionKind::kLogicalOr: return "(|| " + sub(0) + " " + sub(1) + ")";
    case ExpressionKind::kConditional: return "(? " + sub(0) + " " + sub(1) + " " + sub(2) + ")";
    case ExpressionKind::kCast: return "(cast " + type() + " " + sub(0) + ")";
    case ExpressionKind::kSizeofType: return "(sizeof-type " + type() + ")";
    case ExpressionKind::kSizeofExpression: return "(sizeof " + sub(0) + ")";
    case ExpressionKind::kOffsetof: return "(offsetof " + type() + " " + e.designator.text + ")";
    case ExpressionKind::kContainerOf:
      return "(container_of " + sub(0) + " " + type() + " " + e.designator.text + ")";
    case ExpressionKind::kPerCpu: return "(per_cpu " + sub(0) + " " + sub(1) + ")";
    case ExpressionKind::kPerCpuPtr: return "(per_cpu_ptr " + sub(0) + " " + sub(1) + ")";
  }
  return "?";
}

const std::set<std::string, std::less<>> kTypedefs = {"pid_t", "u64"};

bool is_typedef(std::string_view name) {
  return kTypedefs.count(name) > 0;
}

std::string parse(std::string_view text) {
  auto e = parse_expression(text, is_typedef);
  if (!e.ok()) return "error: " + e.error().to_string();
  return show(**e);
}

Error parse_error(std::string_view text, ParseOptions options = {}) {
  auto e = parse_expression(text, is_typedef, options);
  EXPECT_FALSE(e.ok()) << text << " parsed as " << (e.ok() ? show(**e) : "");
  return e.ok() ? Error(ErrorCode::kInternal, "parsed") : e.error();
}

TEST(ExpressionParserTest, PrecedenceAndAssociativity) {
  EXPECT_EQ(parse("1 + 2 * 3"), "(+ 1 (* 2 3))");
  EXPECT_EQ(parse("1 - 2 - 3"), "(- (- 1 2) 3)");
  EXPECT_EQ(parse("a << 1 + 2 < b == c & d ^ e | f && g || h"),
            "(|| (&& (| (^ (& (== (< (<< a (+ 1 2)) b) c) d) e) f) g) h)");
  EXPECT_EQ(parse("a ? b : c ? d : e"), "(? a b (? c d e))");
  EXPECT_EQ(parse("-*p->next[2].x"), "(- (deref (. ([] (-> p next) 2) x)))");
  EXPECT_EQ(parse("&init_task.tasks"), "(addr (. init_task tasks))");
  EXPECT_EQ(parse("!~x"), "(! (~ x))");
  EXPECT_EQ(parse("(a + b) * c"), "(* (+ a b) c)");
}

TEST(ExpressionParserTest, CastsNeedATypeName) {
  EXPECT_EQ(parse("(struct task_struct *)0xffff8d77011fa0c0"),
            "(cast struct task_struct* 18446618140992315584)");
  EXPECT_EQ(parse("((struct task_struct *)p)->pid"), "(-> (cast struct task_struct* p) pid)");
  EXPECT_EQ(parse("(unsigned long)x"), "(cast unsigned long x)");
  EXPECT_EQ(parse("(const char **)x"), "(cast char** x)");
  EXPECT_EQ(parse("(pid_t)x"), "(cast pid_t x)");
  EXPECT_EQ(parse("(u64 *)&x"), "(cast u64* (addr x))");
  EXPECT_EQ(parse("(x)-1"), "(- x 1)");  // x is not a type: a subtraction
  EXPECT_EQ(parse("(pid_t)-1"), "(cast pid_t (- 1))");
  EXPECT_EQ(parse("(int [4])x"), "(cast int[4] x)");
  auto qualified = parse_expression("(const volatile struct s * const *)0", is_typedef);
  ASSERT_TRUE(qualified.ok());
  EXPECT_EQ((*qualified)->type_name.base_qualifiers, debuginfo::kConst | debuginfo::kVolatile);
  ASSERT_EQ((*qualified)->type_name.pointers.size(), 2u);
  EXPECT_EQ((*qualified)->type_name.pointers[0], debuginfo::kConst);
  EXPECT_EQ((*qualified)->type_name.pointers[1], 0);
}

TEST(ExpressionParserTest, SizeofOffsetofContainerOfPerCpu) {
  EXPECT_EQ(parse("sizeof(struct task_struct)"), "(sizeof-type struct task_struct)");
  EXPECT_EQ(parse("sizeof(pid_t)"), "(sizeof-type pid_t)");
  EXPECT_EQ(parse("sizeof x + 1"), "(+ (sizeof x) 1)");
  EXPECT_EQ(parse("sizeof(x)"), "(sizeof x)");
  EXPECT_EQ(parse("offsetof(struct task_struct, pids[1].node)"),
            "(offsetof struct task_struct pids[1].node)");
  EXPECT_EQ(parse("container_of(init_task.tasks.next, struct task_struct, tasks)"),
            "(container_of (. (. init_task tasks) next) struct task_struct tasks)");
  EXPECT_EQ(parse("per_cpu(runqueues, 1).curr"), "(. (per_cpu runqueues 1) curr)");
  EXPECT_EQ(parse("per_cpu_ptr(p, 0)"), "(per_cpu_ptr p 0)");
  EXPECT_EQ(parse("\"ab\" \"cd\""), "\"abcd\"");
}

TEST(ExpressionParserTest, DesignatorColumnsFollowTheSource) {
  auto e = parse_expression("offsetof(struct s, a . b [ 2 ])", is_typedef);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->designator.text, "a.b[2]");
  ASSERT_EQ((*e)->designator.columns.size(), 6u);
  EXPECT_EQ((*e)->designator.columns[0], 20u);  // a
  EXPECT_EQ((*e)->designator.columns[2], 24u);  // b
  EXPECT_EQ((*e)->designator.columns[4], 28u);  // 2
}

TEST(ExpressionParserTest, SyntaxErrorsCarryTheColumn) {
  auto dangling = parse_error("init_task.");
  EXPECT_EQ(dangling.code(), ErrorCode::kSyntaxError);
  EXPECT_EQ(dangling.payload().column, 11u);
  EXPECT_EQ(parse_error("1 +").payload().column, 4u);
  EXPECT_EQ(parse_error("(struct task_struct *0").payload().column, 22u);
  EXPECT_EQ(parse_error("(1 + 2").payload().column, 7u);
  EXPECT_EQ(parse_error("a b").payload().column, 3u);
  EXPECT_EQ(parse_error("a[1").payload().column, 4u);
  EXPECT_EQ(parse_error("(struct)x").payload().column, 8u);
  EXPECT_EQ(parse_error("x ? y").payload().column, 6u);
  EXPECT_EQ(parse_error("offsetof(struct s, )").payload().column, 20u);
  EXPECT_EQ(parse_error("p->").payload().column, 4u);
  EXPECT_EQ(parse_error("sizeof(int").payload().column, 11u);
  EXPECT_EQ(parse_error("").payload().column, 1u);
}

TEST(ExpressionParserTest, UnsupportedCIsSaidSo) {
  auto increment = parse_error("x++");
  EXPECT_EQ(increment.code(), ErrorCode::kUnsupported);
  EXPECT_EQ(increment.payload().column, 2u);
  auto call = parse_error("schedule()");
  EXPECT_EQ(call.code(), ErrorCode::kUnsupported);
  EXPECT_EQ(call.payload().column, 9u);
  EXPECT_EQ(parse_error("(void (*)(void))x").code(), ErrorCode::kUnsupported);
}

TEST(ExpressionParserTest, DepthIsBounded) {
  std::string nested = std::string(200, '(') + "1" + std::string(200, ')');
  EXPECT_EQ(parse_error(nested).code(), ErrorCode::kLimitExceeded);
  std::string chain = "1";
  for (int i = 0; i < 300; ++i) chain += "+1";
  auto long_chain = parse_error(chain);
  EXPECT_EQ(long_chain.code(), ErrorCode::kLimitExceeded);
  EXPECT_TRUE(long_chain.payload().column.has_value());
  EXPECT_EQ(parse_error(std::string(300, '~') + "1").code(), ErrorCode::kLimitExceeded);
  // Within the bound, fine.
  EXPECT_TRUE(parse_expression(std::string(50, '(') + "1" + std::string(50, ')'), is_typedef).ok());
}

}  // namespace
}  // namespace vmscope
