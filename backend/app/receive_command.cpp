#include "app/receive_command.h"

#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>

#include "receiver/dump_host_keys.h"

namespace vmscope::app {
namespace {

constexpr std::string_view kUsage =
    "usage: vmscope receive DIR [--receive-address A] [--dump-port N|off] [--hosts FILE]\n"
    "                           [--netconsole-port N|off] [--syslog-port N|off]\n";

constexpr int kCapNetBindService = 10;

Result<std::optional<std::uint16_t>> parse_port(const CommandLine& line, const std::string& option,
                                                std::optional<std::uint16_t> fallback) {
  if (!line.has(option)) return fallback;
  std::string text = line.get(option);
  if (text == "off") return std::optional<std::uint16_t>();
  unsigned value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value > 65535) {
    return Error(ErrorCode::kInvalidArgument,
                 option + " needs a port number (0 for any free port) or 'off', got '" + text + "'",
                 {.name = option});
  }
  return std::optional<std::uint16_t>(static_cast<std::uint16_t>(value));
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string read_first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

const std::vector<std::string>& receive_value_options() {
  static const std::vector<std::string> options = {"--receive",     "--receive-address",
                                                   "--dump-port",   "--netconsole-port",
                                                   "--syslog-port", "--hosts"};
  return options;
}

bool may_bind_privileged_ports() {
  if (::geteuid() == 0) return true;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    unsigned long long caps = 0;
    std::istringstream(line.substr(7)) >> std::hex >> caps;
    if ((caps >> kCapNetBindService) & 1) return true;
  }
  std::string start = read_first_line("/proc/sys/net/ipv4/ip_unprivileged_port_start");
  unsigned first = 1024;
  auto parsed = std::from_chars(start.data(), start.data() + start.size(), first);
  return parsed.ec == std::errc() && first <= kPrivilegedSyslogPort;
}

Result<ReceiveOptions> parse_receive_options(const CommandLine& line, std::string dump_dir,
                                             bool privileged) {
  if (dump_dir.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the receiver needs a dump directory",
                 {.name = "--receive"});
  }
  ReceiveOptions options;
  options.dump_dir = std::move(dump_dir);
  options.address = line.get("--receive-address", options.address);
  if (options.address.empty()) {
    return Error(ErrorCode::kInvalidArgument, "--receive-address needs an address",
                 {.name = "--receive-address"});
  }
  VMSCOPE_TRY(options.dump_port, parse_port(line, "--dump-port", kDefaultDumpPort));
  VMSCOPE_TRY(options.netconsole_port,
              parse_port(line, "--netconsole-port", kDefaultNetconsolePort));
  VMSCOPE_TRY(options.syslog_port,
              parse_port(line, "--syslog-port",
                         privileged ? kPrivilegedSyslogPort : kUnprivilegedSyslogPort));
  if (line.has("--hosts")) options.hosts = line.get("--hosts");
  return options;
}

Result<server::ReceiverServiceOptions> receiver_service_options(const ReceiveOptions& options) {
  server::ReceiverServiceOptions service;
  service.dump_dir = options.dump_dir;
  service.address = options.address;
  service.dump_port = options.dump_port;
  service.netconsole_port = options.netconsole_port;
  service.syslog_port = options.syslog_port;
  if (options.hosts) {
    auto hosts = read_host_table(*options.hosts);
    if (!hosts.ok()) return hosts.error().with_context("--hosts " + options.hosts->string());
    service.hosts = std::move(*hosts);
  }
  return service;
}

void announce_receiver(std::ostream& out, const ReceiveOptions& options,
                       const server::ReceiverPorts& ports) {
  std::string host = url_host(options.address);
  auto line = [&](const char* what, const char* protocol, std::uint16_t port) {
    out << "vmscope: receiving " << what << " on " << protocol << "://" << host << ':' << port
        << '\n';
  };
  if (ports.dump != 0) line("dumps", "udp", ports.dump);
  if (ports.netconsole != 0) line("netconsole", "udp", ports.netconsole);
  if (ports.syslog_udp != 0) line("syslog", "udp", ports.syslog_udp);
  if (ports.syslog_tcp != 0) line("syslog", "tcp", ports.syslog_tcp);
  if (options.dump_port && !options.hosts) {
    out << "vmscope: dump ingest off: no host keys (--hosts FILE; vmscope keygen makes keys)\n";
  }
  out << std::flush;
}

int run_receive(const CommandLine& line) {
  auto usage_error = [](const std::string& message) {
    std::cerr << "vmscope receive: " << message << "\n" << kUsage;
    return 2;
  };
  if (line.positional.size() != 1) return usage_error("needs one dump directory");
  for (const auto& [option, values] : line.options) {
    bool known = option == "--help";
    for (const std::string& name : receive_value_options()) known = known || option == name;
    if (!known || option == "--receive") {
      return usage_error(option + " is not an option of vmscope receive");
    }
  }
  auto options = parse_receive_options(line, line.positional[0], may_bind_privileged_ports());
  if (!options.ok()) return usage_error(options.error().message());
  auto service_options = receiver_service_options(*options);
  if (!service_options.ok()) return usage_error(service_options.error().message());

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::mutex print_mutex;  // the observers run on two threads
  server::ReceiverObservers observers;
  observers.dump = [&](const server::ReceivedDumpUpdate& update) {
    const DumpEvent& e = update.event;
    const char* what = e.kind == DumpEvent::Kind::kStarted     ? "started"
                       : e.kind == DumpEvent::Kind::kCompleted ? "complete"
                       : e.kind == DumpEvent::Kind::kFailed    ? "failed"
                                                               : nullptr;
    if (what == nullptr) return;  // progress: see meta.json
    std::lock_guard lock(print_mutex);
    std::cerr << "vmscope: dump " << update.id << " from " << e.host_name << " (" << e.address
              << "): " << what;
    if (e.reason) std::cerr << " (" << *e.reason << ")";
    if (e.kind != DumpEvent::Kind::kStarted) {
      std::cerr << ", " << e.progress.received + e.progress.zero << " of " << e.progress.dumpable
                << " pages";
    }
    std::cerr << '\n' << std::flush;
  };
  auto service = server::ReceiverService::start(std::move(*service_options), std::move(observers));
  if (!service.ok()) {
    std::cerr << "vmscope receive: " << service.error().message() << '\n';
    return 1;
  }
  std::cerr << "vmscope: receiver dump directory " << (*service)->dump_dir().string() << '\n';
  announce_receiver(std::cerr, *options, (*service)->ports());
  int signal_number = 0;
  while (signal_number != SIGINT && signal_number != SIGTERM) {
    signal_number = sigwaitinfo(&stop_signals, nullptr);
  }
  (*service)->stop();
  std::cerr << "vmscope: stopped\n";
  return 0;
}

}  // namespace vmscope::app
