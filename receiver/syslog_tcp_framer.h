// Splits a syslog TCP byte stream into messages (RFC 6587), one framer per connection.
//
// Each frame chooses its own method by its first byte, as RFC 6587 §3.4 suggests:
//   a digit    octet counting: "LEN SP MSG", LEN decimal without leading zeros, 1..9 digits
//   otherwise  non-transparent framing: MSG up to LF (a CR before it is dropped)
// Bounds: a message longer than max_message is not buffered. An oversized octet-counted frame
// is skipped by its length; an oversized LF frame is discarded up to its LF. Both are counted
// (oversized()). Empty LF frames are skipped. A length field that is not "digits SP" is a
// framing error: the stream cannot be resynchronised and the connection should be closed.
// Memory held is at most max_message + a few bytes.
//
// Not thread-safe; one per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/result.h"

namespace vmscope {

class SyslogTcpFramer {
 public:
  explicit SyslogTcpFramer(std::size_t max_message = 65536) : max_message_(max_message) {}

  // Appends `bytes`, returns the messages they complete. Error kCorrupt on a broken length
  // field; the framer is then unusable (every later call returns the same error).
  Result<std::vector<std::string>> feed(std::string_view bytes);

  // At end of stream: a final LF frame that never got its LF. An octet-counted frame cut short
  // is not a message and is counted as truncated().
  std::optional<std::string> finish();

  std::uint64_t oversized() const { return oversized_; }
  std::uint64_t truncated() const { return truncated_; }

 private:
  enum class State {
    kFrameStart,  // between frames
    kLength,      // reading the digits of an octet count
    kCounted,     // reading `remaining_` bytes of an octet-counted message
    kSkipping,    // discarding `remaining_` bytes of an oversized octet-counted message
    kLine,        // reading an LF-terminated message
    kDiscarding,  // discarding an oversized LF-terminated message up to its LF
    kBroken,
  };

  std::size_t max_message_;
  State state_ = State::kFrameStart;
  std::string buffer_;
  std::uint64_t length_ = 0;
  std::size_t length_digits_ = 0;
  std::uint64_t remaining_ = 0;
  std::uint64_t oversized_ = 0;
  std::uint64_t truncated_ = 0;
};

}  // namespace vmscope
