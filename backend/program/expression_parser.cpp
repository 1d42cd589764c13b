#include "program/expression_parser.h"

#include <algorithm>
#include <array>

namespace vmscope {
namespace {

using debuginfo::Qualifiers;

struct BinaryLevel {
  std::string_view spelling;
  ExpressionKind kind;
  BinaryOperator op;
};

// C's binary operators by precedence, loosest first.
const std::vector<std::vector<BinaryLevel>>& binary_levels() {
  static const std::vector<std::vector<BinaryLevel>> kLevels = {
      {{"||", ExpressionKind::kLogicalOr, BinaryOperator::kAdd}},
      {{"&&", ExpressionKind::kLogicalAnd, BinaryOperator::kAdd}},
      {{"|", ExpressionKind::kBinary, BinaryOperator::kBitOr}},
      {{"^", ExpressionKind::kBinary, BinaryOperator::kBitXor}},
      {{"&", ExpressionKind::kBinary, BinaryOperator::kBitAnd}},
      {{"==", ExpressionKind::kBinary, BinaryOperator::kEqual},
       {"!=", ExpressionKind::kBinary, BinaryOperator::kNotEqual}},
      {{"<", ExpressionKind::kBinary, BinaryOperator::kLess},
       {">", ExpressionKind::kBinary, BinaryOperator::kGreater},
       {"<=", ExpressionKind::kBinary, BinaryOperator::kLessEqual},
       {">=", ExpressionKind::kBinary, BinaryOperator::kGreaterEqual}},
      {{"<<", ExpressionKind::kBinary, BinaryOperator::kShiftLeft},
       {">>", ExpressionKind::kBinary, BinaryOperator::kShiftRight}},
      {{"+", ExpressionKind::kBinary, BinaryOperator::kAdd},
       {"-", ExpressionKind::kBinary, BinaryOperator::kSubtract}},
      {{"*", ExpressionKind::kBinary, BinaryOperator::kMultiply},
       {"/", ExpressionKind::kBinary, BinaryOperator::kDivide},
       {"%", ExpressionKind::kBinary, BinaryOperator::kModulo}},
  };
  return kLevels;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const TypedefNamePredicate& is_typedef_name,
         const ParseOptions& options)
      : tokens_(std::move(tokens)), is_typedef_name_(is_typedef_name), options_(options) {}

  Result<ExpressionPtr> parse() {
    VMSCOPE_TRY(ExpressionPtr expression, conditional());
    if (peek().kind != TokenKind::kEnd)
      return unexpected(peek(), "expected the end of the expression");
    return expression;
  }

 private:
  // Bounds the parser's recursion (nested parentheses, chains of unary operators).
  class DepthGuard {
   public:
    explicit DepthGuard(Parser& parser) : parser_(parser) { ++parser_.nesting_; }
    ~DepthGuard() { --parser_.nesting_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Parser& parser_;
  };

  const Token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(position_ + ahead, tokens_.size() - 1)];
  }
  const Token& advance() {
    const Token& token = tokens_[position_];
    if (position_ + 1 < tokens_.size()) ++position_;
    return token;
  }

  static std::string describe(const Token& token) {
    switch (token.kind) {
      case TokenKind::kEnd: return "the end of the expression";
      case TokenKind::kString: return "a string literal";
      default: return "'" + token.text + "'";
    }
  }

  static Error error_at(ErrorCode code, std::string message, std::uint32_t column) {
    return Error(code, std::move(message), ErrorPayload{.column = column});
  }

  Error unexpected(const Token& token, const std::string& expectation) const {
    return error_at(ErrorCode::kSyntaxError, expectation + ", found " + describe(token),
                    token.column);
  }

  Status expect(std::string_view punctuator) {
    if (!peek().is(punctuator))
      return unexpected(peek(), "expected '" + std::string(punctuator) + "'");
    advance();
    return ok_status();
  }

  Status check_nesting(std::uint32_t column) const {
    if (nesting_ > options_.max_depth) {
      return error_at(
          ErrorCode::kLimitExceeded,
          "the expression nests deeper than " + std::to_string(options_.max_depth) + " levels",
          column);
    }
    return ok_status();
  }

  Result<ExpressionPtr> make(ExpressionKind kind, std::uint32_t column,
                             std::vector<ExpressionPtr> operands = {}) {
    auto node = std::make_unique<Expression>();
    node->kind = kind;
    node->column = column;
    node->start = column;
    std::uint32_t depth = 0;
    for (const auto& operand : operands) {
      depth = std::max(depth, operand->depth);
      node->start = std::min(node->start, operand->start);
    }
    node->depth = depth + 1;
    if (node->depth > options_.max_depth) {
      return error_at(
          ErrorCode::kLimitExceeded,
          "the expression nests deeper than " + std::to_string(options_.max_depth) + " levels",
          column);
    }
    node->operands = std::move(operands);
    return node;
  }

