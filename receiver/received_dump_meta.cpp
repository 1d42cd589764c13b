#include "receiver/received_dump_meta.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "support/hex.h"

namespace vmscope {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0.
std::size_t utf8_length(const std::string& s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return 0;
  }
  return n;
}

// A 64-bit value as a JSON string ("0x…"): meta.json keeps addresses and ids exact for any
// reader, as the protocol's wire values do.
std::string json_hex(std::uint64_t v) {
  return '"' + hex_u64(v) + '"';
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      ++i;
    } else if (std::size_t n = utf8_length(s, i); n > 0) {
      out.append(s, i, n);
      i += n;
    } else {
      out += "\xef\xbf\xbd";  // U+FFFD
      ++i;
    }
  }
  return out + "\"";
}

std::string optional_string(const std::optional<std::string>& s) {
  return s ? quote(*s) : "null";
}

std::string boot_id(const std::array<std::byte, 16>& id) {
  std::string out;
  char buf[4];
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    std::snprintf(buf, sizeof buf, "%02x", std::to_integer<unsigned>(id[i]));
    out += buf;
  }
  return out;
}

}  // namespace

std::string rfc3339_utc(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string render_meta_json(const ReceivedDumpMeta& m) {
  const auto& s = m.start;
  const auto& p = m.progress;
  const auto& c = m.counters;
  std::string j = "{\n";
  j += "  \"format\": \"vmscope-received-dump/1\",\n";
  j += "  \"host\": {\"name\": " + quote(m.host_name) + ", \"host_id\": " + json_hex(m.host_id) +
       ", \"address\": " + quote(m.address) + "},\n";
  j += "  \"session_id\": " + json_hex(m.session_id) +
       ", \"boot_id\": " + quote(boot_id(s.boot_id)) + ", \"release\": " + quote(s.release) +
       ", \"e_machine\": " + std::to_string(s.e_machine) + ",\n";
  j += "  \"page_size\": " + std::to_string(s.page_size) +
       ", \"max_pfn\": " + std::to_string(s.max_pfn) +
       ", \"panic_task\": " + json_hex(s.panic_task) +
       ", \"panic_message\": " + quote(m.panic_message) + ",\n";
  j += "  \"command_line\": " + quote(m.command_line) + ",\n";
  j += "  \"sender_panic_time\": " + std::to_string(s.panic_time) +
       ", \"started\": " + quote(m.started) + ", \"ended\": " + optional_string(m.ended) + ",\n";
  j += "  \"state\": " + quote(m.state) + ", \"reason\": " + optional_string(m.reason) + ",\n";
  j += "  \"fec\": {\"k\": " + std::to_string(m.fec_k) + ", \"m\": " + std::to_string(m.fec_m) +
       ", \"groups_recovered\": " + std::to_string(p.groups_recovered) +
       ", \"groups_lost\": " + std::to_string(p.groups_lost) + "},\n";
  j += "  \"pages\": {\"dumpable\": " + std::to_string(p.dumpable) +
       ", \"received\": " + std::to_string(p.received) + ", \"zero\": " + std::to_string(p.zero) +
       ", \"unavailable\": " + std::to_string(p.unavailable) +
       ", \"missing\": " + std::to_string(p.missing) + "},\n";
  if (m.end) {
    const auto& e = *m.end;
    j += "  \"end\": {\"data_packets\": " + std::to_string(e.data_packets) +
         ", \"pages_sent\": " + std::to_string(e.pages_sent) +
         ", \"zero_pages\": " + std::to_string(e.zero_pages) +
         ", \"unavailable\": " + std::to_string(e.unavailable) +
         ", \"payload_bytes\": " + std::to_string(e.payload_bytes) +
         ", \"status\": " + std::to_string(static_cast<std::uint32_t>(e.status)) + "},\n";
  } else {
    j += "  \"end\": null,\n";
  }
  j += "  \"digest\": " + quote(m.digest) + ",\n";
  j += "  \"counters\": {\"duplicate\": " + std::to_string(c.duplicate) +
       ", \"too_old\": " + std::to_string(c.too_old) +
       ", \"auth_failed\": " + std::to_string(c.auth_failed) +
       ", \"protocol_violation\": " + std::to_string(c.protocol_violation) +
       ", \"queue_full\": " + std::to_string(c.queue_full) +
       ", \"nospace_dropped\": " + std::to_string(c.nospace_dropped) +
       ", \"accepted\": " + std::to_string(c.accepted) + "},\n";
  j += "  \"erased\": [";
  for (std::size_t i = 0; i < m.erased.size(); ++i) {
    j += (i ? ", " : "") + std::string("{\"address\": ") + json_hex(m.erased[i].address) +
         ", \"length\": " + std::to_string(m.erased[i].length) + "}";
  }
  j += "]\n}\n";
  return j;
}

Status write_meta_json(const std::filesystem::path& dir, const ReceivedDumpMeta& meta) {
  std::string text = render_meta_json(meta);
  std::filesystem::path tmp = dir / ".meta.json.tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Error(ErrorCode::kIo, "cannot write " + tmp.string() + ": " + std::strerror(errno),
                 {.name = tmp.string()});
  }
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return Error(ErrorCode::kIo, "cannot write " + tmp.string() + ": " + std::strerror(err),
                   {.name = tmp.string()});
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  std::error_code ec;
  std::filesystem::rename(tmp, dir / "meta.json", ec);
  if (ec) {
    return Error(ErrorCode::kIo, "cannot rename " + tmp.string() + ": " + ec.message(),
                 {.name = tmp.string()});
  }
  return ok_status();
}

}  // namespace vmscope
