// Runs the receiver's hook scripts as netdump did (protocol-spec/dump-wire-protocol.md §11.3):
//     <dumpdir>/scripts/<hook> <ip> <dir>      hook = dump-start | dump-nospace | dump-done
// A missing script is not an error (nothing to run). Each script runs in its own process group
// with stdin, stdout and stderr on /dev/null and is killed (the whole group) when it outlives
// the timeout. Scripts run one at a time on the runner's own thread, in the order asked, so a
// slow hook never blocks packet handling; at most `max_queued` wait (more are dropped, counted).
//
// Thread-safe: run() and stats() from any thread. The destructor waits for the running script
// (at most the timeout) and drops the queued ones.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

namespace vmscope {

struct HookStats {
  std::uint64_t ran = 0;        // exited 0
  std::uint64_t absent = 0;     // no such executable script
  std::uint64_t failed = 0;     // could not start, or exited non-zero / by a signal
  std::uint64_t timed_out = 0;  // killed
  std::uint64_t dropped = 0;    // queue full, or left at shutdown
  std::string last_problem;
};

class HookRunner {
 public:
  HookRunner(std::filesystem::path scripts_dir, std::chrono::milliseconds timeout,
             std::size_t max_queued = 64);
  ~HookRunner();
  HookRunner(const HookRunner&) = delete;
  HookRunner& operator=(const HookRunner&) = delete;

  void run(const std::string& hook, const std::string& address, const std::filesystem::path& dir);
  HookStats stats() const;
  // Blocks until nothing is queued or running (for tests and orderly shutdown).
  void wait_idle();

 private:
  struct Job {
    std::string hook, address;
    std::filesystem::path dir;
  };
  void loop();
  void execute(const Job& job);

  std::filesystem::path scripts_dir_;
  std::chrono::milliseconds timeout_;
  std::size_t max_queued_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  HookStats stats_;
  std::thread thread_;
};

}  // namespace vmscope
