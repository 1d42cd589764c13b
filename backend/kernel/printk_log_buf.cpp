#include "kernel/printk_log_buf.h"

#include <cstring>
#include <string_view>

#include "support/hex.h"

namespace vmscope::kernel {
namespace {

// log_buf_len is at most 2 GiB (LOG_BUF_LEN_MAX); a dump claiming more is corrupt, and the
// buffer is read whole, so keep it to what a machine could have configured in practice.
constexpr std::uint64_t kMaxLogBuf = 1ull << 30;

Result<std::uint64_t> variable(const debuginfo::DebugInfo& debug, std::string_view name) {
  VMSCOPE_TRY(debuginfo::Variable v, debug.find_variable(name));
  return v.address;
}

Result<std::uint64_t> read_u32(const VirtualMemory& memory, std::uint64_t address) {
  VMSCOPE_TRY(std::uint32_t value, memory.read_u32(address));
  return std::uint64_t{value};
}

// "KEY=value\0KEY=value" into pairs; a part without '=' is kept as a key with no value.
std::vector<std::pair<std::string, std::string>> parse_dictionary(std::string_view dict) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!dict.empty()) {
    const std::size_t end = std::min(dict.find('\0'), dict.size());
    std::string_view item = dict.substr(0, end);
    if (!item.empty()) {
      const std::size_t eq = item.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(std::string(item), std::string());
      } else {
        out.emplace_back(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
      }
    }
    dict.remove_prefix(std::min(end + 1, dict.size()));
  }
  return out;
}

Result<KernelLog> read_records(const VirtualMemory& memory, const PrintkLogBufLayout& l,
                               std::uint64_t buffer, std::uint64_t size,
                               const CancellationToken& cancel) {
  KernelLog log;
  log.source = "printk_log";
  VMSCOPE_TRY(std::uint64_t first_idx, read_u32(memory, l.log_first_idx));
  VMSCOPE_TRY(std::uint64_t next_idx, read_u32(memory, l.log_next_idx));
  VMSCOPE_TRY(std::uint64_t first_seq, memory.read_u64(l.log_first_seq));
  VMSCOPE_TRY(std::uint64_t next_seq, memory.read_u64(l.log_next_seq));
  if (first_idx >= size || next_idx >= size || next_seq < first_seq) {
    return Error(ErrorCode::kCorrupt,
                 "log_buf indexes are corrupt: first_idx " + std::to_string(first_idx) +
                     ", next_idx " + std::to_string(next_idx) + " in a buffer of " +
                     std::to_string(size) + " bytes",
                 {.address = buffer});
  }
  VMSCOPE_TRY(RegionSnapshot bytes, RegionSnapshot::read(memory, buffer, size, kMaxLogBuf, cancel));
  if (bytes.first_error())
    log.problems.push_back(bytes.first_error()->with_context("reading log_buf"));

  // Every record is at least a header long, so there are never more than this many.
  const std::uint64_t max_records = size / l.header_size + 1;
  std::uint64_t idx = first_idx;
  std::uint64_t seq = first_seq;
  bool wrapped = false;
  auto stop = [&](std::string why) {
    log.problems.push_back(Error(ErrorCode::kCorrupt,
                                 "log_buf record at index " + std::to_string(idx) + " (" +
                                     hex_u64(buffer + idx) + "): " + why,
                                 {.address = buffer + idx}));
  };
  while (idx != next_idx) {
    if ((seq - first_seq) % 1024 == 0) VMSCOPE_CHECK(cancel.check());
    if (seq - first_seq > max_records) {
      stop("more records than the buffer can hold");
      break;
    }
    if (idx + l.header_size > size) {
      stop("header runs past the end of the buffer");
      break;
    }
    auto header = bytes.bytes(idx, l.header_size);
    if (!header.ok()) {
      log.problems.push_back(header.error().with_context("reading a log_buf record header"));
      break;
    }
    const std::uint64_t len = l.len.extract(*header);
    if (len == 0) {
      // The rest of the buffer is unused: the next record is at its start.
      if (wrapped || idx < next_idx) {
        stop("a second wrap marker");
        break;
      }
      wrapped = true;
      idx = 0;
      continue;
    }
    const std::uint64_t text_len = l.text_len.extract(*header);
    const std::uint64_t dict_len = l.dict_len.present() ? l.dict_len.extract(*header) : 0;
    if (len < l.header_size || idx + len > size || l.header_size + text_len + dict_len > len) {
      stop("length " + std::to_string(len) + " does not fit (text " + std::to_string(text_len) +
           ", dictionary " + std::to_string(dict_len) + ")");
      break;
    }
    LogRecord r;
    r.seq = seq;
    r.timestamp_ns = l.ts_nsec.extract(*header);
    r.level = static_cast<std::uint8_t>(l.level.extract(*header));
    r.facility = static_cast<std::uint8_t>(l.facility.extract(*header));
    r.flags = static_cast<std::uint32_t>(l.flags.extract(*header));
    r.continuation = (r.flags & l.log_cont) != 0;
    if (l.caller_id.present())
      set_caller(r, static_cast<std::uint32_t>(l.caller_id.extract(*header)));
    auto body = bytes.bytes(idx + l.header_size, text_len + dict_len);
    if (!body.ok()) {
      ++log.skipped["unreadable text"];
    } else {
      const char* chars = reinterpret_cast<const char*>(body->data());
      r.text.assign(chars, text_len);
      r.context = parse_dictionary(std::string_view(chars + text_len, dict_len));
      log.records.push_back(std::move(r));
    }
    idx += len;
    ++seq;
  }
  return log;
}

