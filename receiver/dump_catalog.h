// The catalog of received dumps: one row per dump directory <dumpdir>/<ip>-<date>[-N]
// (receiver/dump_output_dir.h), kept in an embedded SQLite database so that `dump/list` and
// triage can ask "which dumps, from which host, how complete" without walking the disk.
//
// The files stay the truth; the catalog is an index of them:
//   - rows are updated from the dump ingest's events (apply());
//   - at open() (and on request, reconcile()) every <dumpdir>/*/meta.json is read back and the
//     rows made to agree with it: a directory the catalog missed is added, a row whose directory
//     is gone is removed, and a dump that meta.json still calls "receiving" but that no event of
//     this process is receiving was cut off by a receiver that stopped: it becomes "incomplete"
//     (reason "receiver-stopped"). Only what triage filed (title and bucket id, or why it could
//     not) lives in the catalog alone and survives reconciliation;
//   - a catalog file that is unreadable, corrupt or of another schema is moved aside
//     (<file>.corrupt) and rebuilt from the directories; if no file can be written at all, the
//     catalog lives in memory (stats().persistent == false). The catalog is never a reason for
//     the receiver not to run.
//
// The id of a received dump is its directory's name ("10.0.0.5-2026-11-29-15:30:00"): unique in
// the dump directory, stable across restarts and rebuilds, and never chosen by the sender.
//
// File: <dumpdir>/.vmscope-catalog.sqlite, WAL journal (readers such as the sqlite3 shell never
// block the writer; a crash loses at most the last transaction, which reconciliation redoes).
// meta.json is parsed with SQLite's own JSON functions, so this layer needs no JSON library.
//
// Threading: every method is safe from any thread. One connection, used under one mutex, is
// the single writer; each call is one short statement or transaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "receiver/dump_events.h"
#include "support/result.h"

namespace vmscope {

enum class ReceivedDumpStatus {
  kReceiving,   // a session is writing it now
  kComplete,    // every dumpable page arrived and the digest matched: `vmcore`
  kIncomplete,  // finished with pages missing: `vmcore-incomplete`, missing pages read as absent
  kFailed,      // finished with nothing a debugger can open (no vmcore file, or no metadata)
};

std::string_view to_string(ReceivedDumpStatus status);
std::optional<ReceivedDumpStatus> parse_received_dump_status(std::string_view text);

struct CatalogEntry {
  std::string id;  // the directory's name
  std::string host;
  std::string address;
  std::uint64_t host_id = 0;
  std::uint64_t session_id = 0;
  std::string started;                  // RFC 3339, receiver's clock
  std::optional<std::string> finished;  // RFC 3339, once no longer receiving
  ReceivedDumpStatus status = ReceivedDumpStatus::kReceiving;
  std::optional<std::string> reason;  // why incomplete/failed (meta.json's reasons, or ours)
  std::uint64_t bytes = 0;            // of the vmcore file on disk
  std::uint64_t pages_total = 0;      // dumpable pages (0 until the sender's META arrived)
  std::uint64_t pages_received = 0;   // pages stored, zero pages included
  std::uint64_t pages_missing = 0;    // known once finished
  std::string release;
  // First line of the panic message, at most 200 bytes: the sender's, or when it sent none, the
  // panic record triage found in the dump's log.
  std::string panic_title;
  std::optional<std::string> bucket_id;
  std::filesystem::path directory;
  std::filesystem::path vmcore;
  // Triage of the dump by the server (set_triage): its title once filed, or why it could not be
  // (no matching vmlinux, timed out). Neither: not triaged (yet).
  std::optional<std::string> triage_title;
  std::optional<std::string> triage_reason;
};

// What triage found for a received dump: title and bucket, or the reason it found nothing.
struct CatalogTriage {
  std::optional<std::string> title;
  std::optional<std::string> bucket_id;
  std::optional<std::string> reason;
  // The panic message found in the dump; shown as panic_title when the sender sent none.
  std::optional<std::string> panic_title;
};

struct ReconcileReport {
  std::size_t directories = 0;  // dump directories seen
  std::size_t added = 0;
  std::size_t updated = 0;
  std::size_t removed = 0;
  std::size_t unreadable = 0;  // meta.json missing a required field or not JSON
};

struct DumpCatalogStats {
  bool persistent = false;
  std::filesystem::path path;
  std::optional<std::filesystem::path> moved_aside;  // a corrupt catalog, kept for inspection
  std::uint64_t rebuilds = 0;  // times the database was recreated from the directories
  std::uint64_t events_applied = 0;
  std::uint64_t errors = 0;
  std::string last_error;
};

struct DumpCatalogOptions {
  std::string file_name = ".vmscope-catalog.sqlite";
  std::size_t max_directories = 100000;               // directories read per reconciliation
  std::size_t max_meta_bytes = std::size_t{1} << 20;  // a larger meta.json is unreadable
};

class DumpCatalog {
 public:
  // Opens or creates the catalog of `dump_dir` (created if missing) and reconciles it. Errors
  // only when the dump directory itself cannot be created or listed (kInvalidArgument, kIo);
  // problems with the catalog file are repaired (see above) and reported in stats().
  static Result<std::unique_ptr<DumpCatalog>> open(const std::filesystem::path& dump_dir,
                                                   DumpCatalogOptions options = {});
  ~DumpCatalog();
  DumpCatalog(const DumpCatalog&) = delete;
  DumpCatalog& operator=(const DumpCatalog&) = delete;

  // Folds one dump-ingest event into its row (created on first sight). Errors: kInvalidArgument
  // (a directory outside the dump directory), kIo (SQLite; counted in stats()).
  Status apply(const DumpEvent& event);

  Result<ReconcileReport> reconcile();

  // Newest first (by start time, then id).
  Result<std::vector<CatalogEntry>> list() const;
  // Errors: kNotFound.
  Result<CatalogEntry> get(const std::string& id) const;
  // The number of rows. Errors: kIo.
  Result<std::size_t> size() const;
  // Errors: kNotFound, kIo.
  Status set_bucket(const std::string& id, std::optional<std::string> bucket_id);
  // Replaces the triage columns (bucket id included). Errors: kNotFound, kIo.
  Status set_triage(const std::string& id, const CatalogTriage& triage);

  const std::filesystem::path& dump_dir() const;
  DumpCatalogStats stats() const;

  struct Impl;

 private:
  explicit DumpCatalog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The first non-blank line of `message`, trimmed, cut to at most `max_bytes` at a UTF-8
// boundary.
std::string panic_title(std::string_view message, std::size_t max_bytes = 200);

}  // namespace vmscope