  static std::vector<ExpressionPtr> operands(ExpressionPtr a, ExpressionPtr b = nullptr,
                                             ExpressionPtr c = nullptr) {
    std::vector<ExpressionPtr> list;
    list.push_back(std::move(a));
    if (b) list.push_back(std::move(b));
    if (c) list.push_back(std::move(c));
    return list;
  }

  // --- expressions

  Result<ExpressionPtr> conditional() {
    DepthGuard guard(*this);
    VMSCOPE_CHECK(check_nesting(peek().column));
    VMSCOPE_TRY(ExpressionPtr condition, binary(0));
    if (!peek().is("?")) return condition;
    const std::uint32_t column = advance().column;
    VMSCOPE_TRY(ExpressionPtr then_branch, conditional());
    VMSCOPE_CHECK(expect(":"));
    VMSCOPE_TRY(ExpressionPtr else_branch, conditional());
    return make(ExpressionKind::kConditional, column,
                operands(std::move(condition), std::move(then_branch), std::move(else_branch)));
  }

  Result<ExpressionPtr> binary(std::size_t level) {
    if (level == binary_levels().size()) return unary();
    VMSCOPE_TRY(ExpressionPtr lhs, binary(level + 1));
    while (true) {
      const BinaryLevel* matched = nullptr;
      for (const BinaryLevel& candidate : binary_levels()[level]) {
        if (peek().is(candidate.spelling)) matched = &candidate;
      }
      if (!matched) return lhs;
      const std::uint32_t column = advance().column;
      VMSCOPE_TRY(ExpressionPtr rhs, binary(level + 1));
      VMSCOPE_TRY(lhs, make(matched->kind, column, operands(std::move(lhs), std::move(rhs))));
      lhs->binary_operator = matched->op;
    }
  }

  // A unary operator's operand: one level deeper.
  Result<ExpressionPtr> nested_unary() {
    DepthGuard guard(*this);
    VMSCOPE_CHECK(check_nesting(peek().column));
    return unary();
  }

  Result<ExpressionPtr> unary() {
    const Token& token = peek();
    if (token.is("++") || token.is("--")) {
      return error_at(ErrorCode::kUnsupported,
                      "'" + token.text + "' would modify memory; a dump is read-only",
                      token.column);
    }
    if (token.is("-") || token.is("+") || token.is("~") || token.is("!")) {
      const UnaryOperator op = token.is("-")   ? UnaryOperator::kNegate
                               : token.is("+") ? UnaryOperator::kPlus
                               : token.is("~") ? UnaryOperator::kBitNot
                                               : UnaryOperator::kLogicalNot;
      const std::uint32_t column = advance().column;
      VMSCOPE_TRY(ExpressionPtr operand, nested_unary());
      VMSCOPE_TRY(ExpressionPtr node,
                  make(ExpressionKind::kUnary, column, operands(std::move(operand))));
      node->unary_operator = op;
      return node;
    }
    if (token.is("*") || token.is("&")) {
      const ExpressionKind kind =
          token.is("*") ? ExpressionKind::kDereference : ExpressionKind::kAddressOf;
      const std::uint32_t column = advance().column;
      VMSCOPE_TRY(ExpressionPtr operand, nested_unary());
      return make(kind, column, operands(std::move(operand)));
    }
    if (token.is_identifier("sizeof")) {
      const std::uint32_t column = advance().column;
      if (peek().is("(") && starts_type_name(peek(1))) {
        advance();
        VMSCOPE_TRY(TypeNameSyntax type, type_name());
        VMSCOPE_CHECK(expect(")"));
        VMSCOPE_TRY(ExpressionPtr node, make(ExpressionKind::kSizeofType, column));
        node->type_name = std::move(type);
        return node;
      }
      VMSCOPE_TRY(ExpressionPtr operand, nested_unary());
      return make(ExpressionKind::kSizeofExpression, column, operands(std::move(operand)));
    }
    if (token.is("(") && starts_type_name(peek(1))) {
      const std::uint32_t column = advance().column;
      VMSCOPE_TRY(TypeNameSyntax type, type_name());
      VMSCOPE_CHECK(expect(")"));
      VMSCOPE_TRY(ExpressionPtr operand, nested_unary());
      VMSCOPE_TRY(ExpressionPtr node,
                  make(ExpressionKind::kCast, column, operands(std::move(operand))));
      node->type_name = std::move(type);
      return node;
    }
    return postfix();
  }

