#include "dump/vmcoreinfo.h"

#include <charconv>

namespace vmscope {
namespace {

// Garbage input could produce a problem per line; keep enough to diagnose, not an unbounded list.
constexpr std::size_t kMaxProblems = 256;
constexpr std::size_t kMaxQuotedLine = 120;

enum class ValueFormat { kText, kHex, kUnsigned, kSigned, kHexBytes };

bool starts_with_0x(std::string_view s) {
  return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

template <typename T>
std::optional<T> parse_whole(std::string_view s, int base) {
  T value{};
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> parse_hex(std::string_view s) {
  if (starts_with_0x(s)) s.remove_prefix(2);
  return parse_whole<std::uint64_t>(s, 16);
}

std::optional<std::uint64_t> parse_unsigned(std::string_view s) {
  if (starts_with_0x(s)) return parse_hex(s);
  return parse_whole<std::uint64_t>(s, 10);
}

std::optional<std::int64_t> parse_signed(std::string_view s) {
  if (starts_with_0x(s)) {
    auto bits = parse_hex(s);
    if (!bits) return std::nullopt;
    return static_cast<std::int64_t>(*bits);
  }
  return parse_whole<std::int64_t>(s, 10);
}

bool is_hex_bytes(std::string_view s) {
  if (s.empty() || s.size() % 2 != 0) return false;
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

ValueFormat format_of(std::string_view key) {
  auto kind = key.substr(0, key.find('('));
  if (kind == "SYMBOL" && kind.size() < key.size()) return ValueFormat::kHex;
  if ((kind == "SIZE" || kind == "OFFSET" || kind == "LENGTH") && kind.size() < key.size()) {
    return ValueFormat::kUnsigned;
  }
  if (kind == "NUMBER" && kind.size() < key.size()) return ValueFormat::kSigned;
  if (key == "KERNELOFFSET") return ValueFormat::kHex;
  if (key == "PAGESIZE") return ValueFormat::kUnsigned;
  if (key == "CRASHTIME") return ValueFormat::kSigned;
  if (key == "BUILD-ID") return ValueFormat::kHexBytes;
  return ValueFormat::kText;
}

bool value_fits(ValueFormat format, std::string_view value) {
  switch (format) {
    case ValueFormat::kText: return true;
    case ValueFormat::kHex: return parse_hex(value).has_value();
    case ValueFormat::kUnsigned: return parse_unsigned(value).has_value();
    case ValueFormat::kSigned: return parse_signed(value).has_value();
    case ValueFormat::kHexBytes: return is_hex_bytes(value);
  }
  return false;
}

// A key is a bare word ("OSRELEASE") or KIND(argument) with a non-empty argument and nothing
// after the closing parenthesis.
std::optional<std::string> key_problem(std::string_view key) {
  if (key.empty()) return "empty key";
  auto open = key.find('(');
  if (open == std::string_view::npos) {
    if (key.find(')') != std::string_view::npos) return "unbalanced ')' in key";
    return std::nullopt;
  }
  if (open == 0) return "key has no kind before '('";
  if (key.back() != ')' || key.find(')') != key.size() - 1) return "malformed KIND(name) key";
  if (open + 2 > key.size() - 1) return "empty name in KIND(name) key";
  return std::nullopt;
}

std::string_view trim_trailing_space(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Values were validated by parse(), so the typed conversions cannot fail on a value that
// lookup() returns; the kCorrupt branch guards against that invariant breaking.
template <typename T>
Result<T> converted(std::optional<T> value, const std::string& key) {
  if (!value) {
    return Error(ErrorCode::kCorrupt, "VMCOREINFO " + key + " is malformed", {.name = key});
  }
  return *value;
}

}  // namespace

Vmcoreinfo Vmcoreinfo::parse(std::string_view text) {
  Vmcoreinfo info;
  text = text.substr(0, text.find('\0'));
  std::size_t dropped = 0;
  auto note_problem = [&](std::uint32_t line, std::string_view content, std::string reason) {
    if (info.problems_.size() >= kMaxProblems) {
      ++dropped;
      return;
    }
    info.problems_.push_back(
        {line, std::string(content.substr(0, kMaxQuotedLine)), std::move(reason)});
  };

  std::uint32_t line_number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {  // each turn consumes at least one character
    std::size_t newline = text.find('\n', pos);
    std::size_t end = newline == std::string_view::npos ? text.size() : newline;
    std::string_view line = trim_trailing_space(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_number;
    if (line.empty()) continue;

    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      note_problem(line_number, line, "no '=' in line");
      continue;
    }
    std::string_view key = line.substr(0, eq);
    std::string_view value = line.substr(eq + 1);
    if (auto problem = key_problem(key)) {
      note_problem(line_number, line, *problem);
      continue;
    }
    if (!value_fits(format_of(key), value)) {
      note_problem(line_number, line, "value does not parse in the format of its key");
      continue;
    }
    if (info.index_.find(key) != info.index_.end()) {
      note_problem(line_number, line, "repeated key; the first value is kept");
      continue;
    }
    info.index_.emplace(std::string(key), info.entries_.size());
    info.entries_.emplace_back(std::string(key), std::string(value));
  }
  if (dropped > 0) {
    info.problems_.push_back(
        {line_number, "", std::to_string(dropped) + " further problems not recorded"});
  }
  return info;
}

std::optional<std::string_view> Vmcoreinfo::raw(std::string_view key) const {
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  return entries_[it->second].second;
}

Result<std::string_view> Vmcoreinfo::lookup(const std::string& key) const {
  auto value = raw(key);
  if (!value) {
    return Error(ErrorCode::kNotFound, "VMCOREINFO has no " + key, {.name = key});
  }
  return *value;
}

Result<std::uint64_t> Vmcoreinfo::symbol(std::string_view name) const {
  std::string key = "SYMBOL(" + std::string(name) + ")";
  VMSCOPE_TRY(auto value, lookup(key));
  return converted(parse_hex(value), key);
}

Result<std::uint64_t> Vmcoreinfo::size(std::string_view name) const {
  std::string key = "SIZE(" + std::string(name) + ")";
  VMSCOPE_TRY(auto value, lookup(key));
  return converted(parse_unsigned(value), key);
}

Result<std::uint64_t> Vmcoreinfo::offset(std::string_view type_member) const {
  std::string key = "OFFSET(" + std::string(type_member) + ")";
  VMSCOPE_TRY(auto value, lookup(key));
  return converted(parse_unsigned(value), key);
}

Result<std::uint64_t> Vmcoreinfo::offset(std::string_view type, std::string_view member) const {
  return offset(std::string(type) + "." + std::string(member));
}

Result<std::uint64_t> Vmcoreinfo::length(std::string_view name) const {
  std::string key = "LENGTH(" + std::string(name) + ")";
  VMSCOPE_TRY(auto value, lookup(key));
  return converted(parse_unsigned(value), key);
}

Result<std::int64_t> Vmcoreinfo::number(std::string_view name) const {
  std::string key = "NUMBER(" + std::string(name) + ")";
  VMSCOPE_TRY(auto value, lookup(key));
  return converted(parse_signed(value), key);
}

Result<std::string> Vmcoreinfo::osrelease() const {
  VMSCOPE_TRY(auto value, lookup("OSRELEASE"));
  return std::string(value);
}

Result<std::string> Vmcoreinfo::build_id() const {
  VMSCOPE_TRY(auto value, lookup("BUILD-ID"));
  std::string lower(value);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

Result<std::uint64_t> Vmcoreinfo::page_size() const {
  VMSCOPE_TRY(auto value, lookup("PAGESIZE"));
  return converted(parse_unsigned(value), "PAGESIZE");
}

Result<std::uint64_t> Vmcoreinfo::kernel_offset() const {
  VMSCOPE_TRY(auto value, lookup("KERNELOFFSET"));
  return converted(parse_hex(value), "KERNELOFFSET");
}

Result<std::int64_t> Vmcoreinfo::crash_time() const {
  VMSCOPE_TRY(auto value, lookup("CRASHTIME"));
  return converted(parse_signed(value), "CRASHTIME");
}

}  // namespace vmscope
