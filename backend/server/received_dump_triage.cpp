#include "server/received_dump_triage.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

namespace vmscope::server {

struct ReceivedDumpTriage::Impl {
  DumpCatalog& catalog;
  ReceivedDumpTriageFunction triage;
  Options options;
  FiledCallback filed;

  mutable std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::string> waiting;
  bool stopping = false;
  // The triage running now: its token, and when it must give up.
  std::optional<CancellationSource> running;
  std::chrono::steady_clock::time_point deadline;
  bool deadline_passed = false;
  ReceivedDumpTriageStats stats;
  std::thread worker;
  std::thread watchdog;

  Impl(DumpCatalog& c, ReceivedDumpTriageFunction t, Options o, FiledCallback f)
      : catalog(c), triage(std::move(t)), options(o), filed(std::move(f)) {
    worker = std::thread([this] { work(); });
    watchdog = std::thread([this] { watch(); });
  }

  void work() {
    std::unique_lock lock(mutex);
    while (true) {
      changed.wait(lock, [&] { return stopping || !waiting.empty(); });
      if (stopping) return;
      std::string id = std::move(waiting.front());
      waiting.pop_front();
      CancellationSource source;
      running = source;
      deadline = std::chrono::steady_clock::now() + options.timeout;
      deadline_passed = false;
      changed.notify_all();  // the watchdog learns the new deadline
      lock.unlock();
      run(id, source.token());
      lock.lock();
      running.reset();
    }
  }

  // Cancels the running triage at its deadline.
  void watch() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      if (!running || deadline_passed) {
        changed.wait(lock);
        continue;
      }
      auto until = deadline;
      if (changed.wait_until(lock, until) == std::cv_status::timeout && running &&
          deadline == until) {
        deadline_passed = true;
        running->cancel();
      }
    }
  }

  void run(const std::string& id, const CancellationToken& cancel) {
    CatalogTriage record;
    bool filed_ok = false, timed_out = false;
    if (auto entry = catalog.get(id); !entry.ok()) {
      record.reason = "triage: " + entry.error().message();
    } else if (!triageable(*entry)) {
      record.reason = "triage: nothing to open (" + std::string(to_string(entry->status)) + ")";
    } else if (auto result = triage(*entry, cancel); result.ok()) {
      record.title = result->title;
      record.bucket_id = result->bucket;
      if (!result->panic_message.empty()) record.panic_title = result->panic_message;
      filed_ok = true;
    } else if (result.error().code() == ErrorCode::kCancelled) {
      std::lock_guard lock(mutex);
      if (!deadline_passed) {
        // Cancelled by stop(): left untriaged, so that the next start queues it again.
        ++stats.dropped;
        return;
      }
      timed_out = true;
      record.reason = "triage timed out after " + std::to_string(options.timeout.count()) + " ms";
    } else {
      record.reason = result.error().message();
    }
    Status stored = catalog.set_triage(id, record);
    {
      std::lock_guard lock(mutex);
      if (!stored.ok()) ++stats.catalog_errors;
      if (filed_ok) {
        ++stats.filed;
      } else {
        ++stats.failed;
        if (timed_out) ++stats.timed_out;
      }
    }
    if (stored.ok() && filed) {
      if (auto entry = catalog.get(id); entry.ok()) filed(*entry);
    }
  }

  void stop() {
    {
      std::lock_guard lock(mutex);
      if (stopping && !worker.joinable()) return;
      stopping = true;
      stats.dropped += waiting.size();
      waiting.clear();
      if (running) running->cancel();
      changed.notify_all();
    }
    if (worker.joinable()) worker.join();
    if (watchdog.joinable()) watchdog.join();
  }
};

ReceivedDumpTriage::ReceivedDumpTriage(DumpCatalog& catalog, ReceivedDumpTriageFunction triage,
                                       Options options, FiledCallback filed)
    : impl_(std::make_unique<Impl>(catalog, std::move(triage), options, std::move(filed))) {}

ReceivedDumpTriage::~ReceivedDumpTriage() {
  impl_->stop();
}

bool ReceivedDumpTriage::submit(const std::string& id) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->stopping || impl_->waiting.size() >= impl_->options.max_queued) {
    ++impl_->stats.dropped;
    return false;
  }
  impl_->waiting.push_back(id);
  ++impl_->stats.queued;
  impl_->changed.notify_all();
  return true;
}

void ReceivedDumpTriage::stop() {
  impl_->stop();
}

ReceivedDumpTriageStats ReceivedDumpTriage::stats() const {
  std::lock_guard lock(impl_->mutex);
  ReceivedDumpTriageStats stats = impl_->stats;
  stats.waiting = impl_->waiting.size();
  stats.running = impl_->running.has_value();
  return stats;
}

bool triageable(const CatalogEntry& entry) {
  return entry.status == ReceivedDumpStatus::kComplete ||
         entry.status == ReceivedDumpStatus::kIncomplete;
}

}  // namespace vmscope::server