  Result<ExpressionPtr> postfix() {
    VMSCOPE_TRY(ExpressionPtr expression, primary());
    while (true) {
      const Token& token = peek();
      if (token.is("[")) {
        const std::uint32_t column = advance().column;
        VMSCOPE_TRY(ExpressionPtr index, conditional());
        VMSCOPE_CHECK(expect("]"));
        VMSCOPE_TRY(expression, make(ExpressionKind::kSubscript, column,
                                     operands(std::move(expression), std::move(index))));
      } else if (token.is(".") || token.is("->")) {
        const ExpressionKind kind =
            token.is(".") ? ExpressionKind::kMember : ExpressionKind::kArrow;
        const std::string spelling = token.text;
        advance();
        const Token& name = peek();
        if (name.kind != TokenKind::kIdentifier) {
          return unexpected(name, "expected a member name after '" + spelling + "'");
        }
        advance();
        VMSCOPE_TRY(expression, make(kind, name.column, operands(std::move(expression))));
        expression->name = name.text;
      } else if (token.is("(")) {
        return error_at(ErrorCode::kUnsupported, "function calls cannot be evaluated in a dump",
                        token.column);
      } else if (token.is("++") || token.is("--")) {
        return error_at(ErrorCode::kUnsupported,
                        "'" + token.text + "' would modify memory; a dump is read-only",
                        token.column);
      } else {
        return expression;
      }
    }
  }

  Result<ExpressionPtr> primary() {
    const Token& token = peek();
    switch (token.kind) {
      case TokenKind::kInteger:
      case TokenKind::kCharacter: {
        advance();
        VMSCOPE_TRY(ExpressionPtr node,
                    make(token.kind == TokenKind::kInteger ? ExpressionKind::kInteger
                                                           : ExpressionKind::kCharacter,
                         token.column));
        node->literal = token;
        return node;
      }
      case TokenKind::kString: {
        VMSCOPE_TRY(ExpressionPtr node, make(ExpressionKind::kString, token.column));
        while (peek().kind == TokenKind::kString) node->name += advance().text;  // "a" "b"
        return node;
      }
      case TokenKind::kIdentifier: {
        if (peek(1).is("(")) {
          if (token.text == "offsetof") return offsetof_call();
          if (token.text == "container_of") return container_of_call();
          if (token.text == "per_cpu" || token.text == "per_cpu_ptr") return per_cpu_call();
        }
        if (qualifier_of(token) || is_primitive_word(token) || is_tag_keyword(token) ||
            token.text == "sizeof") {
          return unexpected(token, "expected an expression");
        }
        advance();
        VMSCOPE_TRY(ExpressionPtr node, make(ExpressionKind::kIdentifier, token.column));
        node->name = token.text;
        return node;
      }
      case TokenKind::kPunctuator:
        if (token.is("(")) {
          const std::uint32_t open = advance().column;
          VMSCOPE_TRY(ExpressionPtr inner, conditional());
          VMSCOPE_CHECK(expect(")"));
          inner->start = std::min(inner->start, open);
          return inner;
        }
        return unexpected(token, "expected an expression");
      case TokenKind::kEnd: return unexpected(token, "expected an expression");
    }
    return unexpected(token, "expected an expression");
  }

  // --- builtins

  Result<ExpressionPtr> offsetof_call() {
    const std::uint32_t column = advance().column;
    VMSCOPE_CHECK(expect("("));
    VMSCOPE_TRY(TypeNameSyntax type, type_name());
    VMSCOPE_CHECK(expect(","));
    VMSCOPE_TRY(DesignatorSyntax member, designator());
    VMSCOPE_CHECK(expect(")"));
    VMSCOPE_TRY(ExpressionPtr node, make(ExpressionKind::kOffsetof, column));
    node->type_name = std::move(type);
    node->designator = std::move(member);
    return node;
  }

  Result<ExpressionPtr> container_of_call() {
    const std::uint32_t column = advance().column;
    VMSCOPE_CHECK(expect("("));
    VMSCOPE_TRY(ExpressionPtr pointer, conditional());
    VMSCOPE_CHECK(expect(","));
    VMSCOPE_TRY(TypeNameSyntax type, type_name());
    VMSCOPE_CHECK(expect(","));
    VMSCOPE_TRY(DesignatorSyntax member, designator());
    VMSCOPE_CHECK(expect(")"));
    VMSCOPE_TRY(ExpressionPtr node,
                make(ExpressionKind::kContainerOf, column, operands(std::move(pointer))));
    node->type_name = std::move(type);
    node->designator = std::move(member);
    return node;
  }

