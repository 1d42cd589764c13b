#include "server/received_dump_triage.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "receiver/received_dump_meta.h"

namespace vmscope::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ReceivedDumpTriageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (fs::temp_directory_path() / ("vmscope-triage-" + std::to_string(::getpid()) + "-XXXXXX"))
            .string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = fs::canonical(pattern);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A finished dump directory in `state`, with its vmcore file (or none).
  std::string make_dump(const std::string& name, const std::string& state,
                        const char* vmcore = "vmcore") {
    fs::path dir = dir_ / name;
    fs::create_directories(dir);
    ReceivedDumpMeta meta;
    meta.host_name = "web1";
    meta.address = "10.0.0.5";
    meta.started = "2026-11-29T15:30:00Z";
    meta.ended = "2026-11-29T15:31:00Z";
    meta.state = state;
    if (state != "complete") meta.reason = "lost-packets";
    EXPECT_TRUE(write_meta_json(dir, meta).ok());
    if (vmcore != nullptr) std::ofstream(dir / vmcore) << "dump bytes";
    return name;
  }

  std::unique_ptr<DumpCatalog> open_catalog() {
    auto catalog = DumpCatalog::open(dir_);
    EXPECT_TRUE(catalog.ok()) << catalog.error().to_string();
    return catalog.ok() ? std::move(*catalog) : nullptr;
  }

  fs::path dir_;
};

// Collects the filed callbacks.
struct Filed {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<CatalogEntry> entries;

  ReceivedDumpTriage::FiledCallback callback() {
    return [this](const CatalogEntry& e) {
      std::lock_guard lock(mutex);
      entries.push_back(e);
      changed.notify_all();
    };
  }
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 20s, [&] { return entries.size() >= n; });
  }
};

TEST_F(ReceivedDumpTriageTest, TitleAndBucketOrTheReasonGoIntoTheCatalog) {
  const std::string good = make_dump("10.0.0.5-2026-11-29-15:30:00", "complete");
  const std::string bad =
      make_dump("10.0.0.6-2026-11-29-15:30:00", "incomplete", "vmcore-incomplete");
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  std::vector<std::string> seen_paths;
  auto triage = [&](const CatalogEntry& e,
                    const CancellationToken&) -> Result<ReceivedDumpTriageResult> {
    seen_paths.push_back(e.vmcore.string());  // only the worker thread writes it
    if (e.id == good) {
      return ReceivedDumpTriageResult{"kernel panic: sysrq triggered crash", "panic",
                                      "0123456789abcdef",
                                      "Kernel panic - not syncing: sysrq triggered crash"};
    }
    return Error(ErrorCode::kNotFound, "no vmlinux matching build-id 00ff in /debug");
  };
  Filed filed;
  ReceivedDumpTriage worker(*catalog, triage, {}, filed.callback());
  EXPECT_TRUE(worker.submit(good));
  EXPECT_TRUE(worker.submit(bad));
  ASSERT_TRUE(filed.wait_for(2));
  worker.stop();

  CatalogEntry g = *catalog->get(good);
  EXPECT_EQ(g.triage_title, "kernel panic: sysrq triggered crash");
  EXPECT_EQ(g.bucket_id, "0123456789abcdef");
  EXPECT_FALSE(g.triage_reason);
  EXPECT_EQ(g.panic_title, "Kernel panic - not syncing: sysrq triggered crash");
  CatalogEntry b = *catalog->get(bad);
  EXPECT_EQ(b.triage_reason, "no vmlinux matching build-id 00ff in /debug");
  EXPECT_FALSE(b.triage_title);
  EXPECT_FALSE(b.bucket_id);
  ASSERT_EQ(seen_paths.size(), 2u);
  EXPECT_EQ(seen_paths[0], (dir_ / good / "vmcore").string());
  EXPECT_EQ(seen_paths[1], (dir_ / bad / "vmcore-incomplete").string());
  // The callback saw the rows as the catalog holds them.
  EXPECT_EQ(filed.entries[0].bucket_id, "0123456789abcdef");
  EXPECT_EQ(filed.entries[1].triage_reason, b.triage_reason);

  ReceivedDumpTriageStats stats = worker.stats();
  EXPECT_EQ(stats.queued, 2u);
  EXPECT_EQ(stats.filed, 1u);
  EXPECT_EQ(stats.failed, 1u);
  EXPECT_EQ(stats.timed_out, 0u);
  EXPECT_EQ(stats.catalog_errors, 0u);
  EXPECT_FALSE(stats.running);
}

