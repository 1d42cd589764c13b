// The log side of the receiver on Asio: a UDP netconsole listener and UDP + TCP syslog
// listeners (protocol-spec/dump-wire-protocol.md §13). Every record they accept is
//   1. counted and rate-limited per source address (receiver/host_rate_limiter.h),
//   2. appended to <dumpdir>/logs/<address>/{netconsole,syslog}.log (receiver/log_file_sink.h)
//      when a dump directory is configured,
//   3. handed to the callback, which the server connects to its push notifications.
// Parsing is receiver/netconsole_assembler.h, receiver/syslog_parser.h and
// receiver/syslog_tcp_framer.h; this file only moves bytes and keeps the bounds: datagrams up to
// 64 KiB, syslog messages up to max_syslog_message, at most max_tcp_connections connections
// (more are closed on accept), idle connections closed after tcp_idle_timeout.
//
// Threading: start() binds the sockets and runs them on one internal I/O thread; the callback
// is called on that thread, one record at a time, and must not block for long (it holds up
// every listener) nor call stop() or destroy the LogListeners. stats() and the port accessors
// are safe from any thread. stop() (also run by the destructor) flushes partial netconsole
// lines, closes every socket and joins the thread; after it returns the callback is never
// called again. Nothing throws out of this class: Asio is used through its error_code calls,
// and an exception from the callback is caught and counted.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "receiver/host_rate_limiter.h"
#include "receiver/netconsole_assembler.h"
#include "receiver/syslog_parser.h"
#include "support/result.h"

namespace vmscope {

struct LogEvent {
  enum class Source { kNetconsole, kSyslogUdp, kSyslogTcp };
  Source source = Source::kNetconsole;
  std::string host;        // source address (IPv4-mapped IPv6 shown as IPv4)
  std::uint16_t port = 0;  // source port
  std::variant<NetconsoleRecord, SyslogMessage> record;
  std::string line;  // the line written to the host's log file, before escaping
};

using LogCallback = std::function<void(const LogEvent&)>;

struct LogListenerConfig {
  std::filesystem::path dump_dir;   // empty: no files, callback only
  std::string address = "0.0.0.0";  // "::" listens on IPv6 and IPv4
  // Unset: that listener is off. 0: an ephemeral port (see the port accessors).
  std::optional<std::uint16_t> netconsole_port;
  std::optional<std::uint16_t> syslog_udp_port;
  std::optional<std::uint16_t> syslog_tcp_port;
  NetconsoleMode netconsole_mode = NetconsoleMode::kAuto;
  NetconsoleLimits netconsole;
  RateLimits rate;
  std::size_t max_syslog_message = 65536;
  std::size_t max_tcp_connections = 64;
  std::chrono::milliseconds tcp_idle_timeout{std::chrono::minutes(10)};
  std::chrono::milliseconds housekeeping_interval{500};
  int receive_buffer_bytes = 4 << 20;  // SO_RCVBUF asked for (the kernel may cap it)
};

struct LogListenerStats {
  std::uint64_t netconsole_datagrams = 0;
  std::uint64_t syslog_datagrams = 0;
  std::uint64_t tcp_accepted = 0;
  std::uint64_t tcp_rejected = 0;  // over max_tcp_connections
  std::uint64_t tcp_framing_errors = 0;
  std::uint64_t tcp_idle_closed = 0;
  std::uint64_t tcp_open = 0;
  std::uint64_t syslog_oversized = 0;  // TCP frames over max_syslog_message
  std::uint64_t records = 0;           // delivered to file and callback
  std::uint64_t rate_dropped = 0;
  std::uint64_t file_errors = 0;
  std::uint64_t callback_errors = 0;
  std::uint64_t socket_errors = 0;
  std::string last_error;  // the most recent file or socket error, for operators
  NetconsoleStats netconsole;
  std::vector<std::pair<std::string, HostCounters>> hosts;
};

class LogListeners {
 public:
  // Binds the configured listeners and starts the I/O thread. Errors: kInvalidArgument (bad
  // address), kIo (a bind failed: port in use, permission), kInternal (no thread).
  static Result<std::unique_ptr<LogListeners>> start(LogListenerConfig config,
                                                     LogCallback callback);
  ~LogListeners();
  LogListeners(const LogListeners&) = delete;
  LogListeners& operator=(const LogListeners&) = delete;

  void stop();

  // The bound ports (0 when that listener is off).
  std::uint16_t netconsole_port() const;
  std::uint16_t syslog_udp_port() const;
  std::uint16_t syslog_tcp_port() const;

  LogListenerStats stats() const;

  struct Impl;

 private:
  explicit LogListeners(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vmscope
