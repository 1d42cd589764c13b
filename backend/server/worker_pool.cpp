#include "server/worker_pool.h"

#include <algorithm>

namespace vmscope::server {

std::size_t WorkerPool::default_threads() {
  return std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

WorkerPool::WorkerPool(Options options) : options_(options) {
  threads_.reserve(options_.threads);
  for (std::size_t i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() {
  shutdown();
}

Status WorkerPool::submit(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      ++rejected_;
      return Error(ErrorCode::kCancelled, "the server is shutting down");
    }
    if (options_.threads > 0) {
      if (queue_.size() >= options_.queue_capacity) {
        ++rejected_;
        return Error(ErrorCode::kLimitExceeded,
                     "server busy: " + std::to_string(queue_.size()) + " requests are queued");
      }
      queue_.push_back(std::move(task));
      wake_.notify_one();
      return ok_status();
    }
    ++running_;
  }
  // Inline mode: the caller's thread is the worker.
  run(task);
  return ok_status();
}

void WorkerPool::run(std::function<void()>& task) {
  bool threw = false;
  try {
    task();
  } catch (...) {
    threw = true;
  }
  task = nullptr;  // release captures (and the replies they may own) outside the lock
  std::lock_guard lock(mutex_);
  --running_;
  ++completed_;
  if (threw) ++threw_;
}

void WorkerPool::work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    run(task);
  }
}

void WorkerPool::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

WorkerPool::Stats WorkerPool::stats() const {
  std::lock_guard lock(mutex_);
  return {.threads = options_.threads,
          .queued = queue_.size(),
          .running = running_,
          .completed = completed_,
          .rejected = rejected_,
          .threw = threw_};
}

}  // namespace vmscope::server
