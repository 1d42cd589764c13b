#include "receiver/netconsole_parser.h"

#include <cstdio>

#include "receiver/text_escape.h"

namespace vmscope {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Decimal digits only, no sign, no overflow.
std::optional<std::uint64_t> parse_u64(std::string_view s) {
  if (!all_digits(s) || s.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : s) {
    auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::vector<std::string_view> split(std::string_view s, char sep, std::size_t max_fields) {
  std::vector<std::string_view> fields;
  while (fields.size() <= max_fields) {
    std::size_t at = s.find(sep);
    fields.push_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return fields;
}

Error syntax(std::string message) {
  return Error(ErrorCode::kSyntaxError, "not a netconsole extended header: " + message);
}

// "<off>/<len>" of an ncfrag field.
Result<NetconsoleFragment> parse_fragment(std::string_view value) {
  std::size_t slash = value.find('/');
  if (slash == std::string_view::npos) return syntax("ncfrag without '/'");
  auto offset = parse_u64(value.substr(0, slash));
  auto total = parse_u64(value.substr(slash + 1));
  if (!offset || !total) return syntax("ncfrag is not <number>/<number>");
  if (*total == 0 || *total > UINT32_MAX || *offset >= *total) {
    return Error(ErrorCode::kCorrupt, "ncfrag offset " + std::to_string(*offset) +
                                          " does not lie inside a body of " +
                                          std::to_string(*total) + " bytes");
  }
  return NetconsoleFragment{static_cast<std::uint32_t>(*offset),
                            static_cast<std::uint32_t>(*total)};
}

}  // namespace

Result<ExtendedDatagram> parse_extended_datagram(std::string_view datagram) {
  std::size_t semicolon = datagram.substr(0, kMaxExtendedHeader + 1).find(';');
  if (semicolon == std::string_view::npos) {
    if (datagram.size() > kMaxExtendedHeader) {
      return Error(ErrorCode::kLimitExceeded,
                   "no ';' in the first " + std::to_string(kMaxExtendedHeader) + " bytes");
    }
    return syntax("no ';'");
  }
  std::string_view header_text = datagram.substr(0, semicolon);
  auto fields = split(header_text, ',', kMaxHeaderFields);
  if (fields.size() > kMaxHeaderFields) {
    return Error(ErrorCode::kLimitExceeded,
                 "more than " + std::to_string(kMaxHeaderFields) + " header fields");
  }

  ExtendedDatagram out;
  ExtendedHeader& header = out.header;
  std::size_t next = 0;
  // With the "r" option (2023+) netconsole prepends the release; a release never is all digits.
  if (!fields.empty() && !all_digits(fields[0])) {
    std::string_view release = fields[0];
    if (release.empty() || release.size() > kMaxReleaseLength) return syntax("bad first field");
    for (char c : release) {
      if (c <= ' ' || c == 0x7f) return syntax("control byte or space in the release field");
    }
    header.release = std::string(release);
    next = 1;
  }
  if (fields.size() < next + 4) return syntax("fewer than 4 fields");

  auto prefix = parse_u64(fields[next]);
  auto seq = parse_u64(fields[next + 1]);
  auto timestamp = parse_u64(fields[next + 2]);
  std::string_view flags = fields[next + 3];
  // The prefix packs an 8-bit facility and a 3-bit level.
  if (!prefix || *prefix > 2047) return syntax("level/facility prefix is not a small number");
  if (!seq) return syntax("sequence number is not a number");
  if (!timestamp) return syntax("timestamp is not a number");
  if (flags.empty() || flags.size() > 8 || flags.find('=') != std::string_view::npos) {
    return syntax("bad flags field");
  }
  header.prefix = static_cast<std::uint32_t>(*prefix);
  header.seq = *seq;
  header.timestamp_us = *timestamp;
  header.flags = std::string(flags);

  // Optional fields; ncfrag is left out of the identity, everything else stays in it.
  header.identity.reserve(header_text.size());
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string_view field = fields[i];
    if (i >= next + 4) {
      if (field.starts_with("ncfrag=")) {
        if (header.fragment) return syntax("two ncfrag fields");
        VMSCOPE_TRY(header.fragment, parse_fragment(field.substr(7)));
        continue;
      }
      if (field.starts_with("caller=")) header.caller = std::string(field.substr(7));
    }
    if (i > 0) header.identity.push_back(',');
    header.identity.append(field);
  }
  out.body = datagram.substr(semicolon + 1);
  return out;
}

NetconsoleRecord extended_record(const ExtendedHeader& header, std::string_view body) {
  NetconsoleRecord record;
  record.extended = true;
  record.seq = header.seq;
  record.level = header.prefix & 7;
  record.facility = header.prefix >> 3;
  record.timestamp_us = header.timestamp_us;
  record.continuation = header.flags.find('c') != std::string::npos;
  record.release = header.release;
  record.caller = header.caller;

  std::size_t newline = body.find('\n');
  record.text = kmsg_unescape(body.substr(0, newline));
  if (newline == std::string_view::npos) return record;
  std::string_view rest = body.substr(newline + 1);
  // Dictionary lines: " KEY=value" (printk's dictionary and netconsole's userdata). Lines
  // without '=' carry nothing we can name and are skipped; the loop ends with the body.
  while (!rest.empty()) {
    std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    if (line.starts_with(' ')) line.remove_prefix(1);
    std::size_t equals = line.find('=');
    if (equals == std::string_view::npos || equals == 0) continue;
    record.dict.emplace_back(kmsg_unescape(line.substr(0, equals)),
                             kmsg_unescape(line.substr(equals + 1)));
  }
  return record;
}

NetconsoleRecord plain_record(std::string_view line) {
  NetconsoleRecord record;
  record.raw = std::string(line);
  std::string_view rest = line;
  // "<N>" with console_msg_format=syslog.
  if (rest.size() >= 3 && rest[0] == '<') {
    std::size_t close = rest.find('>');
    if (close != std::string_view::npos && close <= 5) {
      auto prefix = parse_u64(rest.substr(1, close - 1));
      if (prefix && *prefix <= 2047) {
        record.level = static_cast<std::uint32_t>(*prefix & 7);
        record.facility = static_cast<std::uint32_t>(*prefix >> 3);
        rest.remove_prefix(close + 1);
      }
    }
  }
  // "[    1.234567] " with printk.time=1 (CONFIG_PRINTK_TIME).
  if (rest.starts_with('[')) {
    std::size_t close = rest.find(']');
    if (close != std::string_view::npos && close <= 32) {
      std::string_view stamp = rest.substr(1, close - 1);
      while (stamp.starts_with(' ')) stamp.remove_prefix(1);
      std::size_t dot = stamp.find('.');
      if (dot != std::string_view::npos) {
        auto seconds = parse_u64(stamp.substr(0, dot));
        std::string_view fraction = stamp.substr(dot + 1);
        auto micros = parse_u64(fraction);
        if (seconds && micros && fraction.size() == 6 && *seconds < UINT64_MAX / 1000000) {
          record.timestamp_us = *seconds * 1000000 + *micros;
          rest.remove_prefix(close + 1);
          if (rest.starts_with(' ')) rest.remove_prefix(1);
        }
      }
    }
  }
  record.text = std::string(rest);
  return record;
}

std::string netconsole_log_line(const NetconsoleRecord& record) {
  if (!record.extended) return record.raw;
  if (!record.timestamp_us) return record.text;
  char stamp[48];
  std::snprintf(stamp, sizeof stamp, "[%5llu.%06llu] ",
                static_cast<unsigned long long>(*record.timestamp_us / 1000000),
                static_cast<unsigned long long>(*record.timestamp_us % 1000000));
  return stamp + record.text;
}

}  // namespace vmscope
