// The receiver's events as JSON-RPC notifications to every connected client
// (protocol-spec/openrpc.json, "x-notifications"):
//   receiver/dumpStarted, receiver/dumpProgress, receiver/dumpCompleted, receiver/dumpFailed
//   receiver/dumpTriaged  the server's triage of a finished dump is in the catalog
//   receiver/logLine      one per netconsole line or syslog message
// and the wire form of a catalogued received dump, shared with dump/list.
//
// Progress is rate-limited per dump (at most one per `min_progress_interval`, default 250 ms,
// i.e. ≤ 4/s): a report that comes sooner is dropped unless the session's state changed
// (receiving → draining → nospace), since the ingest reports again within a second and the
// final state always arrives as dumpCompleted/dumpFailed. Started, completed, failed and every
// log line are always published; a client too slow for them loses them in its own queue
// (notifications/dropped), never the others.
//
// Threading: the observer callbacks may run on any thread, concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "receiver/dump_catalog.h"
#include "receiver/log_listeners.h"
#include "rpc/json.h"
#include "server/notification_hub.h"
#include "server/receiver_service.h"

namespace vmscope::rpc {

// A catalogued received dump as dump/list shows it ("source": "received"); `dump_id` is the
// id of its session when it is open.
Json received_dump_json(const CatalogEntry& entry, const std::optional<std::string>& dump_id);

// The params of receiver/dump*.
Json dump_event_params(const server::ReceivedDumpUpdate& update);
// The params of receiver/logLine.
Json log_line_params(const LogEvent& event);

// The notification method for a dump event's kind.
const char* dump_event_method(DumpEvent::Kind kind);

// {"jsonrpc": "2.0", "method": …, "params": …}, text that is not UTF-8 replaced by U+FFFD.
std::string encode_notification_message(const std::string& method, const Json& params);

class ReceiverNotifier {
 public:
  struct Stats {
    std::uint64_t dump_events = 0;  // published
    std::uint64_t progress_suppressed = 0;
    std::uint64_t log_lines = 0;
    std::uint64_t triaged = 0;
  };

  explicit ReceiverNotifier(
      server::NotificationHub& hub,
      std::chrono::milliseconds min_progress_interval = std::chrono::milliseconds(250));

  // Observers to give ReceiverService::start; they call into this notifier, which must outlive
  // the service.
  server::ReceiverObservers observers();

  void on_dump(const server::ReceivedDumpUpdate& update);
  void on_log(const LogEvent& event);
  void on_triaged(const CatalogEntry& entry);

  Stats stats() const;

 private:
  struct LastProgress {
    std::chrono::steady_clock::time_point at;
    std::string state;
  };
  bool should_publish(const server::ReceivedDumpUpdate& update);

  server::NotificationHub& hub_;
  const std::chrono::milliseconds min_progress_interval_;
  mutable std::mutex mutex_;
  std::map<std::string, LastProgress> last_progress_;  // dumps being received, by id
  Stats stats_;
};

}  // namespace vmscope::rpc
