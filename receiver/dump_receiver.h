// The dump ingest listener (protocol-spec/dump-wire-protocol.md §11): a UDP socket on Asio that
// takes dump-protocol datagrams from many hosts at once and writes each dump as a
// kdump-compressed file under <dumpdir>/<ip>-<date>/ (receiver/dump_session.h).
//
// Two threads, so that no file is ever written on the network thread:
//   network thread  §11.1 steps 1-7, cheap checks first: size, header, host table, source
//                   address, replay window, AEAD, then the session table (SESSION_START makes
//                   a session, within the per-host and global limits), held packets of
//                   sessions not started yet, the per-host byte quota. Authenticated bodies go
//                   to a bounded queue (packets and bytes); when it is full the packet is
//                   dropped and counted (`queue_full`), as if the network had lost it — FEC may
//                   still repair it.
//   writer thread   runs the DumpSessions: FEC, META, pages to the kdump writer, timers,
//                   meta.json, hooks, events. Checks the free-space reserve once a second.
// Every drop has a counter, per host and in total (stats()); nothing is dropped silently.
// Finished (host_id, session_id) pairs are remembered in <dumpdir>/.sessions-seen, so a
// replayed old session is refused even after a restart (§9, §12).
//
// Threading: start() binds and starts both threads. The event callback runs on the writer
// thread and must not block for long nor call stop(). stats(), port() and
// append_console_line() are safe from any thread. stop() (also the destructor) closes the
// socket, finalizes every open session with what has arrived, and joins both threads; no
// callback runs after it returns. Nothing throws out of this class.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "receiver/dump_events.h"
#include "receiver/dump_host_keys.h"
#include "receiver/dump_session.h"
#include "receiver/hook_runner.h"
#include "support/result.h"

namespace vmscope {

struct DumpReceiverConfig {
  std::filesystem::path dump_dir;   // required; hooks in <dump_dir>/scripts/
  std::string address = "0.0.0.0";  // "::" for IPv6 and IPv4
  std::uint16_t port = 6677;        // 0: an ephemeral port (see port())
  std::vector<DumpHost> hosts;
  std::size_t max_sessions_per_host = 2;
  std::size_t max_sessions = 64;
  std::uint64_t max_bytes_per_host = std::uint64_t{64} << 30;  // authenticated body bytes
  std::uint64_t free_space_reserve = std::uint64_t{1} << 30;   // bytes kept free on the disk
  std::size_t queue_max_packets = 65536;
  std::size_t queue_max_bytes = std::size_t{256} << 20;
  std::size_t held_max_packets = 1024;                // per host
  std::size_t held_max_bytes = std::size_t{2} << 20;  // per host
  std::chrono::milliseconds held_max_age{5000};
  std::chrono::milliseconds late_window{10000};
  std::chrono::milliseconds hook_timeout{60000};
  std::chrono::milliseconds tick_interval{100};
  int receive_buffer_bytes = 32 << 20;  // SO_RCVBUF(FORCE) asked for
  DumpSessionConfig session;            // its dump_dir is set from dump_dir
};

struct DumpReceiverStats {
  DumpCounters total;
  std::vector<std::pair<std::string, DumpCounters>> hosts;  // by host name; "" = no known host
  std::size_t open_sessions = 0;
  std::uint64_t sessions_started = 0;
  std::uint64_t sessions_completed = 0;
  std::uint64_t sessions_incomplete = 0;
  std::uint64_t session_start_errors = 0;  // directory or file could not be created
  std::size_t queue_depth = 0;
  std::size_t queue_high_water = 0;
  std::uint64_t console_lines_dropped = 0;
  HookStats hooks;
  std::uint64_t socket_errors = 0;
  std::string last_error;
};

class DumpReceiver {
 public:
  // Errors: kInvalidArgument (no dump_dir, bad address), kIo (bind, mkdir), kInternal.
  static Result<std::unique_ptr<DumpReceiver>> start(DumpReceiverConfig config,
                                                     DumpEventCallback events);
  ~DumpReceiver();
  DumpReceiver(const DumpReceiver&) = delete;
  DumpReceiver& operator=(const DumpReceiver&) = delete;

  void stop();
  std::uint16_t port() const;
  DumpReceiverStats stats() const;
  // A console line (netconsole) from `address`: copied into the `log` of that host's open
  // dump sessions, if any (§13.4). Queued to the writer thread; dropped (counted) when full.
  void append_console_line(const std::string& address, std::string line);

  struct Impl;

 private:
  explicit DumpReceiver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vmscope
