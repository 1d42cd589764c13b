#include "receiver/dump_catalog.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "receiver/received_dump_meta.h"

namespace vmscope {
namespace {

namespace fs = std::filesystem;

class DumpCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (fs::temp_directory_path() / ("vmscope-catalog-" + std::to_string(::getpid()) + "-XXXXXX"))
            .string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = fs::canonical(pattern);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A dump directory as the receiver leaves it: meta.json in `state`, and a vmcore file.
  fs::path make_dump(const std::string& name, const std::string& state,
                     std::optional<std::string> reason = std::nullopt,
                     const char* vmcore = "vmcore-incomplete") {
    fs::path dir = dir_ / name;
    fs::create_directories(dir);
    ReceivedDumpMeta meta;
    meta.host_name = "web1";
    meta.host_id = 0xfedcba9876543210;
    meta.address = "10.0.0.5";
    meta.session_id = 0x8000000000000001;
    meta.start.release = "6.1.0-57-cloud-amd64";
    meta.panic_message = "\n  Kernel panic - not syncing: sysrq triggered crash  \nCPU: 0\n";
    meta.started = "2026-11-29T15:30:00Z";
    if (state == "complete" || state == "incomplete") meta.ended = "2026-11-29T15:31:00Z";
    meta.state = state;
    meta.reason = std::move(reason);
    meta.progress.dumpable = 1000;
    meta.progress.received = 900;
    meta.progress.zero = 50;
    meta.progress.missing = state == "incomplete" ? 50 : 0;
    EXPECT_TRUE(write_meta_json(dir, meta).ok());
    if (vmcore != nullptr) std::ofstream(dir / vmcore) << std::string(10000, 'x');
    return dir;
  }

  DumpEvent event(DumpEvent::Kind kind, const fs::path& dir, const std::string& state) {
    DumpEvent e;
    e.kind = kind;
    e.address = "10.0.0.5";
    e.host_name = "web1";
    e.host_id = 0xfedcba9876543210;
    e.session_id = 0x8000000000000001;
    e.directory = dir;
    e.vmcore = dir / (kind == DumpEvent::Kind::kCompleted ? "vmcore" : "vmcore-incomplete");
    e.state = state;
    e.release = "6.1.0-57-cloud-amd64";
    e.panic_message = "Kernel panic - not syncing: sysrq triggered crash\n";
    e.progress.dumpable = 1000;
    e.progress.received = 100;
    e.progress.zero = 10;
    return e;
  }

  std::unique_ptr<DumpCatalog> open_catalog() {
    auto catalog = DumpCatalog::open(dir_);
    EXPECT_TRUE(catalog.ok()) << catalog.error().to_string();
    return catalog.ok() ? std::move(*catalog) : nullptr;
  }

  fs::path dir_;
};

TEST_F(DumpCatalogTest, EmptyDirectoryGivesAnEmptyPersistentCatalog) {
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  auto list = catalog->list();
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  EXPECT_TRUE(catalog->stats().persistent);
  EXPECT_TRUE(fs::exists(dir_ / ".vmscope-catalog.sqlite"));
  EXPECT_EQ(catalog->get("nope").error().code(), ErrorCode::kNotFound);
}

TEST_F(DumpCatalogTest, UsesWriteAheadLogging) {
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_ / ".vmscope-catalog.sqlite").c_str(), &db, SQLITE_OPEN_READONLY,
                            nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(DumpCatalogTest, EventsFollowADumpFromStartToCompletion) {
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  fs::path dir = make_dump("10.0.0.5-2026-11-29-15:30:00", "receiving");

  ASSERT_TRUE(catalog->apply(event(DumpEvent::Kind::kStarted, dir, "receiving")).ok());
  auto row = catalog->get("10.0.0.5-2026-11-29-15:30:00");
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->status, ReceivedDumpStatus::kReceiving);
  EXPECT_EQ(row->started, "2026-11-29T15:30:00Z");  // from meta.json, written before the event
  EXPECT_FALSE(row->finished);
  EXPECT_EQ(row->host, "web1");
  EXPECT_EQ(row->address, "10.0.0.5");
  EXPECT_EQ(row->host_id, 0xfedcba9876543210u);  // above INT64_MAX: kept whole
  EXPECT_EQ(row->session_id, 0x8000000000000001u);
  EXPECT_EQ(row->panic_title, "Kernel panic - not syncing: sysrq triggered crash");
  EXPECT_EQ(row->pages_total, 1000u);
  EXPECT_EQ(row->pages_received, 110u);
  EXPECT_EQ(row->directory, dir);
  EXPECT_EQ(row->vmcore, dir / "vmcore-incomplete");
  EXPECT_GT(row->bytes, 0u);

