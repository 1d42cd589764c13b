#include "server/notification_hub.h"

#include <vector>

namespace vmscope::server {

// Shared between the hub and its subscriptions, so a subscription can leave (or outlive) the
// hub safely. Subscriptions are held weakly: the owner of a Subscription decides its lifetime.
struct NotificationHub::State {
  Options options;
  mutable std::mutex mutex;
  std::map<std::uint64_t, std::weak_ptr<Subscription>> subscribers;
  std::uint64_t next_id = 1;
  std::uint64_t next_sequence = 1;
  std::uint64_t published = 0;
  std::uint64_t dropped = 0;
  bool closed = false;
};

NotificationHub::NotificationHub(Options options) : state_(std::make_shared<State>()) {
  state_->options = options;
}

NotificationHub::~NotificationHub() {
  close();
}

std::shared_ptr<NotificationHub::Subscription> NotificationHub::subscribe() {
  std::lock_guard lock(state_->mutex);
  std::uint64_t id = state_->next_id++;
  // The constructor is private, so no make_shared.
  std::shared_ptr<Subscription> subscription(
      new Subscription(id, state_->options.queue_capacity, state_));
  if (state_->closed) {
    subscription->mark_closed();
  } else {
    state_->subscribers.emplace(id, subscription);
  }
  return subscription;
}

void NotificationHub::publish(std::string name, std::string payload,
                              std::uint64_t except_subscription) {
  auto notification = std::make_shared<Notification>();
  notification->name = std::move(name);
  notification->payload = std::move(payload);
  // Holds the subscriptions alive until the hub's lock is released: the last owner destroying
  // one here would re-enter the lock from its destructor.
  std::vector<std::shared_ptr<Subscription>> targets;
  std::lock_guard lock(state_->mutex);
  if (state_->closed) return;
  notification->sequence = state_->next_sequence++;
  ++state_->published;
  targets.reserve(state_->subscribers.size());
  // Offering under the hub's lock keeps every queue in sequence order; an offer only appends
  // under the queue's own short lock, so no subscriber can hold the publisher up.
  for (const auto& [id, weak] : state_->subscribers) {
    if (id == except_subscription) continue;
    auto subscription = weak.lock();
    if (!subscription) continue;
    if (!subscription->offer(notification)) ++state_->dropped;
    targets.push_back(std::move(subscription));
  }
}

void NotificationHub::close() {
  std::vector<std::shared_ptr<Subscription>> targets;
  {
    std::lock_guard lock(state_->mutex);
    state_->closed = true;
    for (const auto& [id, weak] : state_->subscribers) {
      if (auto subscription = weak.lock()) targets.push_back(std::move(subscription));
    }
    state_->subscribers.clear();
  }
  for (const auto& subscription : targets) subscription->mark_closed();
}

NotificationHub::Stats NotificationHub::stats() const {
  std::lock_guard lock(state_->mutex);
  return {.subscribers = state_->subscribers.size(),
          .published = state_->published,
          .dropped = state_->dropped};
}

NotificationHub::Subscription::Subscription(std::uint64_t id, std::size_t capacity,
                                            std::weak_ptr<State> hub)
    : id_(id), capacity_(capacity), hub_(std::move(hub)) {}

NotificationHub::Subscription::~Subscription() {
  // Leave the hub's list; its entry would otherwise only expire.
  if (auto hub = hub_.lock()) {
    std::lock_guard lock(hub->mutex);
    hub->subscribers.erase(id_);
  }
}

bool NotificationHub::Subscription::offer(const std::shared_ptr<const Notification>& notification) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return true;  // leaving; not a drop
    if (queue_.size() >= capacity_) {
      ++dropped_;
      return false;
    }
    queue_.push_back(notification);
  }
  ready_.notify_one();
  return true;
}

NotificationHub::Subscription::Next NotificationHub::Subscription::next(
    std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, timeout, [this] { return closed_ || !queue_.empty(); });
  if (!queue_.empty()) {
    Next next{Outcome::kNotification, std::move(queue_.front())};
    queue_.pop_front();
    return next;
  }
  return {closed_ ? Outcome::kClosed : Outcome::kTimedOut, nullptr};
}

std::uint64_t NotificationHub::Subscription::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void NotificationHub::Subscription::close() {
  if (auto hub = hub_.lock()) {
    std::lock_guard lock(hub->mutex);
    hub->subscribers.erase(id_);
  }
  mark_closed();
}

void NotificationHub::Subscription::mark_closed() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  ready_.notify_all();
}

}  // namespace vmscope::server