// "<6>[    1.234567] text" -> level 6, timestamp, "text".
LogRecord parse_plain_line(std::string_view line, std::uint64_t seq) {
  LogRecord r;
  r.seq = seq;
  r.level = 4;  // default_message_loglevel when the line has no prefix
  if (line.size() >= 3 && line[0] == '<' && line[2] == '>' && line[1] >= '0' && line[1] <= '7') {
    r.level = static_cast<std::uint8_t>(line[1] - '0');
    line.remove_prefix(3);
  }
  if (!line.empty() && line[0] == '[') {
    const std::size_t close = line.find(']');
    const std::size_t dot = line.find('.');
    if (close != std::string_view::npos && dot != std::string_view::npos && dot < close) {
      std::uint64_t seconds = 0, micros = 0;
      bool ok = true;
      for (char c : line.substr(1, dot - 1)) {
        if (c == ' ') continue;
        if (c < '0' || c > '9') ok = false;
        seconds = seconds * 10 + static_cast<std::uint64_t>(c - '0');
      }
      for (char c : line.substr(dot + 1, close - dot - 1)) {
        if (c < '0' || c > '9') ok = false;
        micros = micros * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (ok) {
        r.timestamp_ns = seconds * 1000000000ull + micros * 1000ull;
        line.remove_prefix(close + 1);
        if (!line.empty() && line[0] == ' ') line.remove_prefix(1);
      }
    }
  }
  r.text = std::string(line);
  return r;
}

Result<KernelLog> read_plain(const VirtualMemory& memory, const PrintkLogBufLayout& l,
                             std::uint64_t buffer, std::uint64_t size,
                             const CancellationToken& cancel) {
  KernelLog log;
  log.source = "plain log_buf";
  VMSCOPE_TRY(std::uint64_t end, read_u32(memory, l.log_end));
  VMSCOPE_TRY(std::uint64_t logged, read_u32(memory, l.logged_chars));
  if ((size & (size - 1)) != 0) {
    return Error(ErrorCode::kCorrupt,
                 "log_buf_len " + std::to_string(size) + " is not a power of 2",
                 {.address = l.log_buf_len});
  }
  logged = std::min(logged, size);
  VMSCOPE_TRY(RegionSnapshot bytes, RegionSnapshot::read(memory, buffer, size, kMaxLogBuf, cancel));
  if (bytes.first_error())
    log.problems.push_back(bytes.first_error()->with_context("reading log_buf"));
  std::string text;
  text.reserve(logged);
  for (std::uint64_t i = end - logged; i != end; ++i) {
    auto byte = bytes.bytes(i & (size - 1), 1);
    text.push_back(byte.ok() ? static_cast<char>((*byte)[0]) : '\0');
  }
  // The oldest line is usually cut by the wrap: drop everything before the first newline when
  // the buffer is full.
  std::string_view rest(text);
  if (logged == size) {
    const std::size_t nl = rest.find('\n');
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  }
  std::uint64_t seq = 0;
  while (!rest.empty()) {
    const std::size_t nl = std::min(rest.find('\n'), rest.size());
    log.records.push_back(parse_plain_line(rest.substr(0, nl), seq++));
    rest.remove_prefix(std::min(nl + 1, rest.size()));
  }
  return log;
}

}  // namespace

