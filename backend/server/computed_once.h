// A value computed on first demand and then kept: the per-dump caches of kernel facts (task
// list, log, backtraces) are built from these. A dump never changes, so a fact computed once
// is right forever, and so is a failure to compute it (a kernel without a log buffer will not
// grow one).
//
// What makes it more than std::call_once:
//   - The computation runs with the cancellation token of the request that happened to ask
//     first. If that request is cancelled, its kCancelled is NOT kept: the slot goes back to
//     empty and the next caller (or one already waiting) computes again with its own token.
//     One client's $/cancelRequest never poisons the cache for the others.
//   - Callers that arrive while a computation runs wait for it instead of computing the same
//     thing again, but they keep polling their own token, so a waiting request can still be
//     cancelled promptly.
//
// Threading: get() may be called from any number of threads at once. The computation runs
// outside the lock; it must not call get() on the same slot (it would wait for itself).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::server {

template <typename T>
class ComputedOnce {
 public:
  using Value = std::shared_ptr<const T>;

  // The kept value or error, or the result of `compute(cancel)` (a callable returning
  // Result<std::shared_ptr<const T>>). Errors: whatever compute returned (kept unless it was
  // kCancelled), or kCancelled when `cancel` fires while waiting for another caller.
  template <typename Compute>
  Result<Value> get(const CancellationToken& cancel, Compute&& compute) const {
    std::unique_lock lock(mutex_);
    while (true) {
      if (value_) return *value_;
      if (!computing_) break;
      // Someone else is computing: wait, but stay responsive to our own cancellation.
      changed_.wait_for(lock, kPollInterval);
      if (!value_ && cancel.cancelled()) return cancel.check().error();
    }
    computing_ = true;
    lock.unlock();

    // Reset `computing_` however the computation ends (an exception included), so waiters
    // never wait for a computation that is gone.
    struct Finish {
      const ComputedOnce* self;
      std::optional<Result<Value>> result;
      ~Finish() {
        std::lock_guard guard(self->mutex_);
        self->computing_ = false;
        if (result && (result->ok() || result->error().code() != ErrorCode::kCancelled)) {
          self->value_ = *result;
        }
        self->changed_.notify_all();
      }
    } finish{this, std::nullopt};
    finish.result.emplace(compute(cancel));
    return *finish.result;
  }

  // The kept value or error, if there is one; never computes or waits.
  std::optional<Result<Value>> peek() const {
    std::lock_guard lock(mutex_);
    return value_;
  }

 private:
  static constexpr std::chrono::milliseconds kPollInterval{20};

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  mutable bool computing_ = false;
  mutable std::optional<Result<Value>> value_;
};

}  // namespace vmscope::server
