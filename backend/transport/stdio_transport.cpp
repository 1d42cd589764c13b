#include "transport/stdio_transport.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "transport/notification_feed.h"

namespace vmscope::transport {
namespace {

constexpr std::size_t kReadChunk = 64 << 10;
// How long the notification pump waits before looking again; it also wakes on every
// notification and on close, so this only bounds an idle loop.
constexpr std::chrono::milliseconds kPumpWait{250};

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd ready{fd, POLLOUT, 0};
      ::poll(&ready, 1, -1);  // a non-blocking output: wait until it drains
    } else {
      return false;
    }
  }
  return true;
}

// The one client at the other end of the descriptors.
class StdioPeer : public Peer {
 public:
  StdioPeer(int out_fd, std::uint64_t subscription)
      : out_fd_(out_fd), subscription_(subscription) {}

  void reply(std::optional<std::string> response) override {
    if (response) write(*response);
  }
  bool push(const std::string& notification) override {
    write(notification);
    return true;
  }
  std::string scope() const override { return "stdio"; }
  std::uint64_t subscription_id() const override { return subscription_; }

  void write(std::string_view message) {
    std::string framed = frame_message(message);
    std::lock_guard lock(mutex_);
    if (broken_) return;
    if (!write_all(out_fd_, framed)) broken_ = true;  // the client is gone; drop the rest
  }

 private:
  const int out_fd_;
  const std::uint64_t subscription_;
  std::mutex mutex_;
  bool broken_ = false;
};

}  // namespace

StdioTransport::StdioTransport(Options options, server::NotificationHub* hub)
    : options_(options), hub_(hub) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    wake_read_ = fds[0];
    wake_write_ = fds[1];
  }
}

StdioTransport::~StdioTransport() {
  if (wake_read_ >= 0) ::close(wake_read_);
  if (wake_write_ >= 0) ::close(wake_write_);
}

void StdioTransport::stop() {
  stopping_ = true;
  if (wake_write_ >= 0) {
    char byte = 1;
    [[maybe_unused]] ssize_t ignored = ::write(wake_write_, &byte, 1);  // full pipe: already woken
  }
}

Status StdioTransport::loop(MessageHandler& handler) {
  if (wake_read_ < 0) return Error(ErrorCode::kIo, std::string("pipe: ") + std::strerror(errno));
  std::shared_ptr<server::NotificationHub::Subscription> subscription;
  if (hub_) subscription = hub_->subscribe();
  auto peer = std::make_shared<StdioPeer>(options_.out_fd, subscription ? subscription->id() : 0);
  std::thread pump;
  if (subscription) {
    pump = std::thread([feed = NotificationFeed(subscription), peer]() mutable {
      for (;;) {
        NotificationFeed::Item item = feed.next(kPumpWait);
        if (item.kind == NotificationFeed::Item::Kind::kClosed) return;
        if (item.kind == NotificationFeed::Item::Kind::kMessage) peer->write(item.message);
      }
    });
  }

  FrameReader reader(options_.max_message_bytes);
  std::vector<FrameEvent> events;
  std::vector<char> buffer(kReadChunk);
  Status result = ok_status();
  while (!stopping_) {
    pollfd fds[2] = {{options_.in_fd, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      result = Error(ErrorCode::kIo, std::string("poll: ") + std::strerror(errno));
      break;
    }
    if (fds[1].revents != 0) break;  // stop()
    if (fds[0].revents == 0) continue;
    ssize_t got = ::read(options_.in_fd, buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      result = Error(ErrorCode::kIo, std::string("read: ") + std::strerror(errno));
      break;
    }
    if (got == 0) break;  // EOF: the client closed its end
    events.clear();
    reader.feed(std::string_view(buffer.data(), static_cast<std::size_t>(got)), events);
    for (FrameEvent& event : events) {
      switch (event.kind) {
        case FrameEvent::Kind::kMessage: handler.on_message(std::move(event.body), peer); break;
        case FrameEvent::Kind::kOversized:
          handler.on_oversized(event.size, options_.max_message_bytes, peer);
          break;
        case FrameEvent::Kind::kBadHeader: handler.on_unframeable(event.error, peer); break;
      }
    }
  }
  if (subscription) {
    subscription->close();
    pump.join();
  }
  return result;
}

}  // namespace vmscope::transport