TEST_F(ReceivedDumpTriageTest, ATriageThatRunsTooLongIsCancelledAndRecordedAsTimedOut) {
  const std::string id = make_dump("10.0.0.5-2026-11-29-15:30:00", "complete");
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  // Runs until cancelled (bounded, so a broken watchdog fails the test instead of hanging it).
  auto slow = [](const CatalogEntry&,
                 const CancellationToken& cancel) -> Result<ReceivedDumpTriageResult> {
    for (int i = 0; i < 3000; ++i) {
      VMSCOPE_CHECK(cancel.check());
      std::this_thread::sleep_for(10ms);
    }
    return ReceivedDumpTriageResult{"never cancelled", "", "", ""};
  };
  Filed filed;
  ReceivedDumpTriage worker(*catalog, slow, {.timeout = 200ms, .max_queued = 4}, filed.callback());
  ASSERT_TRUE(worker.submit(id));
  ASSERT_TRUE(filed.wait_for(1));
  CatalogEntry e = *catalog->get(id);
  ASSERT_TRUE(e.triage_reason);
  EXPECT_NE(e.triage_reason->find("timed out"), std::string::npos) << *e.triage_reason;
  EXPECT_FALSE(e.triage_title);
  EXPECT_EQ(worker.stats().timed_out, 1u);
}

TEST_F(ReceivedDumpTriageTest, TheQueueIsBoundedAndStopDropsWhatWaits) {
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(make_dump("10.0.0.5-2026-11-29-15:3" + std::to_string(i) + ":00", "complete"));
  }
  auto catalog = open_catalog();
  ASSERT_TRUE(catalog);
  std::mutex mutex;
  std::condition_variable changed;
  bool started = false;
  // The first triage holds the worker until stop() cancels it.
  auto blocking = [&](const CatalogEntry&,
                      const CancellationToken& cancel) -> Result<ReceivedDumpTriageResult> {
    {
      std::lock_guard lock(mutex);
      started = true;
      changed.notify_all();
    }
    for (int i = 0; i < 3000 && !cancel.cancelled(); ++i) std::this_thread::sleep_for(10ms);
    return Error(ErrorCode::kCancelled, "cancelled");
  };
  ReceivedDumpTriage worker(*catalog, blocking,
                            {.timeout = std::chrono::minutes(5), .max_queued = 2}, nullptr);
  ASSERT_TRUE(worker.submit(ids[0]));
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 20s, [&] { return started; }));
  }
  EXPECT_TRUE(worker.submit(ids[1]));
  EXPECT_TRUE(worker.submit(ids[2]));
  EXPECT_FALSE(worker.submit(ids[3]));  // two already wait
  ReceivedDumpTriageStats stats = worker.stats();
  EXPECT_TRUE(stats.running);
  EXPECT_EQ(stats.waiting, 2u);
  EXPECT_EQ(stats.dropped, 1u);
  worker.stop();
  stats = worker.stats();
  EXPECT_EQ(stats.dropped, 4u);  // the two that waited and the one stop() cancelled as well
  EXPECT_FALSE(worker.submit(ids[3]));
  // Left untriaged in the catalog, for the next start to queue again.
  for (int i : {0, 1}) {
    EXPECT_FALSE(catalog->get(ids[i])->triage_title) << i;
    EXPECT_FALSE(catalog->get(ids[i])->triage_reason) << i;
  }
}

TEST(TriageableTest, OnlyFinishedDumpsWithAFile) {
  CatalogEntry e;
  e.status = ReceivedDumpStatus::kComplete;
  EXPECT_TRUE(triageable(e));
  e.status = ReceivedDumpStatus::kIncomplete;
  EXPECT_TRUE(triageable(e));
  e.status = ReceivedDumpStatus::kReceiving;
  EXPECT_FALSE(triageable(e));
  e.status = ReceivedDumpStatus::kFailed;
  EXPECT_FALSE(triageable(e));
}

}  // namespace
}  // namespace vmscope::server
