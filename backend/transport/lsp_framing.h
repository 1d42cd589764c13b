// LSP's base protocol framing: each message is a header block ("Content-Length: N", an
// optional "Content-Type", each line ending in CRLF, then an empty line) followed by exactly N
// bytes of body.
//
// FrameReader turns a byte stream into messages, whatever sizes the reads come in. It is
// robust to what a peer or a fuzzer sends: LF as well as CRLF line ends, header names in any
// case, unknown headers (ignored), stray blank lines between messages. A body over the cap is
// never allocated: the reader reports it and skips exactly its bytes, so the next message is
// read normally. A header block it cannot use (no or bad Content-Length, a line without a
// colon, a header block over 16 KiB) is reported once, then the reader resynchronises by
// discarding input up to the next line that starts with "Content-Length:".
//
// Threading: a FrameReader belongs to one reading thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vmscope::transport {

inline constexpr std::size_t kDefaultMaxMessageBytes = std::size_t{64} << 20;  // 64 MiB
inline constexpr std::size_t kMaxHeaderBlockBytes = 16 << 10;

// "Content-Length: N\r\n\r\n" + body.
std::string frame_message(std::string_view body);

struct FrameEvent {
  enum class Kind {
    kMessage,    // `body` holds one whole message
    kOversized,  // a message of `size` bytes was over the cap and is being skipped
    kBadHeader,  // `error` says what was wrong; input up to the next message is discarded
  };
  Kind kind;
  std::string body;
  std::uint64_t size = 0;
  std::string error;
};

class FrameReader {
 public:
  explicit FrameReader(std::size_t max_message_bytes = kDefaultMaxMessageBytes);

  // Consumes `bytes`; appends an event for each message completed or refused.
  void feed(std::string_view bytes, std::vector<FrameEvent>& events);

  // True when the input so far ends inside a message (reported at EOF as truncated).
  bool mid_message() const;

 private:
  enum class State { kHeaders, kBody, kSkipBody, kResync };

  void take_header_line(std::string_view line, std::vector<FrameEvent>& events);
  void end_header_block(std::vector<FrameEvent>& events);
  void start_resync(std::string error, std::vector<FrameEvent>& events);
  void reset_headers();

  const std::size_t max_message_bytes_;
  State state_ = State::kHeaders;
  std::string line_;              // the header line being read
  bool line_overflow_ = false;    // kResync: this line is too long to be a header
  std::size_t header_bytes_ = 0;  // size of the header block so far
  bool saw_header_ = false;       // a non-empty header line in this block
  bool has_length_ = false;
  std::uint64_t content_length_ = 0;
  std::string body_;
  std::uint64_t remaining_ = 0;  // kBody / kSkipBody: bytes still to come
};

}  // namespace vmscope::transport
