#include "program/type_expression.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "debuginfo/primitive_type_names.h"
#include "debuginfo/type_name.h"
#include "program/expression_lexer.h"
#include "program/standard_types.h"

namespace vmscope {
namespace {

using debuginfo::Parameter;
using debuginfo::QualifiedType;
using debuginfo::Qualifiers;
using debuginfo::Type;
using debuginfo::TypeKind;

// Parentheses and parameter lists nest at most this deep; deeper text is refused rather than
// recursing without bound.
constexpr int kMaxNesting = 64;
constexpr std::size_t kMaxTextLength = 4096;

// One step of a declarator, applied to the type built so far.
struct Derivation {
  enum class Kind { kPointer, kArray, kFunction } kind = Kind::kPointer;
  std::uint32_t column = 0;
  Qualifiers qualifiers = 0;            // pointers
  std::optional<std::uint64_t> length;  // arrays; nullopt: `[]`
  std::vector<Parameter> parameters;    // functions
  bool is_variadic = false;             // functions
};

class TypeNameParser {
 public:
  TypeNameParser(std::vector<Token> tokens, const NameLookup& names)
      : tokens_(std::move(tokens)), names_(names) {}

  Result<QualifiedType> parse() {
    VMSCOPE_TRY(QualifiedType base, specifiers());
    VMSCOPE_TRY(std::vector<Derivation> steps, declarator(/*allow_name=*/false, 0));
    if (peek().kind != TokenKind::kEnd) {
      return syntax_error(peek(), "unexpected '" + spelling(peek()) + "' after the type name");
    }
    return apply(std::move(base), steps);
  }

 private:
  const Token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(position_ + ahead, tokens_.size() - 1)];
  }
  const Token& advance() {
    const Token& token = peek();
    if (position_ + 1 < tokens_.size()) ++position_;
    return token;
  }
  static std::string spelling(const Token& token) {
    if (token.kind == TokenKind::kEnd) return "end of text";
    if (token.kind == TokenKind::kInteger) return std::to_string(token.value);
    return token.text;
  }
  static Error error_at(ErrorCode code, std::string message, std::uint32_t column,
                        std::optional<std::string> name = std::nullopt) {
    return Error(code, std::move(message), ErrorPayload{.column = column, .name = std::move(name)});
  }
  static Error syntax_error(const Token& token, std::string message) {
    return error_at(ErrorCode::kSyntaxError, std::move(message), token.column);
  }
  Status expect(std::string_view punctuator, std::string_view why) {
    if (!peek().is(punctuator)) {
      return syntax_error(peek(), "expected '" + std::string(punctuator) + "' " + std::string(why) +
                                      ", not '" + spelling(peek()) + "'");
    }
    advance();
    return ok_status();
  }

  bool names_a_type(const Token& token) const {
    return token.kind == TokenKind::kIdentifier && names_.find_type(token.text).ok();
  }
  bool starts_specifiers(const Token& token) const {
    return qualifier_of(token) || is_primitive_word(token) || is_tag_keyword(token) ||
           names_a_type(token);
  }

  // Qualifiers, then one base type: primitive words, a tag, or a typedef name.
  Result<QualifiedType> specifiers() {
    Qualifiers qualifiers = 0;
    std::string base;
    std::vector<std::string> words;
    std::uint32_t base_column = 0;
    while (true) {
      const Token& token = peek();
      if (auto q = qualifier_of(token)) {
        qualifiers |= *q;
        advance();
      } else if (is_tag_keyword(token)) {
        if (!base.empty() || !words.empty()) return syntax_error(token, "two types in one name");
        base_column = token.column;
        const std::string keyword = advance().text;
        if (peek().kind != TokenKind::kIdentifier || qualifier_of(peek())) {
          return syntax_error(peek(), "expected a tag name after '" + keyword + "'");
        }
        base = keyword + " " + advance().text;
      } else if (is_primitive_word(token)) {
        if (!base.empty()) return syntax_error(token, "two types in one name");
        if (words.empty()) base_column = token.column;
        words.push_back(advance().text);
      } else if (token.kind == TokenKind::kIdentifier && base.empty() && words.empty()) {
        // A typedef name, the only other way a type name can start.
        if (!names_a_type(token)) {
          return error_at(ErrorCode::kNotFound, "unknown type name '" + token.text + "'",
                          token.column, token.text);
        }
        base_column = token.column;
        base = advance().text;
      } else {
        break;
      }
    }
    for (const std::string& word : words) base += (base.empty() ? "" : " ") + word;
    if (base.empty()) return syntax_error(peek(), "expected a type name");
    auto found = names_.find_type(base);
    if (!found.ok() && found.error().code() == ErrorCode::kNotFound && !words.empty()) {
      if (auto standard = standard_primitive_type(base)) found = unqualified(standard);
    }
    if (!found.ok()) {
      Error error = std::move(found).error();
      if (error.code() == ErrorCode::kNotFound && !words.empty() &&
          !debuginfo::parse_primitive_type(base) && base != "void") {
        return error_at(ErrorCode::kSyntaxError, "'" + base + "' is not a C type", base_column);
      }
      error.payload().column = base_column;
      if (!error.payload().name) error.payload().name = base;
      return error;
    }
    QualifiedType type = *found;
    type.qualifiers |= qualifiers;
    return type;
  }

  // Does a '(' here open a nested declarator (rather than a parameter list)?
  bool opens_nested_declarator(bool allow_name) const {
    const Token& next = peek(1);
    if (next.is("*") || next.is("(") || next.is("[")) return true;
    return allow_name && next.kind == TokenKind::kIdentifier && !starts_specifiers(next);
  }

