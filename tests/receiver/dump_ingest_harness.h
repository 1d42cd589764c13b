// A DumpReceiver on 127.0.0.1 (ephemeral port, temporary dump directory, one host key) and the
// events it reports, for the receiver's tests on real dumps.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "receiver/dump_receiver.h"
#include "receiver/dump_sender.h"

namespace vmscope::testing {

class IngestHarness {
 public:
  // `tune` may adjust the receiver's configuration before it starts.
  explicit IngestHarness(std::function<void(DumpReceiverConfig&)> tune = {});
  ~IngestHarness();

  bool ok() const { return receiver_ != nullptr; }
  const std::string& error() const { return error_; }
  DumpReceiver& receiver() { return *receiver_; }
  const std::filesystem::path& dump_dir() const { return dump_dir_; }
  const HostKeyFile& key() const { return key_; }
  DumpSendOptions send_options() const;  // address, port, key filled in

  // The first kCompleted/kFailed event of `session_id`, waiting up to `timeout`.
  std::optional<DumpEvent> wait_finished(std::uint64_t session_id, std::chrono::seconds timeout);
  std::vector<DumpEvent> events() const;

 private:
  std::filesystem::path dump_dir_;
  HostKeyFile key_;
  std::unique_ptr<DumpReceiver> receiver_;
  std::string error_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<DumpEvent> events_;
};

}  // namespace vmscope::testing
