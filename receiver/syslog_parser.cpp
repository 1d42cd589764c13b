#include "receiver/syslog_parser.h"

#include <algorithm>
#include <array>
#include <optional>

namespace vmscope {
namespace {

constexpr std::size_t kMaxHeaderField = 255;
constexpr std::size_t kMaxTag = 48;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// "<PRI>": 1 to 3 digits, at most 191 (facility 23, severity 7).
bool parse_pri(std::string_view& rest, SyslogMessage& message) {
  if (rest.size() < 3 || rest[0] != '<') return false;
  std::size_t close = rest.find('>');
  if (close == std::string_view::npos || close < 2 || close > 4) return false;
  std::string_view digits = rest.substr(1, close - 1);
  if (!all_digits(digits)) return false;
  unsigned value = 0;
  for (char c : digits) value = value * 10 + static_cast<unsigned>(c - '0');
  if (value > 191) return false;
  message.has_pri = true;
  message.facility = value / 8;
  message.severity = value % 8;
  rest.remove_prefix(close + 1);
  return true;
}

std::string nil_to_empty(std::string_view field) {
  return field == "-" ? std::string() : std::string(field);
}

// One structured-data element list "[id name="value" …]…"; on malformed input returns
// nullopt and the caller keeps the text as message.
std::optional<std::vector<SyslogSdElement>> parse_structured_data(std::string_view& rest) {
  std::string_view r = rest;
  std::vector<SyslogSdElement> elements;
  while (r.starts_with('[') && elements.size() < kMaxSdElements) {
    r.remove_prefix(1);
    SyslogSdElement element;
    std::size_t id_end = r.find_first_of(" ]");
    if (id_end == std::string_view::npos || id_end == 0 || id_end > kMaxHeaderField) {
      return std::nullopt;
    }
    element.id = std::string(r.substr(0, id_end));
    r.remove_prefix(id_end);
    while (true) {
      if (r.starts_with(']')) {
        r.remove_prefix(1);
        break;
      }
      if (!r.starts_with(' ') || element.params.size() >= kMaxSdParams) return std::nullopt;
      r.remove_prefix(1);
      std::size_t equals = r.find('=');
      if (equals == std::string_view::npos || equals == 0 || equals > kMaxHeaderField) {
        return std::nullopt;
      }
      SyslogSdParam param;
      param.name = std::string(r.substr(0, equals));
      if (param.name.find_first_of(" ]\"") != std::string::npos) return std::nullopt;
      r.remove_prefix(equals + 1);
      if (!r.starts_with('"')) return std::nullopt;
      r.remove_prefix(1);
      bool closed = false;
      std::size_t i = 0;
      while (i < r.size()) {
        char c = r[i];
        if (c == '\\' && i + 1 < r.size() &&
            (r[i + 1] == '"' || r[i + 1] == '\\' || r[i + 1] == ']')) {
          param.value.push_back(r[i + 1]);
          i += 2;
          continue;
        }
        if (c == '"') {
          closed = true;
          ++i;
          break;
        }
        param.value.push_back(c);
        ++i;
      }
      if (!closed) return std::nullopt;
      r.remove_prefix(i);
      element.params.push_back(std::move(param));
    }
    elements.push_back(std::move(element));
  }
  rest = r;
  return elements;
}

// RFC 5424 after PRI. False if the header does not match (the caller falls back to 3164).
bool parse_rfc5424(std::string_view rest, SyslogMessage& message) {
  if (!rest.starts_with("1 ")) return false;
  rest.remove_prefix(2);
  std::array<std::string_view, 5> fields;
  for (auto& field : fields) {
    std::size_t space = rest.find(' ');
    if (space == std::string_view::npos || space == 0 || space > kMaxHeaderField) return false;
    field = rest.substr(0, space);
    rest.remove_prefix(space + 1);
  }
  message.format = SyslogFormat::kRfc5424;
  message.timestamp = nil_to_empty(fields[0]);
  message.hostname = nil_to_empty(fields[1]);
  message.app_name = nil_to_empty(fields[2]);
  message.procid = nil_to_empty(fields[3]);
  message.msgid = nil_to_empty(fields[4]);

  if (rest.starts_with('-')) {
    rest.remove_prefix(1);
  } else if (rest.starts_with('[')) {
    auto elements = parse_structured_data(rest);
    if (elements) message.structured_data = std::move(*elements);
  }
  // MSG follows one space; anything else after the structured data is kept as message.
  if (rest.starts_with(' ')) rest.remove_prefix(1);
  if (rest.starts_with(kBom)) {
    message.bom = true;
    rest.remove_prefix(kBom.size());
  }
  message.message = std::string(rest);
  return true;
}

// "Mmm dd hh:mm:ss" (the day space-padded).
bool is_bsd_timestamp(std::string_view s) {
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (s.size() < 15) return false;
  bool month = false;
  for (std::size_t m = 0; m < kMonths.size(); m += 3)
    month |= s.substr(0, 3) == kMonths.substr(m, 3);
  return month && s[3] == ' ' && (s[4] == ' ' || is_digit(s[4])) && is_digit(s[5]) && s[6] == ' ' &&
         is_digit(s[7]) && is_digit(s[8]) && s[9] == ':' && is_digit(s[10]) && is_digit(s[11]) &&
         s[12] == ':' && is_digit(s[13]) && is_digit(s[14]);
}

// "2026-11-29T15:34:20…" as the first token.
bool is_rfc3339_timestamp(std::string_view token) {
  return token.size() >= 19 && all_digits(token.substr(0, 4)) && token[4] == '-' &&
         all_digits(token.substr(5, 2)) && token[7] == '-' && all_digits(token.substr(8, 2)) &&
         (token[10] == 'T' || token[10] == 't');
}

bool is_tag_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '_' ||
         c == '.' || c == '/' || c == '@';
}

// "TAG: " or "TAG[PID]: " at the start of `rest`; consumes it on success.
bool parse_tag(std::string_view& rest, SyslogMessage& message) {
  std::size_t i = 0;
  while (i < rest.size() && i <= kMaxTag && is_tag_char(rest[i])) ++i;
  if (i == 0 || i > kMaxTag || i >= rest.size()) return false;
  std::string_view tag = rest.substr(0, i);
  std::string_view pid;
  if (rest[i] == '[') {
    std::size_t close = rest.find(']', i);
    if (close == std::string_view::npos || close - i - 1 > kMaxTag) return false;
    pid = rest.substr(i + 1, close - i - 1);
    i = close + 1;
  }
  if (i >= rest.size() || rest[i] != ':') return false;
  ++i;
  if (i < rest.size() && rest[i] == ' ') ++i;
  message.app_name = std::string(tag);
  message.procid = std::string(pid);
  rest.remove_prefix(i);
  return true;
}

bool looks_like_tag(std::string_view token) {
  return token.ends_with(':') || token.find('[') != std::string_view::npos;
}

void parse_rfc3164(std::string_view rest, SyslogMessage& message) {
  message.format = SyslogFormat::kRfc3164;
  bool timestamp = false;
  if (is_bsd_timestamp(rest) && (rest.size() == 15 || rest[15] == ' ')) {
    message.timestamp = std::string(rest.substr(0, 15));
    rest.remove_prefix(std::min<std::size_t>(16, rest.size()));
    timestamp = true;
  } else {
    std::size_t space = rest.find(' ');
    std::string_view token = rest.substr(0, space);
    if (space != std::string_view::npos && is_rfc3339_timestamp(token)) {
      message.timestamp = std::string(token);
      rest.remove_prefix(space + 1);
      timestamp = true;
    }
  }
  // A hostname follows the timestamp unless the next token is already the tag.
  if (timestamp) {
    std::size_t space = rest.find(' ');
    std::string_view token = rest.substr(0, space);
    if (space != std::string_view::npos && space > 0 && space <= kMaxHeaderField &&
        !looks_like_tag(token)) {
      message.hostname = std::string(token);
      rest.remove_prefix(space + 1);
    }
  }
  parse_tag(rest, message);
  message.message = std::string(rest);
}

}  // namespace

SyslogMessage parse_syslog(std::string_view text) {
  // Trailers some senders add to datagrams (a newline, a C string's NUL).
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '\0')) {
    text.remove_suffix(1);
  }
  SyslogMessage message;
  std::string_view rest = text;
  parse_pri(rest, message);
  if (message.has_pri && parse_rfc5424(rest, message)) return message;
  parse_rfc3164(rest, message);
  return message;
}

}  // namespace vmscope
