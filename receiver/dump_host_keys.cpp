#include "receiver/dump_host_keys.h"

#include <sodium.h>

#include <fstream>
#include <set>
#include <sstream>

namespace vmscope {
namespace {

Error bad(std::string what, std::size_t line) {
  return Error(ErrorCode::kCorrupt, what + " (line " + std::to_string(line) + ")");
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

Result<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kNotFound, "cannot read " + path.string(), {.name = path.string()});
  }
  std::stringstream s;
  s << in.rdbuf();
  if (s.str().size() > (1 << 20)) {
    return Error(ErrorCode::kLimitExceeded, path.string() + " is over 1 MiB",
                 {.name = path.string()});
  }
  return s.str();
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<HostKeyFile> parse_host_key_file(std::string_view text) {
  HostKeyFile out;
  bool have_id = false, have_key = false;
  std::size_t number = 0;
  for (std::string_view line : lines_of(text)) {
    ++number;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("host_id=0x") && line.size() == 10 + 16 && !have_id) {
      for (char c : line.substr(10)) {
        int v = hex_value(c);
        if (v < 0) return bad("host_id is not 16 hex digits", number);
        out.host_id = out.host_id << 4 | static_cast<std::uint64_t>(v);
      }
      if (out.host_id == 0) return bad("host_id must not be 0", number);
      have_id = true;
    } else if (line.starts_with("key=") && line.size() == 4 + 64 && !have_key) {
      for (std::size_t i = 0; i < 32; ++i) {
        int hi = hex_value(line[4 + 2 * i]), lo = hex_value(line[5 + 2 * i]);
        if (hi < 0 || lo < 0) return bad("key is not 64 hex digits", number);
        out.key[i] = static_cast<std::byte>(hi << 4 | lo);
      }
      have_key = true;
    } else {
      return bad("expected host_id=0x<16 hex> or key=<64 hex>, once each", number);
    }
  }
  if (!have_id || !have_key) return Error(ErrorCode::kCorrupt, "key file lacks host_id or key");
  return out;
}

Result<HostKeyFile> read_host_key_file(const std::filesystem::path& path) {
  VMSCOPE_TRY(std::string text, read_text(path));
  auto parsed = parse_host_key_file(text);
  if (!parsed.ok()) return parsed.error().with_context(path.string());
  return parsed;
}

std::string format_host_key_file(const HostKeyFile& key) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "host_id=0x";
  for (int shift = 60; shift >= 0; shift -= 4) out += kDigits[(key.host_id >> shift) & 0xf];
  out += "\nkey=";
  for (std::byte b : key.key) {
    out += kDigits[std::to_integer<unsigned>(b) >> 4];
    out += kDigits[std::to_integer<unsigned>(b) & 0xf];
  }
  out += "\n";
  return out;
}

Result<std::vector<DumpHost>> parse_host_table(std::string_view text,
                                               const std::filesystem::path& base_dir) {
  std::vector<DumpHost> hosts;
  std::set<std::string> names;
  std::set<std::uint64_t> ids;
  std::size_t number = 0;
  for (std::string_view line : lines_of(text)) {
    ++number;
    if (std::size_t hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    std::istringstream words{std::string(line)};
    std::vector<std::string> fields;
    for (std::string w; words >> w;) fields.push_back(w);
    if (fields.empty()) continue;
    if (fields.size() < 2) return bad("expected: <name> <key file> [<address> ...]", number);
    if (!valid_name(fields[0])) return bad("bad host name '" + fields[0] + "'", number);
    std::filesystem::path key_path = fields[1];
    if (key_path.is_relative()) key_path = base_dir / key_path;
    auto key = read_host_key_file(key_path);
    if (!key.ok())
      return key.error().with_context("host " + fields[0] + " (line " + std::to_string(number) +
                                      ")");
    if (!names.insert(fields[0]).second) return bad("host " + fields[0] + " listed twice", number);
    if (!ids.insert(key->host_id).second)
      return bad("host_id of " + fields[0] + " used twice", number);
    hosts.push_back({fields[0], key->host_id, key->key, {fields.begin() + 2, fields.end()}});
  }
  return hosts;
}

Result<std::vector<DumpHost>> read_host_table(const std::filesystem::path& path) {
  VMSCOPE_TRY(std::string text, read_text(path));
  auto parsed = parse_host_table(text, path.parent_path());
  if (!parsed.ok()) return parsed.error().with_context(path.string());
  return parsed;
}

HostKeyFile generate_host_key() {
  HostKeyFile out;
  if (sodium_init() < 0) return out;  // host_id 0: callers check (never valid)
  do {
    randombytes_buf(&out.host_id, sizeof out.host_id);
  } while (out.host_id == 0);
  randombytes_buf(out.key.data(), out.key.size());
  return out;
}

}  // namespace vmscope
