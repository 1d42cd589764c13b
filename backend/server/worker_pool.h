// A fixed pool of threads running request work, so one slow request (backtraces of 10,000
// tasks) never blocks the others. Work waits in a bounded queue: when it is full, submit()
// refuses at once with kLimitExceeded instead of blocking the caller, because the caller is a
// transport's reader thread that must keep reading (it has to see $/cancelRequest).
//
// Threading contract:
//   - submit() and stats() may be called from any thread, including from inside a task.
//   - Tasks run on the pool's threads in FIFO order of submission, several at once; a task
//     must not throw (an escaping exception is caught and counted, never propagated).
//   - shutdown() (also run by the destructor) stops accepting work, lets the queued tasks run
//     to completion (each queued request still owes its client a reply), then joins the threads.
//     Callers cancel long requests first so draining is quick. It must not be called from a
//     task (it would wait for itself).
//   - With `threads == 0` nothing is started: submit() runs the task inline on the caller's
//     thread before returning. Tests use this to make request handling synchronous.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "support/result.h"

namespace vmscope::server {

class WorkerPool {
 public:
  struct Options {
    std::size_t threads = default_threads();
    std::size_t queue_capacity = 1024;  // tasks waiting, not counting the ones running
  };

  struct Stats {
    std::size_t threads = 0;
    std::size_t queued = 0;   // waiting for a thread
    std::size_t running = 0;  // on a thread right now
    std::uint64_t completed = 0;
    std::uint64_t rejected = 0;  // refused because the queue was full or the pool stopped
    std::uint64_t threw = 0;     // tasks that broke the no-throw rule
  };

  // The machine's hardware threads, at least 1.
  static std::size_t default_threads();

  explicit WorkerPool(Options options);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`, or refuses: kLimitExceeded when the queue is full, kCancelled once
  // shutdown() has begun. A refused task is destroyed without running.
  Status submit(std::function<void()> task);

  void shutdown();
  Stats stats() const;

 private:
  void work();
  void run(std::function<void()>& task);

  const Options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::size_t running_ = 0;
  std::uint64_t completed_ = 0;
  std::uint64_t rejected_ = 0;
  std::uint64_t threw_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace vmscope::server
