#include "transport/event_stream.h"

namespace vmscope::transport {

std::string sse_event(std::uint64_t id, std::string_view data) {
  std::string event;
  if (id != 0) event += "id: " + std::to_string(id) + "\n";
  std::size_t start = 0;
  for (;;) {
    std::size_t end = data.find('\n', start);
    std::string_view line = data.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    event += "data: ";
    event += line;
    event += "\n";
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  event += "\n";
  return event;
}

EventStream::EventStream(NotificationFeed feed, std::chrono::milliseconds keep_alive)
    : feed_(std::move(feed)),
      keep_alive_(keep_alive),
      last_write_(std::chrono::steady_clock::now()) {}

std::string EventStream::opening() {
  // A comment the client ignores, and how long a browser waits before reconnecting.
  return ": vmscope events\nretry: 3000\n\n";
}

EventStream::Chunk EventStream::next(std::chrono::milliseconds slice) {
  NotificationFeed::Item item = feed_.next(slice);
  auto now = std::chrono::steady_clock::now();
  switch (item.kind) {
    case NotificationFeed::Item::Kind::kClosed: return {Chunk::Kind::kClosed, {}};
    case NotificationFeed::Item::Kind::kMessage:
      last_write_ = now;
      return {Chunk::Kind::kWrite, sse_event(item.sequence, item.message)};
    case NotificationFeed::Item::Kind::kIdle: break;
  }
  if (now - last_write_ >= keep_alive_) {
    last_write_ = now;
    return {Chunk::Kind::kWrite, ": keep-alive\n\n"};
  }
  return {Chunk::Kind::kNothing, {}};
}

}  // namespace vmscope::transport
