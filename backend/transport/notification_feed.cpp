#include "transport/notification_feed.h"

#include "transport/endpoint.h"

namespace vmscope::transport {

NotificationFeed::NotificationFeed(
    std::shared_ptr<server::NotificationHub::Subscription> subscription)
    : subscription_(std::move(subscription)) {}

NotificationFeed::Item NotificationFeed::next(std::chrono::milliseconds wait) {
  using Outcome = server::NotificationHub::Subscription::Outcome;
  std::shared_ptr<const server::Notification> notification = std::move(held_);
  held_.reset();
  if (!notification) {
    auto next = subscription_->next(wait);
    if (next.outcome == Outcome::kClosed) return {.kind = Item::Kind::kClosed};
    if (next.outcome == Outcome::kTimedOut) return {.kind = Item::Kind::kIdle};
    notification = std::move(next.notification);
    // Drops happen while the queue is full, that is before this notification was taken out.
    std::uint64_t dropped = subscription_->dropped();
    if (dropped > announced_dropped_) {
      announced_dropped_ = dropped;
      held_ = std::move(notification);
      return {.kind = Item::Kind::kMessage,
              .message = encode_notification("notifications/dropped", {{"dropped", dropped}})};
    }
  }
  return {.kind = Item::Kind::kMessage,
          .message = notification->payload,
          .sequence = notification->sequence};
}

}  // namespace vmscope::transport