  DumpEvent progress = event(DumpEvent::Kind::kProgress, dir, "receiving");
  progress.progress.received = 940;
  ASSERT_TRUE(catalog->apply(progress).ok());
  EXPECT_EQ(catalog->get(row->id)->pages_received, 950u);

  fs::rename(dir / "vmcore-incomplete", dir / "vmcore");
  DumpEvent done = event(DumpEvent::Kind::kCompleted, dir, "complete");
  done.progress.received = 940;
  done.progress.zero = 60;
  ASSERT_TRUE(catalog->apply(done).ok());
  row = catalog->get(row->id);
  EXPECT_EQ(row->status, ReceivedDumpStatus::kComplete);
  EXPECT_TRUE(row->finished);
  EXPECT_EQ(row->vmcore, dir / "vmcore");
  EXPECT_EQ(row->pages_received, 1000u);
  EXPECT_EQ(row->started, "2026-11-29T15:30:00Z");  // kept
  EXPECT_EQ(catalog->list()->size(), 1u);
}

TEST_F(DumpCatalogTest, AFailedSessionIsIncompleteWithAFileAndFailedWithout) {
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  fs::path partial = make_dump("10.0.0.5-2026-11-29-15:30:00", "receiving");
  fs::path nothing = make_dump("10.0.0.6-2026-11-29-15:30:00", "receiving", std::nullopt, nullptr);
  fs::path no_meta = make_dump("10.0.0.7-2026-11-29-15:30:00", "receiving");
  for (const fs::path& dir : {partial, nothing, no_meta}) {
    ASSERT_TRUE(catalog->apply(event(DumpEvent::Kind::kStarted, dir, "receiving")).ok());
  }
  DumpEvent lost = event(DumpEvent::Kind::kFailed, partial, "incomplete");
  lost.reason = "lost-packets";
  lost.progress.missing = 7;
  ASSERT_TRUE(catalog->apply(lost).ok());
  DumpEvent gone = event(DumpEvent::Kind::kFailed, nothing, "incomplete");
  gone.reason = "write-error";
  ASSERT_TRUE(catalog->apply(gone).ok());
  DumpEvent meta_missing = event(DumpEvent::Kind::kFailed, no_meta, "incomplete");
  meta_missing.reason = "meta-missing";
  ASSERT_TRUE(catalog->apply(meta_missing).ok());

  auto a = catalog->get(partial.filename().string());
  EXPECT_EQ(a->status, ReceivedDumpStatus::kIncomplete);
  EXPECT_EQ(a->reason, "lost-packets");
  EXPECT_EQ(a->pages_missing, 7u);
  EXPECT_EQ(catalog->get(nothing.filename().string())->status, ReceivedDumpStatus::kFailed);
  EXPECT_EQ(catalog->get(no_meta.filename().string())->status, ReceivedDumpStatus::kFailed);
}

TEST_F(DumpCatalogTest, EventsForOtherDirectoriesAreRefused) {
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  auto status = catalog->apply(event(DumpEvent::Kind::kStarted, "/tmp", "receiving"));
  EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  status = catalog->apply(event(DumpEvent::Kind::kStarted, dir_ / "a" / "b", "receiving"));
  EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(catalog->list()->empty());
}

