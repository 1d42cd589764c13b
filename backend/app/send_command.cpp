#include "app/send_command.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>

#include "receiver/dump_sender.h"
#include "receiver/dump_source.h"

namespace vmscope::app {
namespace {

constexpr const char* kUsage =
    "usage: vmscope send --core C|- --to HOST[:PORT] --key FILE [--fec K,M|none]\n"
    "                    [--compression zstd|lz4] [--rate MB/s] [--datagram N]\n"
    "  defaults: port 6677, FEC 32,2, zstd, unpaced, 1452-byte datagrams\n"
    "  --core -: the dump on stdin (makedumpfile -F ... | vmscope send --core - ...),\n"
    "            spooled to $TMPDIR first\n";

int usage(const std::string& problem) {
  std::cerr << "vmscope send: " << problem << "\n" << kUsage;
  return 2;
}

// "HOST", "HOST:PORT", "[V6]:PORT" or a bare IPv6 address.
bool parse_destination(const std::string& to, std::string& host, std::uint16_t& port) {
  std::string port_text;
  if (to.starts_with('[')) {
    std::size_t close = to.find(']');
    if (close == std::string::npos) return false;
    host = to.substr(1, close - 1);
    if (close + 1 < to.size()) {
      if (to[close + 1] != ':') return false;
      port_text = to.substr(close + 2);
    }
  } else if (std::count(to.begin(), to.end(), ':') == 1) {
    host = to.substr(0, to.find(':'));
    port_text = to.substr(to.find(':') + 1);
  } else {
    host = to;
  }
  if (port_text.empty()) return !host.empty();
  unsigned long value = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned long>(c - '0');
    if (value > 65535) return false;
  }
  port = static_cast<std::uint16_t>(value);
  return !host.empty() && value != 0;
}

// `--core -`: the dump arrives on stdin, typically `makedumpfile -F` in a kdump capture kernel
// (its flattened format exists to be written to a pipe). Pages are sent in pfn order and a
// flattened stream is not in that order, so stdin is first copied to a file in $TMPDIR (in a
// capture kernel a tmpfs, i.e. memory: filter with -d 31 so the copy stays small). The file is
// removed by the destructor.
class StdinSpool {
 public:
  StdinSpool() = default;
  StdinSpool(const StdinSpool&) = delete;
  StdinSpool& operator=(const StdinSpool&) = delete;
  ~StdinSpool() {
    if (!path_.empty()) std::filesystem::remove(path_, ignored_);
  }
  // Copies stdin to the spool file; an error message, or "" on success.
  std::string fill() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/vmscope-send-stdin-XXXXXX";
    int fd = ::mkstemp(pattern.data());
    if (fd < 0) return "cannot create a spool file " + pattern + ": " + std::strerror(errno);
    path_ = pattern;
    std::vector<char> buffer(std::size_t{1} << 20);
    std::string problem;
    for (;;) {  // ends at EOF or on an error
      ssize_t n = ::read(STDIN_FILENO, buffer.data(), buffer.size());
      if (n == 0) break;
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        problem = std::string("reading stdin: ") + std::strerror(errno);
        break;
      }
      for (ssize_t done = 0; done < n && problem.empty();) {
        ssize_t w = ::write(fd, buffer.data() + done, static_cast<std::size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) problem = "writing " + path_ + ": " + std::strerror(errno);
        if (w > 0) done += w;
      }
      if (!problem.empty()) break;
      bytes_ += static_cast<std::uint64_t>(n);
    }
    if (::close(fd) != 0 && problem.empty())
      problem = "closing " + path_ + ": " + std::strerror(errno);
    return problem;
  }
  const std::string& path() const { return path_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  std::string path_;
  std::uint64_t bytes_ = 0;
  std::error_code ignored_;
};

}  // namespace

int run_send(const CommandLine& line) {
  if (!line.has("--core") || !line.has("--to") || !line.has("--key")) {
    return usage("--core, --to and --key are required");
  }
  DumpSendOptions options;
  if (!parse_destination(line.get("--to"), options.address, options.port)) {
    return usage("--to wants HOST[:PORT]");
  }
  std::string fec = line.get("--fec", "32,2");
  unsigned k = 0, m = 0;
  if (fec == "none") {
    options.fec_k = options.fec_m = 0;
  } else if (std::sscanf(fec.c_str(), "%u,%u", &k, &m) == 2 && k >= 1 && k <= 64 && m >= 1 &&
             m <= 16) {
    options.fec_k = k;
    options.fec_m = m;
  } else {
    return usage("--fec wants K,M with K in 1..64 and M in 1..16, or none");
  }
  std::string compression = line.get("--compression", "zstd");
  if (compression == "lz4") {
    options.compression = PageCodec::kLz4;
  } else if (compression != "zstd") {
    return usage("--compression wants zstd or lz4");
  }
  if (line.has("--rate")) {
    double rate = 0;
    if (std::sscanf(line.get("--rate").c_str(), "%lf", &rate) != 1 || rate <= 0) {
      return usage("--rate wants megabytes per second");
    }
    options.rate_bytes_per_second = rate * 1e6;
  }
  if (line.has("--datagram")) {
    unsigned size = 0;
    if (std::sscanf(line.get("--datagram").c_str(), "%u", &size) != 1 || size < 512 ||
        size > 65507) {
      return usage("--datagram wants 512..65507");
    }
    options.max_datagram = size;
  }
  auto key = read_host_key_file(line.get("--key"));
  if (!key.ok()) {
    std::cerr << "vmscope send: " << key.error().to_string() << "\n";
    return 1;
  }
  options.key = *key;
  std::string core = line.get("--core");
  StdinSpool spool;
  if (core == "-") {
    std::string problem = spool.fill();
    if (!problem.empty()) {
      std::cerr << "vmscope send: " << problem << "\n";
      return 1;
    }
    std::cerr << "vmscope send: " << spool.bytes() << " bytes from stdin\n";
    core = spool.path();
  }
  auto source = open_dump_source(core);
  if (!source.ok()) {
    std::cerr << "vmscope send: " << source.error().to_string() << "\n";
    return 1;
  }
  auto report = send_dump(*source, options);
  if (!report.ok()) {
    std::cerr << "vmscope send: " << report.error().to_string() << "\n";
    return 1;
  }
  const auto& p = report->packets;
  double mib = static_cast<double>(source->dumpable_pages()) * source->page_size / (1 << 20);
  std::printf(
      "session 0x%016llx: %llu pages sent, %llu zero, %llu unavailable; %llu datagrams "
      "(%llu data, %llu parity), %.1f MiB on the wire, %.0f MiB of memory in %.2f s "
      "(%.0f MiB/s)%s\n",
      static_cast<unsigned long long>(report->session_id), static_cast<unsigned long long>(p.pages),
      static_cast<unsigned long long>(p.zero_pages), static_cast<unsigned long long>(p.unavailable),
      static_cast<unsigned long long>(report->datagrams),
      static_cast<unsigned long long>(p.data_packets),
      static_cast<unsigned long long>(p.parity_packets),
      static_cast<double>(report->bytes) / (1 << 20), mib, report->seconds, mib / report->seconds,
      report->send_errors ? "; SEND ERRORS" : "");
  return report->send_errors == 0 ? 0 : 1;
}

}  // namespace vmscope::app
