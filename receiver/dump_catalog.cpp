#include "receiver/dump_catalog.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <fstream>
#include <mutex>
#include <set>
#include <system_error>

#include "receiver/received_dump_meta.h"
#include "support/hex.h"

namespace vmscope {
namespace {

namespace fs = std::filesystem;

constexpr int kSchemaVersion = 2;
constexpr int kBusyTimeoutMs = 2000;
constexpr const char* kCompleteName = "vmcore";
constexpr const char* kIncompleteName = "vmcore-incomplete";
constexpr std::string_view kMetaFormat = "vmscope-received-dump/1";

constexpr const char* kSchema = R"sql(
CREATE TABLE dumps (
  id TEXT PRIMARY KEY NOT NULL,
  host TEXT NOT NULL,
  address TEXT NOT NULL,
  host_id TEXT NOT NULL,      -- "0x…": 64-bit ids do not fit SQLite's signed integers
  session_id TEXT NOT NULL,
  started TEXT NOT NULL,
  finished TEXT,
  status TEXT NOT NULL CHECK (status IN ('receiving', 'complete', 'incomplete', 'failed')),
  reason TEXT,
  bytes INTEGER NOT NULL,
  pages_total INTEGER NOT NULL,
  pages_received INTEGER NOT NULL,
  pages_missing INTEGER NOT NULL,
  release TEXT NOT NULL,
  panic_title TEXT NOT NULL,
  bucket_id TEXT,
  directory TEXT NOT NULL,
  vmcore TEXT NOT NULL,
  triage_title TEXT,   -- version 2: what triage filed (title + bucket_id), or why it could not
  triage_reason TEXT,
  triage_panic_title TEXT  -- the panic record triage found, for dumps sent without a message
);
CREATE INDEX dumps_by_start ON dumps (started, id);
PRAGMA user_version = 2;
)sql";

// Version 1 had no triage columns; they are added, so no bucket id filed so far is lost.
constexpr const char* kMigrateFrom1 = R"sql(
ALTER TABLE dumps ADD COLUMN triage_title TEXT;
ALTER TABLE dumps ADD COLUMN triage_reason TEXT;
ALTER TABLE dumps ADD COLUMN triage_panic_title TEXT;
PRAGMA user_version = 2;
)sql";

constexpr const char* kColumns =
    "id, host, address, host_id, session_id, started, finished, status, reason, bytes, "
    "pages_total, pages_received, pages_missing, release, panic_title, bucket_id, directory, "
    "vmcore, triage_title, triage_reason, triage_panic_title";

// Every column but bucket_id and triage_*, which only triage writes.
constexpr const char* kUpsert = R"sql(
INSERT INTO dumps (id, host, address, host_id, session_id, started, finished, status, reason,
                   bytes, pages_total, pages_received, pages_missing, release, panic_title,
                   directory, vmcore)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
ON CONFLICT (id) DO UPDATE SET
  host = excluded.host, address = excluded.address, host_id = excluded.host_id,
  session_id = excluded.session_id, started = excluded.started, finished = excluded.finished,
  status = excluded.status, reason = excluded.reason, bytes = excluded.bytes,
  pages_total = excluded.pages_total, pages_received = excluded.pages_received,
  pages_missing = excluded.pages_missing, release = excluded.release,
  panic_title = excluded.panic_title, directory = excluded.directory, vmcore = excluded.vmcore
)sql";

// meta.json (protocol-spec/dump-wire-protocol.md §11.3) read through SQLite's JSON functions.
constexpr const char* kReadMeta = R"sql(
SELECT json_extract(j, '$.format'), json_extract(j, '$.host.name'),
       json_extract(j, '$.host.address'), json_extract(j, '$.host.host_id'),
       json_extract(j, '$.session_id'), json_extract(j, '$.release'),
       json_extract(j, '$.panic_message'), json_extract(j, '$.started'),
       json_extract(j, '$.ended'), json_extract(j, '$.state'), json_extract(j, '$.reason'),
       json_extract(j, '$.pages.dumpable'), json_extract(j, '$.pages.received'),
       json_extract(j, '$.pages.zero'), json_extract(j, '$.pages.missing')
