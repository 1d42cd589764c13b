// The receiver inside the server (`vmscope serve --receive DIR`): for one dump directory it owns
// the dump ingest (receiver/dump_receiver.h), the netconsole and syslog listeners
// (receiver/log_listeners.h) and the catalog of received dumps (receiver/dump_catalog.h), and
// tells its observers what happens, as typed values (the rpc layer turns them into JSON-RPC
// notifications).
//
// Wiring, so that nothing is observed before it is true:
//   - the catalog is opened and reconciled before the ingest starts;
//   - a dump event updates the catalog first, then reaches the observer with the catalog's row,
//     so an observer told "completed" can open the dump by id at once;
//   - netconsole lines are also copied into the `log` of that host's dump being received
//     (protocol-spec/dump-wire-protocol.md §13.4), as netdump did;
//   - with a triage function (ReceiverServiceOptions::triage), every dump that finished with a
//     file to open is triaged on a thread of its own (server/received_dump_triage.h), never on
//     the ingest's: its title and bucket id, or why there are none, go into the catalog first,
//     then to observers.triaged. Dumps the catalog holds untriaged at start (received while no
//     server triaged, or left in the queue at the last stop) are queued at start.
// The dump ingest runs only with a host table: without keys no packet could ever be accepted.
// One service per dump directory: a lock file (<dir>/.vmscope-receiver.lock, flock) refuses a
// second receiver, in this process or another.
//
// Threading: start() binds every socket before it returns (port 0 gives an ephemeral port,
// see ports()). The dump observer runs on the ingest's writer thread, the log observer on the
// listeners' I/O thread, the triaged observer on the triage thread; none may block for long nor
// call stop(). Every other method is safe from any thread. stop() (also the destructor) stops
// the log listeners, then the ingest (which finalizes open sessions: their last events still
// reach the observer), then triage (what waits is left for the next start; a running triage is
// cancelled, but an open in progress finishes first), and returns only when no observer call
// is running or will run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "receiver/dump_catalog.h"
#include "receiver/dump_host_keys.h"
#include "receiver/dump_receiver.h"
#include "receiver/log_listeners.h"
#include "server/received_dump_triage.h"
#include "server/session_registry.h"
#include "support/result.h"

namespace vmscope::server {

struct ReceiverServiceOptions {
  std::filesystem::path dump_dir;  // required
  std::string address = "127.0.0.1";
  // Unset: that listener is off. 0: an ephemeral port.
  std::optional<std::uint16_t> dump_port;
  std::optional<std::uint16_t> netconsole_port;
  std::optional<std::uint16_t> syslog_port;  // UDP and TCP
  std::vector<DumpHost> hosts;               // the ingest runs only when this is not empty
  // The receivers' own settings (limits, timeouts); the fields above override theirs.
  DumpReceiverConfig dump;
  LogListenerConfig logs;
  // Triage of each finished dump (app/serve_command gives triage_dump_file with the server's
  // debug directory). Empty: dumps are not triaged.
  ReceivedDumpTriageFunction triage;
  ReceivedDumpTriage::Options triage_limits;
};

// A dump event after the catalog took it in.
struct ReceivedDumpUpdate {
  DumpEvent event;
  std::string id;                     // the catalog id (the dump directory's name)
  std::optional<CatalogEntry> entry;  // the row now; empty if the catalog could not store it
};

struct ReceiverObservers {
  std::function<void(const ReceivedDumpUpdate&)> dump;  // on the ingest's writer thread
  std::function<void(const LogEvent&)> log;             // on the listeners' I/O thread
  std::function<void(const CatalogEntry&)> triaged;     // on the triage thread, after the catalog
};

struct ReceiverPorts {
  std::uint16_t dump = 0;  // 0: that listener is off
  std::uint16_t netconsole = 0;
  std::uint16_t syslog_udp = 0;
  std::uint16_t syslog_tcp = 0;
};

struct ReceiverServiceStats {
  std::optional<DumpReceiverStats> dump;  // empty when the ingest is off
  LogListenerStats logs;
  DumpCatalogStats catalog;
  std::size_t catalog_dumps = 0;                  // rows in the catalog
  std::optional<ReceivedDumpTriageStats> triage;  // empty without a triage function
};

class ReceiverService {
 public:
  // Errors: kInvalidArgument (no dump directory, bad address), kIo (the directory, a bind, the
  // lock held by another receiver), kInternal.
  static Result<std::unique_ptr<ReceiverService>> start(ReceiverServiceOptions options,
                                                        ReceiverObservers observers);
  ~ReceiverService();
  ReceiverService(const ReceiverService&) = delete;
  ReceiverService& operator=(const ReceiverService&) = delete;

  void stop();

  const std::filesystem::path& dump_dir() const;  // canonical
  ReceiverPorts ports() const;
  ReceiverServiceStats stats() const;

  Result<std::vector<CatalogEntry>> list() const;
  // Errors: kNotFound.
  Result<CatalogEntry> get(const std::string& id) const;
  DumpCatalog& catalog();

  // Opens the received dump `id` in `sessions` (the vmlinux found by build-id in `debug_dir`, or
  // the registry's default debug directory). Opening it again returns the same session. The
  // registry must allow dump_dir() (`vmscope serve --receive` adds it to the allowed ones).
  // Errors: kNotFound (no such id), kUnsupported (still receiving, or failed: nothing to
  // open), and what SessionRegistry::open reports.
  Result<OpenDump> open(const std::string& id, SessionRegistry& sessions,
                        const std::string& debug_dir = "") const;

  struct Impl;

 private:
  explicit ReceiverService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vmscope::server