TEST_F(DumpCatalogTest, ReopeningReconcilesWithTheDirectoriesAndKeepsBuckets) {
  fs::path kept = make_dump("10.0.0.5-2026-11-29-15:30:00", "complete", std::nullopt, "vmcore");
  fs::path removed = make_dump("10.0.0.5-2026-11-29-15:40:00", "incomplete", "lost-packets");
  {
    auto catalog = open_catalog();
    ASSERT_TRUE(catalog);
    EXPECT_EQ(catalog->list()->size(), 2u);
    ASSERT_TRUE(catalog->set_bucket(kept.filename().string(), "bucket-42").ok());
    EXPECT_EQ(catalog->set_bucket("nope", "x").error().code(), ErrorCode::kNotFound);
  }
  fs::remove_all(removed);
  fs::path cut_off = make_dump("10.0.0.9-2026-11-29-16:00:00", "receiving");
  fs::path unreadable = dir_ / "10.0.0.8-2026-11-29-16:10:00";
  fs::create_directories(unreadable);
  std::ofstream(unreadable / "meta.json") << "{\"format\": \"vmscope-received-dump/1\", \"sta";
  std::ofstream(unreadable / "vmcore-incomplete") << "x";
  fs::create_directories(dir_ / "logs" / "10.0.0.5");
  fs::create_directories(dir_ / "scripts");
  fs::create_directories(dir_ / "not-a-dump");

  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  auto list = catalog->list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  auto row = catalog->get(kept.filename().string());
  EXPECT_EQ(row->status, ReceivedDumpStatus::kComplete);
  EXPECT_EQ(row->bucket_id, "bucket-42");
  EXPECT_EQ(row->finished, "2026-11-29T15:31:00Z");
  EXPECT_EQ(row->vmcore, kept / "vmcore");
  EXPECT_EQ(catalog->get(removed.filename().string()).error().code(), ErrorCode::kNotFound);
  row = catalog->get(cut_off.filename().string());
  EXPECT_EQ(row->status, ReceivedDumpStatus::kIncomplete);
  EXPECT_EQ(row->reason, "receiver-stopped");
  EXPECT_TRUE(row->finished);
  row = catalog->get(unreadable.filename().string());
  EXPECT_EQ(row->status, ReceivedDumpStatus::kFailed);
  EXPECT_EQ(row->reason, "meta-unreadable");
  // Newest first (the unreadable one's start is its directory's time: now).
  auto position = [&](const fs::path& dir) {
    return std::find_if(list->begin(), list->end(),
                        [&](const CatalogEntry& e) { return e.id == dir.filename().string(); }) -
           list->begin();
  };
  EXPECT_LT(position(cut_off), position(kept));

  auto report = catalog->reconcile();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->directories, 3u);
  EXPECT_EQ(report->updated, 3u);
  EXPECT_EQ(report->added + report->removed, 0u);
  EXPECT_EQ(report->unreadable, 1u);
}

TEST_F(DumpCatalogTest, ALiveSessionIsNotMarkedStoppedByReconciliation) {
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  fs::path dir = make_dump("10.0.0.5-2026-11-29-15:30:00", "receiving");
  ASSERT_TRUE(catalog->apply(event(DumpEvent::Kind::kStarted, dir, "receiving")).ok());
  ASSERT_TRUE(catalog->reconcile().ok());
  EXPECT_EQ(catalog->get(dir.filename().string())->status, ReceivedDumpStatus::kReceiving);
}

TEST_F(DumpCatalogTest, ACorruptCatalogIsMovedAsideAndRebuilt) {
  fs::path dir = make_dump("10.0.0.5-2026-11-29-15:30:00", "complete", std::nullopt, "vmcore");
  std::ofstream(dir_ / ".vmscope-catalog.sqlite") << std::string(8192, '\x5a');
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  DumpCatalogStats stats = catalog->stats();
  EXPECT_TRUE(stats.persistent);
  EXPECT_EQ(stats.rebuilds, 1u);
  ASSERT_TRUE(stats.moved_aside);
  EXPECT_EQ(fs::file_size(*stats.moved_aside), 8192u);
  ASSERT_EQ(catalog->list()->size(), 1u);
  EXPECT_EQ(catalog->get(dir.filename().string())->status, ReceivedDumpStatus::kComplete);
}

TEST_F(DumpCatalogTest, ADatabaseOfAnotherSchemaIsRebuilt) {
  make_dump("10.0.0.5-2026-11-29-15:30:00", "complete", std::nullopt, "vmcore");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / ".vmscope-catalog.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE dumps(x); PRAGMA user_version = 99", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  EXPECT_EQ(catalog->stats().rebuilds, 1u);
  EXPECT_EQ(catalog->list()->size(), 1u);
}