FROM (SELECT ?1 AS j) WHERE json_valid(j)
)sql";

bool is_corruption(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

// One prepared statement; finalized on destruction.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return rc_ == SQLITE_OK || rc_ == SQLITE_ROW || rc_ == SQLITE_DONE; }
  int rc() const { return rc_; }

  void bind(int index, std::string_view text) {
    if (ok()) {
      rc_ = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                              SQLITE_TRANSIENT);
    }
  }
  void bind_nullable(int index, const std::optional<std::string>& text) {
    if (!text) {
      if (ok()) rc_ = sqlite3_bind_null(stmt_, index);
      return;
    }
    bind(index, std::string_view(*text));
  }
  void bind(int index, std::uint64_t value) {
    auto clamped = static_cast<sqlite3_int64>(
        std::min<std::uint64_t>(value, static_cast<std::uint64_t>(INT64_MAX)));
    if (ok()) rc_ = sqlite3_bind_int64(stmt_, index, clamped);
  }

  // True with a row, false when done or on error (see rc()).
  bool step() {
    if (!ok()) return false;
    rc_ = sqlite3_step(stmt_);
    return rc_ == SQLITE_ROW;
  }

  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::optional<std::string> text(int column) const {
    if (sqlite3_column_type(stmt_, column) != SQLITE_TEXT) return std::nullopt;
    const unsigned char* p = sqlite3_column_text(stmt_, column);
    int n = sqlite3_column_bytes(stmt_, column);
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
  }
  std::string text_or_empty(int column) const { return text(column).value_or(""); }
  std::uint64_t count(int column) const {
    if (sqlite3_column_type(stmt_, column) != SQLITE_INTEGER) return 0;
    sqlite3_int64 v = sqlite3_column_int64(stmt_, column);
    return v < 0 ? 0 : static_cast<std::uint64_t>(v);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

std::uint64_t parse_hex_u64(const std::optional<std::string>& text) {
  if (!text || text->size() < 3 || (*text)[0] != '0' || ((*text)[1] != 'x' && (*text)[1] != 'X')) {
    return 0;
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data() + 2, text->data() + text->size(), value, 16);
  return ec == std::errc() && end == text->data() + text->size() ? value : 0;
}

std::string now_rfc3339() {
  return rfc3339_utc(static_cast<std::int64_t>(std::time(nullptr)));
}

// What the vmcore occupies on disk (it is sparse: the descriptor table is a hole until used).
std::uint64_t disk_bytes(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  return static_cast<std::uint64_t>(st.st_blocks) * 512;
}

bool regular_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(fs::symlink_status(path, ec));
}

// A dump that finished without completing: is there something a debugger can open?
ReceivedDumpStatus unfinished_status(const fs::path& vmcore,
                                     const std::optional<std::string>& reason) {
  if (!regular_file(vmcore)) return ReceivedDumpStatus::kFailed;
  if (reason && *reason == "meta-missing") return ReceivedDumpStatus::kFailed;  // no VMCOREINFO
  return ReceivedDumpStatus::kIncomplete;
}

fs::path vmcore_in(const fs::path& dir) {
  return regular_file(dir / kCompleteName) ? dir / kCompleteName : dir / kIncompleteName;
}

bool valid_utf8_prefix_end(std::string_view s, std::size_t n) {
  // True when s[n] does not continue a multi-byte sequence (so s[0, n) ends on a boundary).
  return n >= s.size() || (static_cast<unsigned char>(s[n]) & 0xc0) != 0x80;
}

Result<std::string> read_small_file(const fs::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, "cannot read " + path.string(), {.name = path.string()});
  std::string text(max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 path.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  return text;
}

}  // namespace

std::string_view to_string(ReceivedDumpStatus status) {
  switch (status) {
    case ReceivedDumpStatus::kReceiving: return "receiving";
    case ReceivedDumpStatus::kComplete: return "complete";
    case ReceivedDumpStatus::kIncomplete: return "incomplete";
    case ReceivedDumpStatus::kFailed: return "failed";
  }
  return "failed";
}

