// The receiver's command-line options, shared by `vmscope serve --receive DIR …` (receiver and
// JSON-RPC server in one process, events pushed to clients) and `vmscope receive DIR …` (the
// receiver alone, events on stderr):
//
//   --receive-address A   where every listener binds. Default 127.0.0.1: nothing is exposed to
//                         the network unless asked, as for --http. Crash dumps come from other
//                         machines, so a real deployment names the interface on the crash
//                         network (or 0.0.0.0 / :: for all). QEMU guests on user networking
//                         reach the host's loopback as 10.0.2.2.
//   --dump-port N|off     the dump wire protocol, UDP (default 6677, protocol-spec/
//                         dump-wire-protocol.md §2). Runs only with --hosts: without keys no
//                         packet could be accepted.
//   --netconsole-port N|off   netconsole, UDP (default 6666, the kernel's netconsole default).
//   --syslog-port N|off   syslog on UDP and TCP (default 514 when this process may bind it —
//                         root, CAP_NET_BIND_SERVICE or a low ip_unprivileged_port_start —
//                         else 5514, as the wire-protocol document says; a busy port is an error,
//                         never silently moved).
//   --hosts FILE          the host table (receiver/dump_host_keys.h): names, key files, allowed
//                         addresses.
// Port 0 picks an ephemeral port. Once bound, each listener is announced on stderr as
//   vmscope: receiving <dumps|netconsole|syslog> on <udp|tcp>://HOST:PORT
// so scripts and tests can find ephemeral ports.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "app/command_line.h"
#include "server/receiver_service.h"
#include "support/result.h"

namespace vmscope::app {

inline constexpr std::uint16_t kDefaultDumpPort = 6677;
inline constexpr std::uint16_t kDefaultNetconsolePort = 6666;
inline constexpr std::uint16_t kPrivilegedSyslogPort = 514;
inline constexpr std::uint16_t kUnprivilegedSyslogPort = 5514;

struct ReceiveOptions {
  std::filesystem::path dump_dir;
  std::string address = "127.0.0.1";
  std::optional<std::uint16_t> dump_port = kDefaultDumpPort;
  std::optional<std::uint16_t> netconsole_port = kDefaultNetconsolePort;
  std::optional<std::uint16_t> syslog_port;
  std::optional<std::filesystem::path> hosts;
};

// The value options above (for parse_command_line).
const std::vector<std::string>& receive_value_options();

// Whether this process may bind ports below 1024.
bool may_bind_privileged_ports();

// Reads the receiver options of `line`; `dump_dir` is --receive's value or receive's argument.
// `privileged` chooses the syslog default. Errors: kInvalidArgument naming the option.
Result<ReceiveOptions> parse_receive_options(const CommandLine& line, std::string dump_dir,
                                             bool privileged);

// The service options: the host table read, the rest copied. Errors: the host table's.
Result<server::ReceiverServiceOptions> receiver_service_options(const ReceiveOptions& options);

// "vmscope: receiving … on …" lines for each bound listener, and a note when the dump ingest
// is off for want of --hosts.
void announce_receiver(std::ostream& out, const ReceiveOptions& options,
                       const server::ReceiverPorts& ports);

// `vmscope receive DIR [options]`: the receiver alone until SIGINT/SIGTERM; dump events are
// printed on stderr.
int run_receive(const CommandLine& line);

}  // namespace vmscope::app
