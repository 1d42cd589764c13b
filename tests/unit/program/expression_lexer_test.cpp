#include "program/expression_lexer.h"

#include <gtest/gtest.h>

namespace vmscope {
namespace {

std::vector<Token> lex(std::string_view text) {
  auto tokens = tokenize(text);
  EXPECT_TRUE(tokens.ok()) << text << ": " << tokens.error().to_string();
  return tokens.ok() ? *tokens : std::vector<Token>{};
}

Error lex_error(std::string_view text) {
  auto tokens = tokenize(text);
  EXPECT_FALSE(tokens.ok()) << text;
  return tokens.ok() ? Error(ErrorCode::kInternal, "no error") : tokens.error();
}

TEST(ExpressionLexerTest, TokensCarryTheirColumns) {
  auto tokens = lex("  init_task->tasks.next[3] << 1");
  ASSERT_EQ(tokens.size(), 11u);
  EXPECT_EQ(tokens[0].text, "init_task");
  EXPECT_EQ(tokens[0].column, 3u);
  EXPECT_TRUE(tokens[1].is("->"));
  EXPECT_EQ(tokens[1].column, 12u);
  EXPECT_EQ(tokens[2].text, "tasks");
  EXPECT_TRUE(tokens[3].is("."));
  EXPECT_EQ(tokens[6].kind, TokenKind::kInteger);
  EXPECT_EQ(tokens[6].value, 3u);
  EXPECT_TRUE(tokens[8].is("<<"));  // the longest punctuator wins
  EXPECT_EQ(tokens[8].column, 28u);
  EXPECT_EQ(tokens.back().kind, TokenKind::kEnd);
  EXPECT_EQ(tokens.back().column, 32u);
}

TEST(ExpressionLexerTest, IntegerLiteralsAndSuffixes) {
  auto tokens = lex("42 0x2A 052 0 18446744073709551615ull 7u 8L 9lu 10LL 0xffff8d77011fa0c0");
  ASSERT_GE(tokens.size(), 10u);
  EXPECT_EQ(tokens[0].value, 42u);
  EXPECT_TRUE(tokens[0].decimal);
  EXPECT_EQ(tokens[1].value, 42u);
  EXPECT_FALSE(tokens[1].decimal);
  EXPECT_EQ(tokens[2].value, 42u);  // octal
  EXPECT_FALSE(tokens[2].decimal);
  EXPECT_EQ(tokens[3].value, 0u);
  EXPECT_EQ(tokens[4].value, UINT64_MAX);
  EXPECT_TRUE(tokens[4].suffix.is_unsigned);
  EXPECT_EQ(tokens[4].suffix.longs, 2);
  EXPECT_TRUE(tokens[5].suffix.is_unsigned);
  EXPECT_EQ(tokens[5].suffix.longs, 0);
  EXPECT_EQ(tokens[6].suffix.longs, 1);
  EXPECT_TRUE(tokens[7].suffix.is_unsigned);
  EXPECT_EQ(tokens[7].suffix.longs, 1);
  EXPECT_EQ(tokens[8].suffix.longs, 2);
  EXPECT_EQ(tokens[9].value, 0xffff8d77011fa0c0u);
}

TEST(ExpressionLexerTest, CharacterAndStringLiterals) {
  auto tokens = lex(R"('a' '\n' '\x41' '\101' '\'' '\xff' "sw\tap\"per\0")");
  ASSERT_EQ(tokens.size(), 8u);
  EXPECT_EQ(tokens[0].value, 97u);
  EXPECT_EQ(tokens[1].value, 10u);
  EXPECT_EQ(tokens[2].value, 65u);
  EXPECT_EQ(tokens[3].value, 65u);
  EXPECT_EQ(tokens[4].value, 39u);
  EXPECT_EQ(static_cast<std::int64_t>(tokens[5].value), -1);  // char is signed
  EXPECT_EQ(tokens[6].kind, TokenKind::kString);
  EXPECT_EQ(tokens[6].text, std::string("sw\tap\"per\0", 10));
}

TEST(ExpressionLexerTest, ErrorsPointAtTheProblem) {
  auto unexpected = lex_error("jiffies @ 2");
  EXPECT_EQ(unexpected.code(), ErrorCode::kSyntaxError);
  EXPECT_EQ(unexpected.payload().column, 9u);
  EXPECT_EQ(lex_error("0x").payload().column, 1u);
  auto suffix = lex_error("1 + 12abc");
  EXPECT_EQ(suffix.payload().column, 7u);
  EXPECT_NE(suffix.message().find("abc"), std::string::npos);
  auto octal = lex_error("09");
  EXPECT_EQ(octal.payload().column, 2u);
  EXPECT_EQ(lex_error("99999999999999999999").payload().column, 1u);
  EXPECT_EQ(lex_error("x + \"open").payload().column, 5u);
  EXPECT_EQ(lex_error("''").payload().column, 1u);
  EXPECT_EQ(lex_error("'ab'").payload().column, 1u);
  EXPECT_EQ(lex_error("1lL").payload().column, 2u);
  EXPECT_EQ(lex_error(R"("\q")").payload().column, 2u);
}

TEST(ExpressionLexerTest, LengthIsBounded) {
  auto tokens = tokenize(std::string(5000, '1'), 4096);
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.error().code(), ErrorCode::kLimitExceeded);
}

}  // namespace
}  // namespace vmscope