std::optional<ReceivedDumpStatus> parse_received_dump_status(std::string_view text) {
  for (auto status : {ReceivedDumpStatus::kReceiving, ReceivedDumpStatus::kComplete,
                      ReceivedDumpStatus::kIncomplete, ReceivedDumpStatus::kFailed}) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

std::string panic_title(std::string_view message, std::size_t max_bytes) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t end = message.find('\n', pos);
    if (end == std::string_view::npos) end = message.size();
    std::string_view line = message.substr(pos, end - pos);
    while (!line.empty() && blank(line.front())) line.remove_prefix(1);
    while (!line.empty() && blank(line.back())) line.remove_suffix(1);
    if (!line.empty()) {
      std::size_t n = std::min(line.size(), max_bytes);
      while (n > 0 && !valid_utf8_prefix_end(line, n)) --n;
      return std::string(line.substr(0, n));
    }
    pos = end + 1;
  }
  return std::string();
}

struct DumpCatalog::Impl {
  fs::path dump_dir;
  DumpCatalogOptions options;
  mutable std::mutex mutex;
  sqlite3* db = nullptr;
  std::set<std::string> live;  // ids a session of this process is receiving
  DumpCatalogStats stats;
  bool recovering = false;  // a rebuild that fails again does not recurse

  ~Impl() { close(); }

  void close() {
    if (db != nullptr) sqlite3_close_v2(db);
    db = nullptr;
  }

  void note_error(const std::string& message) {
    ++stats.errors;
    stats.last_error = message;
  }

  int exec(const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

  // Opens `path` (":memory:" included) as a catalog of the current schema. On error `db` is
  // closed and the SQLite result code returned.
  int open_database(const std::string& path) {
    close();
    int rc =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, nullptr);
    if (rc == SQLITE_OK) rc = prepare_database();
    if (rc != SQLITE_OK) {
      stats.last_error = path + ": " + sqlite3_errstr(rc);
      close();
    }
    return rc;
  }

  int prepare_database() {
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    // journal_mode is the first statement that reads the file: garbage fails here (NOTADB).
    {
      Statement wal(db, "PRAGMA journal_mode = WAL");
      wal.step();
      if (!wal.ok()) return wal.rc();
    }
    if (int rc = exec("PRAGMA synchronous = NORMAL"); rc != SQLITE_OK) return rc;
    {
      Statement check(db, "PRAGMA quick_check");
      if (!check.step()) return check.ok() ? SQLITE_CORRUPT : check.rc();
      if (check.text_or_empty(0) != "ok") return SQLITE_CORRUPT;
    }
    Statement version(db, "PRAGMA user_version");
    if (!version.step()) return version.rc();
    std::uint64_t found = version.count(0);
    if (found == kSchemaVersion) return SQLITE_OK;
    if (found == 1) return exec(kMigrateFrom1);
    if (found != 0) return SQLITE_SCHEMA;  // another schema: rebuilt from the directories
    Statement tables(db, "SELECT count(*) FROM sqlite_schema");
    if (!tables.step()) return tables.rc();
    if (tables.count(0) != 0) return SQLITE_SCHEMA;  // not a file of ours
    if (int rc = exec(kSchema); rc != SQLITE_OK) return rc;
    return SQLITE_OK;
  }

  // The file is unusable: keep it for inspection as <file>.corrupt (its WAL and shared-memory
  // files, which belong to it, are removed) and start an empty one.
  void move_aside() {
    fs::path file = stats.path;
    fs::path aside = file;
    aside += ".corrupt";
    std::error_code ec;
    fs::rename(file, aside, ec);
    if (!ec) stats.moved_aside = aside;
    for (const char* suffix : {"-wal", "-shm"}) {
      fs::path extra = file;
      extra += suffix;
      fs::remove(extra, ec);
    }
  }

