// What one client receives from the notification hub, as JSON-RPC messages ready to send:
// the hub's notifications in order and, when the client's bounded queue overflowed since the
// last one, a `notifications/dropped` {dropped: total} message first, so a client knows that
// it missed some (a progress bar may then be stale). Both the stdio transport and each HTTP
// event stream read their notifications through one of these.
//
// Threading: a feed belongs to the one thread that sends to its client.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "server/notification_hub.h"

namespace vmscope::transport {

class NotificationFeed {
 public:
  explicit NotificationFeed(std::shared_ptr<server::NotificationHub::Subscription> subscription);

  struct Item {
    enum class Kind { kMessage, kIdle, kClosed } kind;
    std::string message;         // kMessage: an encoded JSON-RPC notification
    std::uint64_t sequence = 0;  // kMessage: the hub's sequence number (0 for a drop notice)
  };

  // The next message, waiting up to `wait` for one (kIdle when none came).
  Item next(std::chrono::milliseconds wait);

  std::uint64_t subscription_id() const { return subscription_->id(); }
  // Ends the feed: a waiting next() returns kClosed (after what is queued).
  void close() { subscription_->close(); }

 private:
  std::shared_ptr<server::NotificationHub::Subscription> subscription_;
  std::uint64_t announced_dropped_ = 0;
  std::shared_ptr<const server::Notification> held_;  // waits behind a drop notice
};

}  // namespace vmscope::transport