Result<PrintkLogBufLayout> PrintkLogBufLayout::from_record_type(
    const debuginfo::QualifiedType& record) {
  PrintkLogBufLayout l;
  l.kind = Kind::kRecords;
  FieldResolver r(record);
  VMSCOPE_TRY(l.header_size, r.size());
  VMSCOPE_TRY(l.ts_nsec, r.required("ts_nsec"));
  VMSCOPE_TRY(l.len, r.required("len"));
  VMSCOPE_TRY(l.text_len, r.required("text_len"));
  l.dict_len = r.optional("dict_len");
  VMSCOPE_TRY(l.facility, r.required("facility"));
  VMSCOPE_TRY(l.flags, r.required("flags"));
  VMSCOPE_TRY(l.level, r.required("level"));
  l.caller_id = r.optional("caller_id");
  return l;
}

Result<PrintkLogBufLayout> PrintkLogBufLayout::resolve(const debuginfo::DebugInfo& debug) {
  PrintkLogBufLayout l;
  auto record = debug.find_type("struct printk_log");
  if (!record.ok()) record = debug.find_type("struct log");
  if (record.ok()) {
    VMSCOPE_TRY(l, from_record_type(*record));
    VMSCOPE_TRY(l.log_first_idx, variable(debug, "log_first_idx"));
    VMSCOPE_TRY(l.log_next_idx, variable(debug, "log_next_idx"));
    VMSCOPE_TRY(l.log_first_seq, variable(debug, "log_first_seq"));
    VMSCOPE_TRY(l.log_next_seq, variable(debug, "log_next_seq"));
    if (auto cont = debug.find_constant("LOG_CONT"); cont.ok()) {
      l.log_cont = static_cast<std::uint32_t>(cont->value);
    }
  } else {
    auto end = variable(debug, "log_end");
    if (!end.ok()) {
      return Error(ErrorCode::kNotFound,
                   "the kernel has no log buffer vmscope knows (no `prb`, no `struct "
                   "printk_log`, no `log_end`)",
                   {.name = "log_buf"});
    }
    l.kind = Kind::kPlain;
    l.log_end = *end;
    VMSCOPE_TRY(l.logged_chars, variable(debug, "logged_chars"));
  }
  VMSCOPE_TRY(l.log_buf, variable(debug, "log_buf"));
  VMSCOPE_TRY(l.log_buf_len, variable(debug, "log_buf_len"));
  return l;
}

Result<KernelLog> read_printk_log_buf(const VirtualMemory& memory, const PrintkLogBufLayout& layout,
                                      const CancellationToken& cancel) {
  VMSCOPE_TRY(std::uint64_t buffer, memory.read_u64(layout.log_buf));
  VMSCOPE_TRY(std::uint64_t size, read_u32(memory, layout.log_buf_len));
  if (size == 0 || size > kMaxLogBuf) {
    return Error(ErrorCode::kCorrupt, "log_buf_len " + std::to_string(size) + " is not plausible",
                 {.address = layout.log_buf_len});
  }
  if (layout.kind == PrintkLogBufLayout::Kind::kPlain) {
    return read_plain(memory, layout, buffer, size, cancel);
  }
  return read_records(memory, layout, buffer, size, cancel);
}

}  // namespace vmscope::kernel