  Result<ExpressionPtr> per_cpu_call() {
    const Token& name = advance();
    const ExpressionKind kind =
        name.text == "per_cpu" ? ExpressionKind::kPerCpu : ExpressionKind::kPerCpuPtr;
    VMSCOPE_CHECK(expect("("));
    VMSCOPE_TRY(ExpressionPtr variable, conditional());
    VMSCOPE_CHECK(expect(","));
    VMSCOPE_TRY(ExpressionPtr cpu, conditional());
    VMSCOPE_CHECK(expect(")"));
    return make(kind, name.column, operands(std::move(variable), std::move(cpu)));
  }

  Result<DesignatorSyntax> designator() {
    DesignatorSyntax result;
    auto append = [&](const Token& token) {
      const std::string spelling =
          token.kind == TokenKind::kInteger ? std::to_string(token.value) : token.text;
      for (std::size_t i = 0; i < spelling.size(); ++i) {
        result.text.push_back(spelling[i]);
        result.columns.push_back(token.column + static_cast<std::uint32_t>(std::min<std::size_t>(
                                                    i, token.length ? token.length - 1 : 0)));
      }
    };
    if (peek().kind != TokenKind::kIdentifier) return unexpected(peek(), "expected a member name");
    append(advance());
    while (true) {
      if (peek().is(".")) {
        append(advance());
        if (peek().kind != TokenKind::kIdentifier)
          return unexpected(peek(), "expected a member name after '.'");
        append(advance());
      } else if (peek().is("[")) {
        append(advance());
        if (peek().kind != TokenKind::kInteger) {
          return unexpected(peek(), "expected a constant array index in the member designator");
        }
        append(advance());
        if (!peek().is("]")) return unexpected(peek(), "expected ']'");
        append(advance());
      } else {
        return result;
      }
    }
  }

  // --- type names

  bool starts_type_name(const Token& token) const {
    if (token.kind != TokenKind::kIdentifier) return false;
    if (qualifier_of(token) || is_primitive_word(token) || is_tag_keyword(token)) return true;
    return is_typedef_name_ && is_typedef_name_(token.text);
  }

  Result<TypeNameSyntax> type_name() {
    TypeNameSyntax type;
    type.column = peek().column;
    std::vector<std::string> primitive_words;
    while (true) {
      const Token& token = peek();
      if (auto qualifier = qualifier_of(token)) {
        type.base_qualifiers |= *qualifier;
        advance();
      } else if (is_tag_keyword(token)) {
        if (!type.base.empty() || !primitive_words.empty()) {
          return unexpected(token, "two types in one type name");
        }
        type.base_column = token.column;
        const std::string keyword = advance().text;
        if (peek().kind != TokenKind::kIdentifier) {
          return unexpected(peek(), "expected a tag name after '" + keyword + "'");
        }
        type.base = keyword + " " + advance().text;
      } else if (is_primitive_word(token)) {
        if (!type.base.empty()) return unexpected(token, "two types in one type name");
        if (primitive_words.empty()) type.base_column = token.column;
        primitive_words.push_back(advance().text);
      } else if (token.kind == TokenKind::kIdentifier && type.base.empty() &&
                 primitive_words.empty() && is_typedef_name_ && is_typedef_name_(token.text)) {
        type.base_column = token.column;
        type.base = advance().text;
      } else {
        break;
      }
    }
    if (!primitive_words.empty()) {
      for (const std::string& word : primitive_words) {
        if (!type.base.empty()) type.base += ' ';
        type.base += word;
      }
    }
    if (type.base.empty()) return unexpected(peek(), "expected a type name");
    while (peek().is("*")) {
      advance();
      Qualifiers qualifiers = 0;
      while (auto qualifier = qualifier_of(peek())) {
        qualifiers |= *qualifier;
        advance();
      }
      type.pointers.push_back(qualifiers);
    }
    if (peek().is("(")) {
      return error_at(ErrorCode::kUnsupported,
                      "function and function-pointer type names are not supported; cast to "
                      "'void *' instead",
                      peek().column);
    }
    while (peek().is("[")) {
      advance();
      if (peek().kind != TokenKind::kInteger) return unexpected(peek(), "expected an array length");
      type.array_lengths.push_back(advance().value);
      VMSCOPE_CHECK(expect("]"));
    }
    return type;
  }

  std::vector<Token> tokens_;
  const TypedefNamePredicate& is_typedef_name_;
  const ParseOptions& options_;
  std::size_t position_ = 0;
  std::uint32_t nesting_ = 0;
};

}  // namespace

Result<ExpressionPtr> parse_expression(std::string_view text,
                                       const TypedefNamePredicate& is_typedef_name,
                                       const ParseOptions& options) {
  VMSCOPE_TRY(std::vector<Token> tokens, tokenize(text, options.max_length));
  Parser parser(std::move(tokens), is_typedef_name, options);
  return parser.parse();
}

}  // namespace vmscope