  // Opens the catalog file; a corrupt one is moved aside and recreated; when even that fails
  // (read-only directory, a lock held by another process), the catalog lives in memory.
  void open_or_recreate() {
    stats.path = dump_dir / options.file_name;
    int rc = open_database(stats.path.string());
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_CANTOPEN &&
        (rc & 0xff) != SQLITE_READONLY && (rc & 0xff) != SQLITE_PERM) {
      move_aside();
      ++stats.rebuilds;
      rc = open_database(stats.path.string());
    }
    if (rc == SQLITE_OK) {
      stats.persistent = true;
      return;
    }
    note_error("catalog file unusable (" + stats.last_error + "); keeping the catalog in memory");
    open_database(":memory:");
    stats.persistent = false;
  }

  // After SQLite reported corruption while running: rebuild, then reconcile.
  void recover(int rc) {
    if (!is_corruption(rc) || recovering) return;
    recovering = true;
    close();
    if (stats.persistent) move_aside();
    ++stats.rebuilds;
    open_or_recreate();
    (void)reconcile_locked();
    note_error("catalog corrupt while running; rebuilt from the dump directories");
    recovering = false;
  }

  Status sql_error(int rc, const std::string& what) {
    std::string message = "catalog " + what + ": " + sqlite3_errstr(rc);
    if (db != nullptr) message += std::string(" (") + sqlite3_errmsg(db) + ")";
    note_error(message);
    recover(rc);
    return Error(ErrorCode::kIo, message);
  }
  Status sql_error(const Statement& statement, const std::string& what) {
    return sql_error(statement.rc(), what);
  }

  Status upsert(const CatalogEntry& e) {
    Statement s(db, kUpsert);
    s.bind(1, e.id);
    s.bind(2, e.host);
    s.bind(3, e.address);
    s.bind(4, hex_u64(e.host_id));
    s.bind(5, hex_u64(e.session_id));
    s.bind(6, e.started);
    s.bind_nullable(7, e.finished);
    s.bind(8, to_string(e.status));
    s.bind_nullable(9, e.reason);
    s.bind(10, e.bytes);
    s.bind(11, e.pages_total);
    s.bind(12, e.pages_received);
    s.bind(13, e.pages_missing);
    s.bind(14, e.release);
    s.bind(15, e.panic_title);
    s.bind(16, e.directory.string());
    s.bind(17, e.vmcore.string());
    s.step();
    if (!s.ok()) return sql_error(s, "write of " + e.id);
    return ok_status();
  }

  static CatalogEntry row_to_entry(const Statement& s) {
    CatalogEntry e;
    e.id = s.text_or_empty(0);
    e.host = s.text_or_empty(1);
    e.address = s.text_or_empty(2);
    e.host_id = parse_hex_u64(s.text(3));
    e.session_id = parse_hex_u64(s.text(4));
    e.started = s.text_or_empty(5);
    e.finished = s.text(6);
    e.status = parse_received_dump_status(s.text_or_empty(7)).value_or(ReceivedDumpStatus::kFailed);
    e.reason = s.text(8);
    e.bytes = s.count(9);
    e.pages_total = s.count(10);
    e.pages_received = s.count(11);
    e.pages_missing = s.count(12);
    e.release = s.text_or_empty(13);
    e.panic_title = s.text_or_empty(14);
    e.bucket_id = s.text(15);
    e.directory = s.text_or_empty(16);
    e.vmcore = s.text_or_empty(17);
    e.triage_title = s.text(18);
    e.triage_reason = s.text(19);
    // A sender that sent no panic message (`vmscope send` of a vmcore file): the dump's own.
    if (e.panic_title.empty()) e.panic_title = s.text_or_empty(20);
    return e;
  }

  Result<std::optional<CatalogEntry>> find(const std::string& id) {
    std::string sql = std::string("SELECT ") + kColumns + " FROM dumps WHERE id = ?1";
    Statement s(db, sql.c_str());
    s.bind(1, id);
    if (s.step()) return std::optional<CatalogEntry>(row_to_entry(s));
    if (!s.ok()) return sql_error(s, "read of " + id).error();
    return std::optional<CatalogEntry>();
  }

  // The row meta.json describes, or nothing when `dir` holds no dump. A dump directory whose
  // meta.json cannot be read becomes a failed row (reason "meta-unreadable").
  std::optional<CatalogEntry> entry_from_directory(const fs::path& dir, bool* unreadable) {
    *unreadable = false;
    fs::path meta_path = dir / "meta.json";
    bool has_meta = regular_file(meta_path);
    fs::path vmcore = vmcore_in(dir);
    if (!has_meta && !regular_file(vmcore)) return std::nullopt;

    CatalogEntry e;
    e.id = dir.filename().string();
    e.directory = dir;
    e.vmcore = vmcore;
    e.bytes = disk_bytes(vmcore);
    Result<std::string> text = has_meta ? read_small_file(meta_path, options.max_meta_bytes)
                                        : Result<std::string>(std::string());
    std::optional<std::string> state;
    if (text.ok() && !text->empty()) {
      Statement s(db, kReadMeta);
      s.bind(1, *text);
      if (s.step() && s.text(0) == std::string(kMetaFormat) && s.text(7) && s.text(9)) {
        e.host = s.text_or_empty(1);
        e.address = s.text_or_empty(2);
        e.host_id = parse_hex_u64(s.text(3));
        e.session_id = parse_hex_u64(s.text(4));
        e.release = s.text_or_empty(5);
        e.panic_title = panic_title(s.text_or_empty(6));
        e.started = *s.text(7);
        e.finished = s.text(8);
        state = s.text(9);
        e.reason = s.text(10);
        e.pages_total = s.count(11);
        e.pages_received = s.count(12) + s.count(13);
        e.pages_missing = s.count(14);
      }
    }
    if (!state) {
      *unreadable = true;
      struct stat st {};
      e.started = rfc3339_utc(::stat(dir.c_str(), &st) == 0 ? st.st_mtime : 0);
      e.status = ReceivedDumpStatus::kFailed;
      e.reason = "meta-unreadable";
      return e;
    }
    if (*state == "complete") {
      e.status = regular_file(dir / kCompleteName) ? ReceivedDumpStatus::kComplete
                                                   : ReceivedDumpStatus::kFailed;
      if (e.status == ReceivedDumpStatus::kFailed) e.reason = "vmcore-missing";
    } else if (*state == "incomplete") {
      e.status = unfinished_status(vmcore, e.reason);
    } else {
      // receiving, draining, nospace: the receiver that wrote it stopped before finishing.
      e.reason = "receiver-stopped";
      e.status = unfinished_status(vmcore, e.reason);
      if (!e.finished) e.finished = now_rfc3339();
    }
    return e;
  }

  Result<ReconcileReport> reconcile_locked() {
    ReconcileReport report;
    std::set<std::string> known;
    {
      Statement s(db, "SELECT id FROM dumps");
      while (s.step()) known.insert(s.text_or_empty(0));
      if (!s.ok()) return sql_error(s, "listing").error();
    }
    std::vector<fs::path> dirs;
    std::error_code ec;
    fs::directory_iterator it(dump_dir, ec), end;
    if (ec) {
      return Error(ErrorCode::kIo, "cannot list " + dump_dir.string() + ": " + ec.message(),
                   {.name = dump_dir.string()});
    }
    for (; it != end && dirs.size() < options.max_directories; it.increment(ec)) {
      if (ec) break;
      std::string name = it->path().filename().string();
      if (name.empty() || name[0] == '.' || name == "logs" || name == "scripts") continue;
      std::error_code type_ec;
      if (!fs::is_directory(fs::symlink_status(it->path(), type_ec))) continue;
      dirs.push_back(it->path());
    }
    if (ec) {
      return Error(ErrorCode::kIo, "cannot list " + dump_dir.string() + ": " + ec.message(),
                   {.name = dump_dir.string()});
    }

    if (int rc = exec("BEGIN IMMEDIATE"); rc != SQLITE_OK) {
      return sql_error(rc, "transaction").error();
    }
    std::set<std::string> seen;
    Status failed = ok_status();
    for (const fs::path& dir : dirs) {
      bool unreadable = false;
      std::optional<CatalogEntry> entry = entry_from_directory(dir, &unreadable);
      if (!entry) continue;
      ++report.directories;
      seen.insert(entry->id);
      if (unreadable) ++report.unreadable;
      if (live.count(entry->id) != 0) continue;  // events of this process keep it current
      failed = upsert(*entry);
      if (!failed.ok()) break;
      ++(known.count(entry->id) != 0 ? report.updated : report.added);
    }
    if (failed.ok()) {
      for (const std::string& id : known) {
        if (seen.count(id) != 0 || live.count(id) != 0) continue;
        Statement s(db, "DELETE FROM dumps WHERE id = ?1");
        s.bind(1, id);
        s.step();
        if (!s.ok()) {
          failed = sql_error(s, "removal of " + id);
          break;
        }
        ++report.removed;
      }
    }
    if (!failed.ok()) {
      if (db != nullptr) exec("ROLLBACK");
      return failed.error();
    }
    if (int rc = exec("COMMIT"); rc != SQLITE_OK) {
      exec("ROLLBACK");
      return sql_error(rc, "commit").error();
    }
    return report;
  }
};

