#include "program/expression_lexer.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace vmscope {
namespace {

constexpr std::array<std::string_view, 11> kPrimitiveWords = {
    "void",     "char",  "short", "int",    "long",    "signed",
    "unsigned", "_Bool", "float", "double", "__int128"};

Error syntax_error(std::string message, std::size_t index) {
  return Error(ErrorCode::kSyntaxError, std::move(message),
               ErrorPayload{.column = static_cast<std::uint32_t>(index + 1)});
}

bool is_identifier_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

bool is_identifier_char(char c) {
  return is_identifier_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

// Longest first, so "<<" wins over "<".
constexpr std::array<std::string_view, 31> kPunctuators = {
    "->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "++", "--", "...", ".", "[", "]", "(",
    ")",  ",",  "*",  "&",  "-",  "+",  "~",  "!",  "/",  "%",  "<",  ">",   "^", "|", "?"};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> tokens;
    while (true) {
      while (i_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[i_]))) ++i_;
      const std::size_t start = i_;
      Token token;
      token.column = static_cast<std::uint32_t>(start + 1);
      if (i_ == text_.size()) {
        tokens.push_back(token);
        return tokens;
      }
      const char c = text_[i_];
      if (is_identifier_start(c)) {
        while (i_ < text_.size() && is_identifier_char(text_[i_])) ++i_;
        token.kind = TokenKind::kIdentifier;
        token.text = std::string(text_.substr(start, i_ - start));
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        VMSCOPE_CHECK(number(token));
      } else if (c == '\'') {
        VMSCOPE_CHECK(character(token));
      } else if (c == '"') {
        VMSCOPE_CHECK(string(token));
      } else if (c == ':') {
        ++i_;
        token.kind = TokenKind::kPunctuator;
        token.text = ":";
      } else {
        bool matched = false;
        for (std::string_view p : kPunctuators) {
          if (text_.substr(i_).starts_with(p)) {
            token.kind = TokenKind::kPunctuator;
            token.text = std::string(p);
            i_ += p.size();
            matched = true;
            break;
          }
        }
        if (!matched) {
          return syntax_error(std::string("unexpected character '") + c + "'", start);
        }
      }
      token.length = static_cast<std::uint32_t>(i_ - start);
      tokens.push_back(std::move(token));
    }
  }

 private:
  Status number(Token& token) {
    const std::size_t start = i_;
    int base = 10;
    if (text_[i_] == '0' && i_ + 1 < text_.size() &&
        (text_[i_ + 1] == 'x' || text_[i_ + 1] == 'X')) {
      base = 16;
      i_ += 2;
    } else if (text_[i_] == '0') {
      base = 8;
    }
    const std::size_t digits_start = i_;
    std::uint64_t value = 0;
    bool overflow = false;
    while (i_ < text_.size() && std::isalnum(static_cast<unsigned char>(text_[i_]))) {
      const int d = digit_value(text_[i_]);
      if (d >= base) break;
      if (value > (UINT64_MAX - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base)) {
        overflow = true;
      }
      value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
      ++i_;
    }
    if (base == 16 && i_ == digits_start) {
      return syntax_error("a hexadecimal literal needs digits after '0x'", start);
    }
    // Suffix: u, l, ll in either order and case (C11 6.4.4.1); "lL" is not allowed.
    const std::size_t suffix_start = i_;
    while (i_ < text_.size() && is_identifier_char(text_[i_])) ++i_;
    std::string_view suffix = text_.substr(suffix_start, i_ - suffix_start);
    std::string lower;
    for (char s : suffix)
      lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(s))));
    static constexpr std::array<std::string_view, 8> kSuffixes = {"",   "u",  "l",   "ul",
                                                                  "lu", "ll", "ull", "llu"};
    bool known = false;
    for (std::string_view k : kSuffixes) known = known || lower == k;
    const bool mixed_ll =
        suffix.find("lL") != std::string_view::npos || suffix.find("Ll") != std::string_view::npos;
    if (!known || mixed_ll) {
      if (!suffix.empty() && std::isdigit(static_cast<unsigned char>(suffix[0]))) {
        return syntax_error("invalid digit '" + std::string(1, suffix[0]) + "' in " +
                                (base == 8 ? "octal" : "decimal") + " literal",
                            suffix_start);
      }
      return syntax_error("invalid suffix '" + std::string(suffix) + "' on integer literal",
                          suffix_start);
    }
    if (overflow) return syntax_error("integer literal is too large for 64 bits", start);
    token.kind = TokenKind::kInteger;
    token.value = value;
    token.decimal = base == 10;
    token.suffix.is_unsigned = lower.find('u') != std::string::npos;
    token.suffix.longs = lower.find("ll") != std::string::npos  ? 2
                         : lower.find('l') != std::string::npos ? 1
                                                                : 0;
    token.text = std::string(text_.substr(start, i_ - start));
    return ok_status();
  }

  // One character of a char or string literal at i_, escapes decoded.
  Result<unsigned> literal_char() {
    const std::size_t start = i_;
    char c = text_[i_++];
    if (c != '\\') return static_cast<unsigned char>(c);
    if (i_ == text_.size()) return syntax_error("unterminated escape sequence", start);
    c = text_[i_++];
    switch (c) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'a': return '\a';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'v': return '\v';
      case 'e': return 27;  // GNU
      case '\\':
      case '\'':
      case '"':
      case '?': return static_cast<unsigned char>(c);
      case 'x': {
        unsigned value = 0;
        std::size_t digits = 0;
        while (i_ < text_.size() && digit_value(text_[i_]) < 16) {
          value = value * 16 + static_cast<unsigned>(digit_value(text_[i_++]));
          if (++digits > 2) return syntax_error("hex escape sequence out of range", start);
        }
        if (!digits) return syntax_error("\\x used with no following hex digits", start);
        return value;
      }
      default:
        if (c >= '0' && c <= '7') {
          unsigned value = static_cast<unsigned>(c - '0');
          for (int k = 0; k < 2 && i_ < text_.size() && text_[i_] >= '0' && text_[i_] <= '7'; ++k) {
            value = value * 8 + static_cast<unsigned>(text_[i_++] - '0');
          }
          if (value > 255) return syntax_error("octal escape sequence out of range", start);
          return value;
        }
        return syntax_error(std::string("unknown escape sequence '\\") + c + "'", start);
    }
  }

  Status character(Token& token) {
    const std::size_t start = i_++;
    if (i_ >= text_.size() || text_[i_] == '\'') {
      return syntax_error("empty or unterminated character literal", start);
    }
    VMSCOPE_TRY(unsigned value, literal_char());
    if (i_ >= text_.size() || text_[i_] != '\'') {
      return syntax_error("character literal must hold one character and end with '", start);
    }
    ++i_;
    token.kind = TokenKind::kCharacter;
    // A char is signed on x86_64: '\xff' is -1 as an int.
    token.value =
        static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<signed char>(value)));
    token.text = std::string(text_.substr(start, i_ - start));
    return ok_status();
  }

  Status string(Token& token) {
    const std::size_t start = i_++;
    std::string decoded;
    while (true) {
      if (i_ >= text_.size()) return syntax_error("unterminated string literal", start);
      if (text_[i_] == '"') break;
      VMSCOPE_TRY(unsigned value, literal_char());
      decoded.push_back(static_cast<char>(value));
    }
    ++i_;
    token.kind = TokenKind::kString;
    token.text = std::move(decoded);
    return ok_status();
  }

  std::string_view text_;
  std::size_t i_ = 0;
};

}  // namespace

