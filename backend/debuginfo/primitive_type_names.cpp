#include "debuginfo/primitive_type_names.h"

#include <array>

namespace vmscope::debuginfo {
namespace {

// Counts of each specifier word; order does not matter in C ("int long unsigned").
struct Specifiers {
  int signed_ = 0, unsigned_ = 0, char_ = 0, short_ = 0, int_ = 0, long_ = 0;
  int bool_ = 0, float_ = 0, double_ = 0;
};

bool add_word(std::string_view word, Specifiers& s) {
  if (word == "signed") return ++s.signed_, true;
  if (word == "unsigned") return ++s.unsigned_, true;
  if (word == "char") return ++s.char_, true;
  if (word == "short") return ++s.short_, true;
  if (word == "int") return ++s.int_, true;
  if (word == "long") return ++s.long_, true;
  if (word == "_Bool") return ++s.bool_, true;
  if (word == "float") return ++s.float_, true;
  if (word == "double") return ++s.double_, true;
  return false;
}

}  // namespace

std::optional<PrimitiveType> parse_primitive_type(std::string_view spelling) {
  Specifiers s;
  std::size_t words = 0;
  std::size_t i = 0;
  while (i < spelling.size()) {
    while (i < spelling.size() && (spelling[i] == ' ' || spelling[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < spelling.size() && spelling[i] != ' ' && spelling[i] != '\t') ++i;
    if (start == i) break;
    if (!add_word(spelling.substr(start, i - start), s)) return std::nullopt;
    ++words;
  }
  if (words == 0) return std::nullopt;
  if (s.signed_ > 1 || s.unsigned_ > 1 || (s.signed_ && s.unsigned_)) return std::nullopt;
  if (s.char_ > 1 || s.short_ > 1 || s.int_ > 1 || s.long_ > 2 || s.bool_ > 1 || s.float_ > 1 ||
      s.double_ > 1) {
    return std::nullopt;
  }
  const bool sign_given = s.signed_ || s.unsigned_;
  if (s.bool_) {
    return words == 1 ? std::optional(PrimitiveType::kBool) : std::nullopt;
  }
  if (s.float_) {
    return words == 1 ? std::optional(PrimitiveType::kFloat) : std::nullopt;
  }
  if (s.double_) {
    if (words == 1) return PrimitiveType::kDouble;
    if (words == 2 && s.long_ == 1) return PrimitiveType::kLongDouble;
    return std::nullopt;
  }
  if (s.char_) {
    if (s.short_ || s.int_ || s.long_) return std::nullopt;
    if (s.signed_) return PrimitiveType::kSignedChar;
    if (s.unsigned_) return PrimitiveType::kUnsignedChar;
    return PrimitiveType::kChar;
  }
  if (s.short_) {
    if (s.long_) return std::nullopt;
    return s.unsigned_ ? PrimitiveType::kUnsignedShort : PrimitiveType::kShort;
  }
  if (s.long_ == 2)
    return s.unsigned_ ? PrimitiveType::kUnsignedLongLong : PrimitiveType::kLongLong;
  if (s.long_ == 1) return s.unsigned_ ? PrimitiveType::kUnsignedLong : PrimitiveType::kLong;
  if (s.int_ || sign_given) return s.unsigned_ ? PrimitiveType::kUnsignedInt : PrimitiveType::kInt;
  return std::nullopt;
}

std::string_view primitive_type_spelling(PrimitiveType type) {
  static constexpr std::array<std::string_view, 15> kSpellings = {
      "char",         "signed char", "unsigned char", "short",     "unsigned short",     "int",
      "unsigned int", "long",        "unsigned long", "long long", "unsigned long long", "_Bool",
      "float",        "double",      "long double",
  };
  return kSpellings[static_cast<std::size_t>(type)];
}

bool primitive_type_is_signed(PrimitiveType type) {
  switch (type) {
    case PrimitiveType::kChar:
    case PrimitiveType::kSignedChar:
    case PrimitiveType::kShort:
    case PrimitiveType::kInt:
    case PrimitiveType::kLong:
    case PrimitiveType::kLongLong:
    case PrimitiveType::kFloat:
    case PrimitiveType::kDouble:
    case PrimitiveType::kLongDouble: return true;
    default: return false;
  }
}

std::string_view canonical_type_spelling(std::string_view spelling) {
  auto primitive = parse_primitive_type(spelling);
  return primitive ? primitive_type_spelling(*primitive) : spelling;
}

}  // namespace vmscope::debuginfo