DumpCatalog::DumpCatalog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DumpCatalog::~DumpCatalog() = default;

Result<std::unique_ptr<DumpCatalog>> DumpCatalog::open(const fs::path& dump_dir,
                                                       DumpCatalogOptions options) {
  if (dump_dir.empty()) return Error(ErrorCode::kInvalidArgument, "no dump directory");
  std::error_code ec;
  fs::create_directories(dump_dir, ec);
  fs::path canonical = fs::canonical(dump_dir, ec);
  if (ec) {
    return Error(ErrorCode::kIo,
                 "cannot use dump directory " + dump_dir.string() + ": " + ec.message(),
                 {.name = dump_dir.string()});
  }
  auto impl = std::make_unique<Impl>();
  impl->dump_dir = canonical;
  impl->options = std::move(options);
  impl->open_or_recreate();
  fs::directory_iterator listable(canonical, ec);
  if (ec) {
    return Error(ErrorCode::kIo,
                 "cannot list dump directory " + canonical.string() + ": " + ec.message(),
                 {.name = canonical.string()});
  }
  std::unique_ptr<DumpCatalog> catalog(new DumpCatalog(std::move(impl)));
  (void)catalog->reconcile();  // a failure is counted in stats(); the files are still there
  return catalog;
}

Status DumpCatalog::apply(const DumpEvent& event) {
  std::lock_guard lock(impl_->mutex);
  Impl& impl = *impl_;
  ++impl.stats.events_applied;
  std::error_code ec;
  fs::path dir = fs::weakly_canonical(event.directory, ec);
  if (ec || dir.parent_path() != impl.dump_dir || dir.filename().empty()) {
    std::string message = "event for " + event.directory.string() + ", which is not a dump " +
                          "directory of " + impl.dump_dir.string();
    impl.note_error(message);
    return Error(ErrorCode::kInvalidArgument, message, {.name = event.directory.string()});
  }
  std::string id = dir.filename().string();

  VMSCOPE_TRY(std::optional<CatalogEntry> row, impl.find(id));
  if (!row) {
    // First sight (normally kStarted, or a catalog rebuilt mid-session): meta.json, written
    // before the event, has the start time.
    bool unreadable = false;
    row = impl.entry_from_directory(dir, &unreadable);
    if (!row || unreadable) {
      row = CatalogEntry{};
      row->id = id;
      row->directory = dir;
      row->started = now_rfc3339();
    }
    row->bucket_id.reset();
  }
  CatalogEntry& e = *row;
  e.host = event.host_name;
  e.address = event.address;
  e.host_id = event.host_id;
  e.session_id = event.session_id;
  e.vmcore = event.vmcore.empty() ? vmcore_in(dir) : dir / event.vmcore.filename();
  e.reason = event.reason;
  e.release = event.release;
  e.panic_title = panic_title(event.panic_message);
  e.bytes = disk_bytes(e.vmcore);
  e.pages_total = event.progress.dumpable;
  e.pages_received = event.progress.received + event.progress.zero;
  e.pages_missing = event.progress.missing;
  switch (event.kind) {
    case DumpEvent::Kind::kStarted:
    case DumpEvent::Kind::kProgress:
      e.status = ReceivedDumpStatus::kReceiving;
      e.finished.reset();
      impl.live.insert(id);
      break;
    case DumpEvent::Kind::kCompleted:
      e.status = ReceivedDumpStatus::kComplete;
      e.finished = now_rfc3339();
      impl.live.erase(id);
      break;
    case DumpEvent::Kind::kFailed:
      e.status = unfinished_status(e.vmcore, e.reason);
      e.finished = now_rfc3339();
      impl.live.erase(id);
      break;
  }
  return impl.upsert(e);
}