  // The steps of an (abstract) declarator, in the order they apply to the base type: the
  // pointers, then the suffixes from the last to the first, then what the parentheses held.
  Result<std::vector<Derivation>> declarator(bool allow_name, int depth) {
    if (depth > kMaxNesting) {
      return error_at(ErrorCode::kLimitExceeded, "the type name nests too deeply", peek().column);
    }
    std::vector<Derivation> steps;
    while (peek().is("*")) {
      Derivation pointer{.kind = Derivation::Kind::kPointer, .column = advance().column};
      while (auto q = qualifier_of(peek())) {
        pointer.qualifiers |= *q;
        advance();
      }
      steps.push_back(std::move(pointer));
    }
    std::vector<Derivation> inner;
    if (peek().is("(") && opens_nested_declarator(allow_name)) {
      advance();
      VMSCOPE_TRY(inner, declarator(allow_name, depth + 1));
      VMSCOPE_CHECK(expect(")", "to close the declarator"));
    } else if (peek().kind == TokenKind::kIdentifier) {
      if (!allow_name || starts_specifiers(peek())) {
        return syntax_error(peek(), "unexpected '" + peek().text + "' in a type name");
      }
      advance();  // a parameter's name: it does not change the type
    }
    std::vector<Derivation> suffixes;
    while (peek().is("[") || peek().is("(")) {
      if (peek().is("[")) {
        Derivation array{.kind = Derivation::Kind::kArray, .column = advance().column};
        if (peek().kind == TokenKind::kInteger) {
          array.length = advance().value;
        } else if (!peek().is("]")) {
          return syntax_error(peek(), "expected an array length or ']'");
        }
        VMSCOPE_CHECK(expect("]", "after the array length"));
        suffixes.push_back(std::move(array));
      } else {
        VMSCOPE_TRY(Derivation function, parameter_list(depth));
        suffixes.push_back(std::move(function));
      }
    }
    for (auto it = suffixes.rbegin(); it != suffixes.rend(); ++it) steps.push_back(std::move(*it));
    for (Derivation& step : inner) steps.push_back(std::move(step));
    return steps;
  }

  // "(void)", "()", "(int, char *)", "(const char *fmt, ...)".
  Result<Derivation> parameter_list(int depth) {
    Derivation function{.kind = Derivation::Kind::kFunction, .column = advance().column};
    if (peek().is(")")) {  // C's `()`: unspecified parameters (printed back as "()")
      advance();
      function.is_variadic = true;
      return function;
    }
    if (peek().is_identifier("void") && peek(1).is(")")) {
      advance();
      advance();
      return function;
    }
    while (true) {
      if (peek().is("...")) {
        if (function.parameters.empty()) {
          return syntax_error(peek(), "'...' needs a named parameter before it");
        }
        advance();
        function.is_variadic = true;
        break;
      }
      const std::uint32_t column = peek().column;
      if (!starts_specifiers(peek())) {
        if (peek().kind == TokenKind::kIdentifier) {
          return error_at(ErrorCode::kNotFound, "unknown type name '" + peek().text + "'",
                          peek().column, peek().text);
        }
        return syntax_error(peek(), "expected a parameter type");
      }
      VMSCOPE_TRY(QualifiedType base, specifiers());
      VMSCOPE_TRY(std::vector<Derivation> steps, declarator(/*allow_name=*/true, depth + 1));
      VMSCOPE_TRY(QualifiedType type, apply(std::move(base), steps));
      // C adjusts parameters: an array means a pointer to its element, a function a pointer
      // to it.
      const Type& u = type->underlying();
      if (u.kind() == TypeKind::kArray) {
        type = pointer_to(u.target());
      } else if (u.kind() == TypeKind::kFunction) {
        type = pointer_to(type);
      } else if (u.kind() == TypeKind::kVoid) {
        return error_at(ErrorCode::kTypeError, "a parameter cannot have type void", column);
      }
      function.parameters.push_back(Parameter{std::nullopt, std::move(type)});
      if (peek().is(",")) {
        advance();
        continue;
      }
      break;
    }
    VMSCOPE_CHECK(expect(")", "to close the parameter list"));
    return function;
  }

  static Result<QualifiedType> apply(QualifiedType type, const std::vector<Derivation>& steps) {
    for (const Derivation& step : steps) {
      const Type& u = type->underlying();
      switch (step.kind) {
        case Derivation::Kind::kPointer:
          type = pointer_to(type);
          type.qualifiers = step.qualifiers;
          break;
        case Derivation::Kind::kArray:
          if (u.kind() == TypeKind::kFunction) {
            return error_at(ErrorCode::kTypeError, "an array of functions is not a C type",
                            step.column);
          }
          if (!type->size()) {
            return error_at(ErrorCode::kTypeError,
                            "an array of '" + debuginfo::type_name(type) +
                                "' is not a C type: the element type has no size",
                            step.column);
          }
          type = unqualified(Type::make_array(type, step.length));
          break;
        case Derivation::Kind::kFunction:
          if (u.kind() == TypeKind::kArray || u.kind() == TypeKind::kFunction) {
            return error_at(ErrorCode::kTypeError,
                            std::string("a function cannot return ") +
                                (u.kind() == TypeKind::kArray ? "an array" : "a function"),
                            step.column);
          }
          type = unqualified(Type::make_function(type, step.parameters, step.is_variadic));
          break;
      }
    }
    return type;
  }

  std::vector<Token> tokens_;
  const NameLookup& names_;
  std::size_t position_ = 0;
};

}  // namespace

Result<QualifiedType> resolve_type_name(const VirtualMemory& /*memory*/, const NameLookup& names,
                                        std::string_view text) {
  VMSCOPE_TRY(std::vector<Token> tokens, tokenize(text, kMaxTextLength));
  return TypeNameParser(std::move(tokens), names).parse();
}

}  // namespace vmscope
