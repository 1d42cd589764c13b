#include "receiver/syslog_tcp_framer.h"

#include <algorithm>

namespace vmscope {
namespace {

// Nine digits bound the count below 10^9, far above any max_message, and cannot overflow.
constexpr std::size_t kMaxLengthDigits = 9;

Error broken(std::string message) {
  return Error(ErrorCode::kCorrupt, "syslog TCP framing: " + message);
}

}  // namespace

Result<std::vector<std::string>> SyslogTcpFramer::feed(std::string_view bytes) {
  std::vector<std::string> out;
  while (!bytes.empty()) {
    switch (state_) {
      case State::kBroken: return broken("the stream is out of sync");

      case State::kFrameStart: {
        char c = bytes.front();
        if (c >= '0' && c <= '9') {
          if (c == '0') {
            state_ = State::kBroken;
            return broken("an octet count starts with 0");
          }
          state_ = State::kLength;
          length_ = 0;
          length_digits_ = 0;
        } else if (c == '\n') {
          bytes.remove_prefix(1);  // an empty LF frame
        } else {
          state_ = State::kLine;
          buffer_.clear();
        }
        break;
      }

      case State::kLength: {
        char c = bytes.front();
        bytes.remove_prefix(1);
        if (c >= '0' && c <= '9') {
          if (++length_digits_ > kMaxLengthDigits) {
            state_ = State::kBroken;
            return broken("an octet count of more than 9 digits");
          }
          length_ = length_ * 10 + static_cast<std::uint64_t>(c - '0');
        } else if (c == ' ') {
          remaining_ = length_;
          buffer_.clear();
          if (length_ > max_message_) {
            ++oversized_;
            state_ = State::kSkipping;
          } else {
            state_ = length_ == 0 ? State::kFrameStart : State::kCounted;
          }
        } else {
          state_ = State::kBroken;
          return broken("a non-digit inside an octet count");
        }
        break;
      }

      case State::kCounted: {
        auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size()));
        buffer_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        remaining_ -= take;
        if (remaining_ == 0) {
          // Senders that frame by count and still end each message with LF: drop it.
          if (buffer_.ends_with('\n')) buffer_.pop_back();
          out.push_back(std::move(buffer_));
          buffer_.clear();
          state_ = State::kFrameStart;
        }
        break;
      }

      case State::kSkipping: {
        auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size()));
        bytes.remove_prefix(take);
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kFrameStart;
        break;
      }

      case State::kLine: {
        std::size_t newline = bytes.find('\n');
        std::string_view piece = bytes.substr(0, newline);
        if (buffer_.size() + piece.size() > max_message_ + 1) {  // +1: a CR to be dropped
          ++oversized_;
          buffer_.clear();
          state_ = State::kDiscarding;
          break;  // kDiscarding finds the same LF
        }
        buffer_.append(piece);
        if (newline == std::string_view::npos) {
          bytes = {};
          break;
        }
        bytes.remove_prefix(newline + 1);
        if (buffer_.ends_with('\r')) buffer_.pop_back();
        if (buffer_.size() > max_message_) {
          ++oversized_;
        } else if (!buffer_.empty()) {
          out.push_back(std::move(buffer_));
        }
        buffer_.clear();
        state_ = State::kFrameStart;
        break;
      }

      case State::kDiscarding: {
        std::size_t newline = bytes.find('\n');
        if (newline == std::string_view::npos) {
          bytes = {};
        } else {
          bytes.remove_prefix(newline + 1);
          state_ = State::kFrameStart;
        }
        break;
      }
    }
  }
  return out;
}

std::optional<std::string> SyslogTcpFramer::finish() {
  std::optional<std::string> last;
  if (state_ == State::kLine) {
    if (buffer_.ends_with('\r')) buffer_.pop_back();
    if (buffer_.size() > max_message_) {
      ++oversized_;
    } else if (!buffer_.empty()) {
      last = std::move(buffer_);
    }
  } else if (state_ == State::kLength || state_ == State::kCounted) {
    ++truncated_;
  }
  buffer_.clear();
  state_ = State::kFrameStart;
  return last;
}

}  // namespace vmscope
