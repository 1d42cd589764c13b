// Files each received dump with the triage of its crash (kernel/triage.h): once the receiver
// has finished a dump (complete, or incomplete but openable), the dump is triaged on a thread of
// its own and the title and bucket id — or the reason there are none (no matching vmlinux,
// timed out) — are written into the receiver's catalog (DumpCatalog::set_triage), where
// dump/list shows them.
//
// The receiver layer knows nothing of the kernel model: what "triage" means is a function given
// by whoever wires the server (app/serve_command connects triage_dump_file() with the server's
// debug directory). Tests give another.
//
// Bounds: one dump at a time; at most Options::max_queued waiting (beyond that a dump is left
// untriaged and counted as dropped; the next start of the server queues it again); each triage
// gets Options::timeout, after which its cancellation token fires and the catalog records
// "timed out". Opening the dump (KernelTarget::open, a DWARF index build when the vmlinux is
// new) takes no token, so a timeout is noticed only once the open returns.
//
// Threading: submit() and stats() are safe from any thread and never block on triage work.
// `filed` runs on the triage thread after the catalog took the result. stop() (also the
// destructor) drops what waits, cancels the running triage and returns once the thread ended.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "receiver/dump_catalog.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::server {

struct ReceivedDumpTriageResult {
  std::string title;
  std::string kind;
  std::string bucket;
  std::string panic_message;  // the panic record of the dump's log; empty without one
};

// Triage of one catalogued dump. An error is recorded as the reason (its message), except
// kCancelled, which is recorded as a timeout.
using ReceivedDumpTriageFunction = std::function<Result<ReceivedDumpTriageResult>(
    const CatalogEntry& entry, const CancellationToken& cancel)>;

struct ReceivedDumpTriageStats {
  std::uint64_t queued = 0;  // accepted by submit()
  std::uint64_t filed = 0;   // title and bucket written
  std::uint64_t failed = 0;  // a reason written (timeouts included)
  std::uint64_t timed_out = 0;
  std::uint64_t dropped = 0;  // the queue was full, or left at stop()
  std::uint64_t catalog_errors = 0;
  std::size_t waiting = 0;
  bool running = false;
};

class ReceivedDumpTriage {
 public:
  struct Options {
    std::chrono::milliseconds timeout = std::chrono::minutes(5);
    std::size_t max_queued = 256;
  };
  using FiledCallback = std::function<void(const CatalogEntry&)>;

  // `catalog` must outlive this object.
  ReceivedDumpTriage(DumpCatalog& catalog, ReceivedDumpTriageFunction triage, Options options,
                     FiledCallback filed);
  ~ReceivedDumpTriage();
  ReceivedDumpTriage(const ReceivedDumpTriage&) = delete;
  ReceivedDumpTriage& operator=(const ReceivedDumpTriage&) = delete;

  // Queues `id` for triage. False when the queue is full or the worker stopped (counted).
  bool submit(const std::string& id);
  void stop();
  ReceivedDumpTriageStats stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Whether a catalogued dump can be triaged at all: finished, with a file to open.
bool triageable(const CatalogEntry& entry);

}  // namespace vmscope::server
