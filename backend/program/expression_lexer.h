// Tokens of the C-like expression language (expression_parser.h has the grammar).
//
// The lexer knows C's punctuators, integer literals (decimal, 0x hex, 0 octal, suffixes u/l/ul/
// ll/ull in any case and order C allows), character literals ('a', '\n', '\x41', '\101') and
// string literals with the same escapes. Keywords are identifiers here; the parser decides what
// `struct` or `sizeof` means. Every token carries its 1-based column, so every later error can
// point at the character it is about.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/type.h"
#include "support/result.h"

namespace vmscope {

enum class TokenKind {
  kIdentifier,
  kInteger,
  kCharacter,
  kString,
  kPunctuator,
  kEnd,
};

struct IntegerSuffix {
  bool is_unsigned = false;
  int longs = 0;  // 0, 1 (l) or 2 (ll)
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;          // identifier / punctuator spelling; decoded string contents
  std::uint64_t value = 0;   // integer and character literals
  bool decimal = false;      // integer literal written in decimal (C types it differently)
  IntegerSuffix suffix;      // integer literals
  std::uint32_t column = 0;  // 1-based column of the first character
  std::uint32_t length = 0;  // characters in the source

  bool is(std::string_view punctuator) const {
    return kind == TokenKind::kPunctuator && text == punctuator;
  }
  bool is_identifier(std::string_view name) const {
    return kind == TokenKind::kIdentifier && text == name;
  }
};

// kSyntaxError (payload column) for a character that starts no token, an unterminated literal,
// a malformed number or escape; kLimitExceeded for text longer than `max_length`. The last
// token is always kEnd (its column is one past the text).
Result<std::vector<Token>> tokenize(std::string_view text, std::size_t max_length = 4096);

// Words of C type names, shared by the expression parser (casts, sizeof) and type_expression
// (types/get): the qualifier a token names, if any; a primitive type word ("unsigned", "int");
// a tag keyword ("struct", "union", "enum").
std::optional<debuginfo::Qualifiers> qualifier_of(const Token& token);
bool is_primitive_word(const Token& token);
bool is_tag_keyword(const Token& token);

}  // namespace vmscope
