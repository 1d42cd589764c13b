// Cooperative cancellation. A request handler is given a CancellationToken; every long walk
// (task lists, page tables, log records, backtraces of all tasks) polls it and stops with
// ErrorCode::kCancelled. The transport sets the flag when a client sends $/cancelRequest.
// Tokens are cheap to copy and share one flag; a default token is never cancelled.
#pragma once

#include <atomic>
#include <memory>

#include "support/result.h"

namespace vmscope {

class CancellationSource;

class CancellationToken {
 public:
  CancellationToken() = default;  // never cancelled
  bool cancelled() const { return flag_ && flag_->load(std::memory_order_relaxed); }
  // ok_status(), or a kCancelled error to return from the walk.
  Status check() const;

 private:
  friend class CancellationSource;
  explicit CancellationToken(std::shared_ptr<std::atomic<bool>> flag) : flag_(std::move(flag)) {}
  std::shared_ptr<std::atomic<bool>> flag_;
};

class CancellationSource {
 public:
  CancellationSource() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  CancellationToken token() const { return CancellationToken(flag_); }
  void cancel() { flag_->store(true, std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

}  // namespace vmscope
