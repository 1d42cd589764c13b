// One browser's Server-Sent Events stream (GET /events): what to write to it next. Each
// notification becomes an event whose `data:` is the JSON-RPC notification and whose `id:` is
// the hub's sequence number; when nothing happened for the keep-alive interval, a comment
// line keeps proxies and the browser from timing the stream out (and lets the server notice
// a client that went away, since only a write can fail).
//
// Kept apart from the HTTP library so the stream's behaviour is testable without sockets.
// Threading: a stream belongs to the one HTTP thread writing its response.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "transport/notification_feed.h"

namespace vmscope::transport {

// "id: 7\ndata: {…}\n\n"; a `data` holding newlines becomes one data line per line. No id
// line for id 0.
std::string sse_event(std::uint64_t id, std::string_view data);

class EventStream {
 public:
  EventStream(NotificationFeed feed, std::chrono::milliseconds keep_alive);

  // The first bytes of the stream, sent at once: a client that has read them is subscribed
  // and receives every notification published after that.
  static std::string opening();

  struct Chunk {
    enum class Kind { kWrite, kNothing, kClosed } kind;
    std::string text;
  };
  // Waits up to `slice` for a notification. kWrite: an event or a keep-alive comment to
  // write; kNothing: nothing yet (check the client is still there and call again); kClosed:
  // the hub closed, end the response.
  Chunk next(std::chrono::milliseconds slice);

  // Leaves the hub (the client disconnected).
  void close() { feed_.close(); }

 private:
  NotificationFeed feed_;
  const std::chrono::milliseconds keep_alive_;
  std::chrono::steady_clock::time_point last_write_;
};

}  // namespace vmscope::transport