TEST_F(DumpCatalogTest, TriageIsKeptAcrossReopeningAndEventsDoNotOverwriteIt) {
  fs::path done = make_dump("10.0.0.5-2026-11-29-15:30:00", "complete", std::nullopt, "vmcore");
  fs::path failed = make_dump("10.0.0.5-2026-11-29-15:40:00", "complete", std::nullopt, "vmcore");
  const std::string done_id = done.filename().string(), failed_id = failed.filename().string();
  {
    auto catalog = open_catalog();
    ASSERT_TRUE(catalog);
    EXPECT_FALSE(catalog->get(done_id)->triage_title);  // not triaged yet
    EXPECT_FALSE(catalog->get(done_id)->triage_reason);
    ASSERT_TRUE(catalog
                    ->set_triage(done_id, {.title = "kernel panic: sysrq triggered crash",
                                           .bucket_id = "0123456789abcdef",
                                           .reason = std::nullopt})
                    .ok());
    ASSERT_TRUE(
        catalog->set_triage(failed_id, {.reason = "no vmlinux matching build-id 00ff"}).ok());
    EXPECT_EQ(catalog->set_triage("nope", {}).error().code(), ErrorCode::kNotFound);
  }
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  CatalogEntry e = *catalog->get(done_id);
  EXPECT_EQ(e.triage_title, "kernel panic: sysrq triggered crash");
  EXPECT_EQ(e.bucket_id, "0123456789abcdef");
  EXPECT_FALSE(e.triage_reason);
  // The sender's own panic title stays what it sent.
  EXPECT_EQ(e.panic_title, "Kernel panic - not syncing: sysrq triggered crash");
  e = *catalog->get(failed_id);
  EXPECT_EQ(e.triage_reason, "no vmlinux matching build-id 00ff");
  EXPECT_FALSE(e.triage_title);
  EXPECT_FALSE(e.bucket_id);
  // A late event of the session (an END repeat) updates the row but keeps what triage filed.
  ASSERT_TRUE(catalog->apply(event(DumpEvent::Kind::kCompleted, done, "complete")).ok());
  EXPECT_EQ(catalog->get(done_id)->bucket_id, "0123456789abcdef");
  EXPECT_EQ(catalog->get(done_id)->triage_title, "kernel panic: sysrq triggered crash");
}

TEST_F(DumpCatalogTest, TriagesPanicMessageStandsInOnlyWhenTheSenderSentNone) {
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  fs::path silent = dir_ / "10.0.0.7-2026-11-29-15:30:00";
  fs::create_directories(silent);
  DumpEvent e = event(DumpEvent::Kind::kCompleted, silent, "complete");
  e.panic_message.clear();  // `vmscope send` of a vmcore file sends none
  ASSERT_TRUE(catalog->apply(e).ok());
  const std::string id = silent.filename().string();
  EXPECT_EQ(catalog->get(id)->panic_title, "");
  ASSERT_TRUE(catalog
                  ->set_triage(id, {.title = "kernel panic: sysrq triggered crash",
                                    .bucket_id = "b",
                                    .reason = std::nullopt,
                                    .panic_title = "Kernel panic - not syncing: sysrq triggered "
                                                   "crash\nCPU: 0 PID: 1"})
                  .ok());
  EXPECT_EQ(catalog->get(id)->panic_title, "Kernel panic - not syncing: sysrq triggered crash");

  fs::path talkative =
      make_dump("10.0.0.5-2026-11-29-15:30:00", "complete", std::nullopt, "vmcore");
  ASSERT_TRUE(catalog->reconcile().ok());
  const std::string other = talkative.filename().string();
  ASSERT_TRUE(catalog->set_triage(other, {.panic_title = "something else"}).ok());
  EXPECT_EQ(catalog->get(other)->panic_title, "Kernel panic - not syncing: sysrq triggered crash");
}

