// Fan-out of server notifications (progress of a request, later: a dump opened or closed) to
// every connected client. Each subscriber (the stdio client, each browser on the HTTP event
// stream) has its own bounded queue, so a slow or stuck client loses its own notifications
// (counted as dropped) and never delays the publisher or the other clients.
//
// A notification is a name plus an opaque payload: the hub never looks inside. The rpc layer
// puts the encoded JSON-RPC message there, so it is encoded once however many clients receive
// it (this layer knows no JSON).
//
// Threading contract:
//   - Every method of NotificationHub and Subscription is safe to call from any thread.
//   - publish() never blocks on a subscriber: it takes the hub's lock to copy the subscriber
//     list, then each queue's lock only long enough to append (or count a drop).
//   - Subscription::next() blocks only its caller, at most `timeout`.
//   - close() on the hub closes every subscription: waiting next() calls wake up, drain what
//     is queued, then report kClosed. Subscriptions made after close() start closed.
//   - A Subscription may outlive its hub (it then reports kClosed).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace vmscope::server {

struct Notification {
  std::uint64_t sequence = 0;  // hub-wide, increasing in publish order
  std::string name;            // "$/progress", …
  std::string payload;         // opaque to the hub
};

class NotificationHub {
 public:
  struct Options {
    std::size_t queue_capacity = 256;  // per subscriber
  };
  struct Stats {
    std::size_t subscribers = 0;
    std::uint64_t published = 0;
    std::uint64_t dropped = 0;  // over all subscribers, ever
  };

  class Subscription;

  explicit NotificationHub(Options options);
  ~NotificationHub();
  NotificationHub(const NotificationHub&) = delete;
  NotificationHub& operator=(const NotificationHub&) = delete;

  std::shared_ptr<Subscription> subscribe();

  // Queues the notification for every open subscription but `except_subscription` (0: none),
  // which a caller names when it already delivered the notification to that client itself.
  void publish(std::string name, std::string payload, std::uint64_t except_subscription = 0);

  void close();
  Stats stats() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

class NotificationHub::Subscription {
 public:
  enum class Outcome { kNotification, kTimedOut, kClosed };
  struct Next {
    Outcome outcome;
    std::shared_ptr<const Notification> notification;  // set with kNotification
  };

  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  std::uint64_t id() const { return id_; }

  // The oldest queued notification, waiting up to `timeout` for one.
  Next next(std::chrono::milliseconds timeout);

  // Notifications this subscriber lost because its queue was full.
  std::uint64_t dropped() const;

  // Leaves the hub; a waiting next() returns what is queued, then kClosed.
  void close();

 private:
  friend class NotificationHub;
  Subscription(std::uint64_t id, std::size_t capacity, std::weak_ptr<State> hub);
  // Called by the hub: false when the notification was dropped.
  bool offer(const std::shared_ptr<const Notification>& notification);
  void mark_closed();

  const std::uint64_t id_;
  const std::size_t capacity_;
  const std::weak_ptr<State> hub_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::shared_ptr<const Notification>> queue_;
  std::uint64_t dropped_ = 0;
  bool closed_ = false;
};

}  // namespace vmscope::server
