#include "app/send_command.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "receiver/dump_sender.h"
#include "receiver/dump_source.h"

namespace vmscope::app {
namespace {

constexpr const char* kUsage =
    "usage: vmscope send --core C --to HOST[:PORT] --key FILE [--fec K,M|none]\n"
    "                    [--compression zstd|lz4] [--rate MB/s] [--datagram N]\n"
    "  defaults: port 6677, FEC 32,2, zstd, unpaced, 1452-byte datagrams\n";

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
  auto source = open_dump_source(line.get("--core"));
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