TEST_F(DumpCatalogTest, AVersion1CatalogGainsTheTriageColumnsAndKeepsItsBuckets) {
  fs::path dir = make_dump("10.0.0.5-2026-11-29-15:30:00", "complete", std::nullopt, "vmcore");
  const std::string id = dir.filename().string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / ".vmscope-catalog.sqlite").c_str(), &db), SQLITE_OK);
  // Version 1's table, as session 3 wrote it, with a bucket filed.
  const std::string v1 =
      "CREATE TABLE dumps (id TEXT PRIMARY KEY NOT NULL, host TEXT NOT NULL, address TEXT NOT "
      "NULL, host_id TEXT NOT NULL, session_id TEXT NOT NULL, started TEXT NOT NULL, finished "
      "TEXT, status TEXT NOT NULL, reason TEXT, bytes INTEGER NOT NULL, pages_total INTEGER NOT "
      "NULL, pages_received INTEGER NOT NULL, pages_missing INTEGER NOT NULL, release TEXT NOT "
      "NULL, panic_title TEXT NOT NULL, bucket_id TEXT, directory TEXT NOT NULL, vmcore TEXT "
      "NOT NULL); CREATE INDEX dumps_by_start ON dumps (started, id); "
      "INSERT INTO dumps VALUES ('" +
      id +
      "', 'web1', '10.0.0.5', '0x1', '0x2', '2026-11-29T15:30:00Z', NULL, 'complete', "
      "NULL, 1, 1, 1, 0, 'r', 't', 'bucket-v1', '" +
      dir.string() + "', '" + (dir / "vmcore").string() + "'); PRAGMA user_version = 1;";
  ASSERT_EQ(sqlite3_exec(db, v1.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  EXPECT_EQ(catalog->stats().rebuilds, 0u);
  EXPECT_EQ(catalog->get(id)->bucket_id, "bucket-v1");
  ASSERT_TRUE(catalog->set_triage(id, {.title = "t", .bucket_id = "b", .reason = {}}).ok());
  EXPECT_EQ(catalog->get(id)->triage_title, "t");
}

TEST_F(DumpCatalogTest, AnUnopenableCatalogFileFallsBackToMemory) {
  make_dump("10.0.0.5-2026-11-29-15:30:00", "complete", std::nullopt, "vmcore");
  fs::create_directories(dir_ / ".vmscope-catalog.sqlite");  // a directory: cannot be opened
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  EXPECT_FALSE(catalog->stats().persistent);
  EXPECT_GE(catalog->stats().errors, 1u);
  EXPECT_TRUE(fs::is_directory(dir_ / ".vmscope-catalog.sqlite"));  // not moved aside
  EXPECT_EQ(catalog->list()->size(), 1u);
}

TEST_F(DumpCatalogTest, ManyThreadsApplyAndListAtOnce) {
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  constexpr int kThreads = 4;
  constexpr int kEvents = 50;
  std::vector<fs::path> dirs;
  for (int t = 0; t < kThreads; ++t) {
    dirs.push_back(make_dump("10.0.0." + std::to_string(t) + "-2026-11-29-15:30:00", "receiving"));
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEvents; ++i) {
        DumpEvent e = event(i == 0 ? DumpEvent::Kind::kStarted : DumpEvent::Kind::kProgress,
                            dirs[static_cast<std::size_t>(t)], "receiving");
        e.progress.received = static_cast<std::uint64_t>(i);
        if (!catalog->apply(e).ok()) ++failures;
        if (!catalog->list().ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto list = catalog->list();
  ASSERT_EQ(list->size(), static_cast<std::size_t>(kThreads));
  for (const CatalogEntry& row : *list) EXPECT_EQ(row.pages_received, kEvents - 1 + 10u);
}

TEST(PanicTitleTest, FirstNonBlankLineTrimmedAndCutAtACharacterBoundary) {
  EXPECT_EQ(panic_title(""), "");
  EXPECT_EQ(panic_title("\n \t\n"), "");
  EXPECT_EQ(panic_title("  BUG: kernel NULL pointer dereference \r\nmore"),
            "BUG: kernel NULL pointer dereference");
  EXPECT_EQ(panic_title("\xc3\xbc\xc3\xbc", 3), "\xc3\xbc");  // not half of the second ü
  EXPECT_EQ(panic_title(std::string(500, 'a')).size(), 200u);
}

TEST(ReceivedDumpStatusTest, NamesRoundTrip) {
  for (auto status : {ReceivedDumpStatus::kReceiving, ReceivedDumpStatus::kComplete,
                      ReceivedDumpStatus::kIncomplete, ReceivedDumpStatus::kFailed}) {
    EXPECT_EQ(parse_received_dump_status(to_string(status)), status);
  }
  EXPECT_FALSE(parse_received_dump_status("complete "));
}

}  // namespace
}  // namespace vmscope
