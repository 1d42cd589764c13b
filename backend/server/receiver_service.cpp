#include "server/receiver_service.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace vmscope::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLockName = ".vmscope-receiver.lock";

// Holds <dir>/.vmscope-receiver.lock (flock, exclusive) for the service's lifetime. flock
// locks belong to the open file, so a second service in the same process is refused as well.
Result<int> lock_dump_dir(const fs::path& dir) {
  fs::path path = dir / kLockName;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    return Error(ErrorCode::kIo, "cannot open " + path.string() + ": " + std::strerror(errno),
                 {.name = path.string()});
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    ::close(fd);
    std::string why = error == EWOULDBLOCK
                          ? "another vmscope receiver is using " + dir.string()
                          : "cannot lock " + path.string() + ": " + std::strerror(error);
    return Error(ErrorCode::kIo, why, {.name = dir.string()});
  }
  // For an operator wondering who holds it.
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::write(fd, pid.data(), pid.size());
  return fd;
}

std::string pages_text(const CatalogEntry& e) {
  return std::to_string(e.pages_received) + " of " +
         (e.pages_total != 0 ? std::to_string(e.pages_total) : std::string("?")) + " pages";
}

}  // namespace

struct ReceiverService::Impl {
  fs::path dump_dir;
  int lock_fd = -1;
  ReceiverObservers observers;
  std::unique_ptr<DumpCatalog> catalog;
  std::unique_ptr<DumpReceiver> dump;
  std::unique_ptr<LogListeners> logs;
  std::unique_ptr<ReceivedDumpTriage> triage;

  ~Impl() {
    stop();
    if (lock_fd >= 0) ::close(lock_fd);
  }

  void stop() {
    // Logs first: their callback forwards console lines to the ingest.
    if (logs) logs->stop();
    if (dump) dump->stop();
    if (triage) triage->stop();  // after the ingest: its last events may still queue dumps
  }

  void on_dump_event(const DumpEvent& event) {
    ReceivedDumpUpdate update{event, event.directory.filename().string(), std::nullopt};
    if (catalog->apply(event).ok()) {
      if (auto row = catalog->get(update.id); row.ok()) update.entry = std::move(*row);
    }
    const bool finished =
        event.kind == DumpEvent::Kind::kCompleted || event.kind == DumpEvent::Kind::kFailed;
    if (triage && finished && update.entry && triageable(*update.entry)) {
      triage->submit(update.id);  // never blocks: a full queue drops (counted)
    }
    if (observers.dump) observers.dump(update);
  }

  void on_log_event(const LogEvent& event) {
    if (dump && event.source == LogEvent::Source::kNetconsole) {
      dump->append_console_line(event.host, event.line);
    }
    if (observers.log) observers.log(event);
  }
};

ReceiverService::ReceiverService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReceiverService::~ReceiverService() = default;

Result<std::unique_ptr<ReceiverService>> ReceiverService::start(ReceiverServiceOptions options,
                                                                ReceiverObservers observers) {
  if (options.dump_dir.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the receiver needs a dump directory");
  }
  std::error_code ec;
  fs::create_directories(options.dump_dir, ec);
  fs::path dir = fs::canonical(options.dump_dir, ec);
  if (ec) {
    return Error(ErrorCode::kIo,
                 "cannot use dump directory " + options.dump_dir.string() + ": " + ec.message(),
                 {.name = options.dump_dir.string()});
  }
  auto impl = std::make_unique<Impl>();
  impl->dump_dir = dir;
  impl->observers = std::move(observers);
  VMSCOPE_TRY(impl->lock_fd, lock_dump_dir(dir));
  VMSCOPE_TRY(impl->catalog, DumpCatalog::open(dir));
  if (options.triage) {
    impl->triage = std::make_unique<ReceivedDumpTriage>(
        *impl->catalog, std::move(options.triage), options.triage_limits, impl->observers.triaged);
    // Dumps received while nothing triaged them (`vmscope receive`, an older server), oldest
    // first.
    if (auto rows = impl->catalog->list(); rows.ok()) {
      for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
        if (triageable(*it) && !it->triage_title && !it->triage_reason) {
          impl->triage->submit(it->id);
        }
      }
    }
  }

  Impl* self = impl.get();  // outlives the receivers: Impl stops them before it goes
  if (options.dump_port && !options.hosts.empty()) {
    DumpReceiverConfig config = std::move(options.dump);
    config.dump_dir = dir;
    config.address = options.address;
    config.port = *options.dump_port;
    config.hosts = std::move(options.hosts);
    VMSCOPE_TRY(impl->dump, DumpReceiver::start(std::move(config), [self](const DumpEvent& event) {
                  self->on_dump_event(event);
                }));
  }
  if (options.netconsole_port || options.syslog_port) {
    LogListenerConfig config = std::move(options.logs);
    config.dump_dir = dir;
    config.address = options.address;
    config.netconsole_port = options.netconsole_port;
    config.syslog_udp_port = options.syslog_port;
    config.syslog_tcp_port = options.syslog_port;
    VMSCOPE_TRY(impl->logs, LogListeners::start(std::move(config), [self](const LogEvent& event) {
                  self->on_log_event(event);
                }));
  }
  return std::unique_ptr<ReceiverService>(new ReceiverService(std::move(impl)));
}

void ReceiverService::stop() {
  impl_->stop();
}

const fs::path& ReceiverService::dump_dir() const {
  return impl_->dump_dir;
}

ReceiverPorts ReceiverService::ports() const {
  ReceiverPorts ports;
  if (impl_->dump) ports.dump = impl_->dump->port();
  if (impl_->logs) {
    ports.netconsole = impl_->logs->netconsole_port();
    ports.syslog_udp = impl_->logs->syslog_udp_port();
    ports.syslog_tcp = impl_->logs->syslog_tcp_port();
  }
  return ports;
}

ReceiverServiceStats ReceiverService::stats() const {
  ReceiverServiceStats stats;
  if (impl_->dump) stats.dump = impl_->dump->stats();
  if (impl_->logs) stats.logs = impl_->logs->stats();
  stats.catalog = impl_->catalog->stats();
  if (auto rows = impl_->catalog->size(); rows.ok()) stats.catalog_dumps = *rows;
  if (impl_->triage) stats.triage = impl_->triage->stats();
  return stats;
}

Result<std::vector<CatalogEntry>> ReceiverService::list() const {
  return impl_->catalog->list();
}

Result<CatalogEntry> ReceiverService::get(const std::string& id) const {
  return impl_->catalog->get(id);
}

DumpCatalog& ReceiverService::catalog() {
  return *impl_->catalog;
}

Result<OpenDump> ReceiverService::open(const std::string& id, SessionRegistry& sessions,
                                       const std::string& debug_dir) const {
  VMSCOPE_TRY(CatalogEntry entry, impl_->catalog->get(id));
  switch (entry.status) {
    case ReceivedDumpStatus::kReceiving:
      return Error(ErrorCode::kUnsupported,
                   "received dump " + id + " is still arriving (" + pages_text(entry) +
                       "); open it once it has finished",
                   {.name = id});
    case ReceivedDumpStatus::kFailed:
      return Error(ErrorCode::kUnsupported,
                   "received dump " + id + " failed (" + entry.reason.value_or("unknown") +
                       "): there is no dump to open",
                   {.name = id});
    case ReceivedDumpStatus::kComplete:
    case ReceivedDumpStatus::kIncomplete: break;
  }
  return sessions.open({.core = entry.vmcore.string(), .vmlinux = "", .debug_dir = debug_dir});
}

}  // namespace vmscope::server