Result<std::vector<Token>> tokenize(std::string_view text, std::size_t max_length) {
  if (text.size() > max_length) {
    return Error(ErrorCode::kLimitExceeded,
                 "the expression is " + std::to_string(text.size()) +
                     " characters long; the limit is " + std::to_string(max_length),
                 ErrorPayload{.column = static_cast<std::uint32_t>(max_length + 1)});
  }
  return Lexer(text).run();
}

std::optional<debuginfo::Qualifiers> qualifier_of(const Token& token) {
  if (token.kind != TokenKind::kIdentifier) return std::nullopt;
  if (token.text == "const") return debuginfo::kConst;
  if (token.text == "volatile") return debuginfo::kVolatile;
  if (token.text == "restrict" || token.text == "__restrict") return debuginfo::kRestrict;
  if (token.text == "_Atomic") return debuginfo::kAtomic;
  return std::nullopt;
}

bool is_primitive_word(const Token& token) {
  return token.kind == TokenKind::kIdentifier &&
         std::find(kPrimitiveWords.begin(), kPrimitiveWords.end(), token.text) !=
             kPrimitiveWords.end();
}

bool is_tag_keyword(const Token& token) {
  return token.is_identifier("struct") || token.is_identifier("union") ||
         token.is_identifier("enum") || token.is_identifier("class");
}

}  // namespace vmscope