Result<ReconcileReport> DumpCatalog::reconcile() {
  std::lock_guard lock(impl_->mutex);
  return impl_->reconcile_locked();
}

Result<std::vector<CatalogEntry>> DumpCatalog::list() const {
  std::lock_guard lock(impl_->mutex);
  std::string sql =
      std::string("SELECT ") + kColumns + " FROM dumps ORDER BY started DESC, id DESC";
  Statement s(impl_->db, sql.c_str());
  std::vector<CatalogEntry> out;
  while (s.step()) out.push_back(Impl::row_to_entry(s));
  if (!s.ok()) return impl_->sql_error(s, "listing").error();
  return out;
}

Result<CatalogEntry> DumpCatalog::get(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  VMSCOPE_TRY(std::optional<CatalogEntry> row, impl_->find(id));
  if (!row) {
    return Error(ErrorCode::kNotFound, "no received dump with id " + id, {.name = id});
  }
  return *row;
}

Result<std::size_t> DumpCatalog::size() const {
  std::lock_guard lock(impl_->mutex);
  Statement s(impl_->db, "SELECT count(*) FROM dumps");
  if (s.step()) return static_cast<std::size_t>(s.count(0));
  return impl_->sql_error(s, "count").error();
}

Status DumpCatalog::set_bucket(const std::string& id, std::optional<std::string> bucket_id) {
  std::lock_guard lock(impl_->mutex);
  Statement s(impl_->db, "UPDATE dumps SET bucket_id = ?2 WHERE id = ?1");
  s.bind(1, id);
  s.bind_nullable(2, bucket_id);
  s.step();
  if (!s.ok()) return impl_->sql_error(s, "bucket of " + id);
  if (sqlite3_changes(impl_->db) == 0) {
    return Error(ErrorCode::kNotFound, "no received dump with id " + id, {.name = id});
  }
  return ok_status();
}

Status DumpCatalog::set_triage(const std::string& id, const CatalogTriage& triage) {
  std::lock_guard lock(impl_->mutex);
  Statement s(impl_->db,
              "UPDATE dumps SET bucket_id = ?2, triage_title = ?3, triage_reason = ?4, "
              "triage_panic_title = ?5 WHERE id = ?1");
  s.bind(1, id);
  s.bind_nullable(2, triage.bucket_id);
  s.bind_nullable(3, triage.title);
  s.bind_nullable(4, triage.reason);
  s.bind_nullable(5, triage.panic_title
                         ? std::optional<std::string>(panic_title(*triage.panic_title))
                         : std::nullopt);
  s.step();
  if (!s.ok()) return impl_->sql_error(s, "triage of " + id);
  if (sqlite3_changes(impl_->db) == 0) {
    return Error(ErrorCode::kNotFound, "no received dump with id " + id, {.name = id});
  }
  return ok_status();
}

const fs::path& DumpCatalog::dump_dir() const {
  return impl_->dump_dir;
}

DumpCatalogStats DumpCatalog::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace vmscope
