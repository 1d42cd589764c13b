#include "dump_ingest_harness.h"

#include <stdlib.h>

namespace vmscope::testing {

namespace fs = std::filesystem;

IngestHarness::IngestHarness(std::function<void(DumpReceiverConfig&)> tune) {
  std::string pattern = (fs::temp_directory_path() / "vmscope-ingest-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    error_ = "mkdtemp failed";
    return;
  }
  dump_dir_ = pattern;
  key_ = generate_host_key();
  DumpReceiverConfig config;
  config.dump_dir = dump_dir_;
  config.address = "127.0.0.1";
  config.port = 0;
  config.hosts = {{"testhost", key_.host_id, key_.key, {"127.0.0.1"}}};
  config.free_space_reserve = 0;
  config.session.progress_interval = std::chrono::milliseconds(500);
  if (tune) tune(config);
  auto receiver = DumpReceiver::start(std::move(config), [this](const DumpEvent& e) {
    std::lock_guard lock(mutex_);
    events_.push_back(e);
    changed_.notify_all();
  });
  if (!receiver.ok()) {
    error_ = receiver.error().to_string();
    return;
  }
  receiver_ = std::move(*receiver);
}

IngestHarness::~IngestHarness() {
  if (receiver_) receiver_->stop();
  std::error_code ec;
  if (!dump_dir_.empty()) fs::remove_all(dump_dir_, ec);
}

DumpSendOptions IngestHarness::send_options() const {
  DumpSendOptions o;
  o.address = "127.0.0.1";
  o.port = receiver_ ? receiver_->port() : 0;
  o.key = key_;
  return o;
}

std::optional<DumpEvent> IngestHarness::wait_finished(std::uint64_t session_id,
                                                      std::chrono::seconds timeout) {
  std::unique_lock lock(mutex_);
  std::optional<DumpEvent> found;
  changed_.wait_for(lock, timeout, [&] {
    for (const DumpEvent& e : events_) {
      if (e.session_id == session_id &&
          (e.kind == DumpEvent::Kind::kCompleted || e.kind == DumpEvent::Kind::kFailed)) {
        found = e;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::vector<DumpEvent> IngestHarness::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

}  // namespace vmscope::testing
