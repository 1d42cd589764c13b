#include "transport/lsp_framing.h"

#include <algorithm>
#include <optional>

namespace vmscope::transport {
namespace {

// While resynchronising, only this much of a line is kept: enough for any real
// "Content-Length: N" line, so garbage costs no memory however long its lines are.
constexpr std::size_t kResyncLineKeep = 128;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

// RFC 9110's token: what a header name may be made of. JSON text sent without headers fails
// here rather than passing for an unknown header.
bool is_token(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool is_content_length_line(std::string_view line) {
  auto colon = line.find(':');
  return colon != std::string_view::npos &&
         equals_ignoring_case(trim(line.substr(0, colon)), "content-length");
}

// Digits only (no sign, no hex), at most 19 of them, so it cannot overflow.
std::optional<std::uint64_t> parse_length(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

}  // namespace

std::string frame_message(std::string_view body) {
  std::string framed = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  framed.append(body);
  return framed;
}

FrameReader::FrameReader(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

bool FrameReader::mid_message() const {
  switch (state_) {
    case State::kBody:
    case State::kSkipBody: return true;
    case State::kHeaders: return saw_header_ || !line_.empty();
    case State::kResync: return false;
  }
  return false;
}

void FrameReader::reset_headers() {
  header_bytes_ = 0;
  saw_header_ = false;
  has_length_ = false;
  content_length_ = 0;
}

void FrameReader::start_resync(std::string error, std::vector<FrameEvent>& events) {
  events.push_back({.kind = FrameEvent::Kind::kBadHeader, .error = std::move(error)});
  state_ = State::kResync;
  line_.clear();
  line_overflow_ = false;
  reset_headers();
}

void FrameReader::feed(std::string_view bytes, std::vector<FrameEvent>& events) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    switch (state_) {
      case State::kBody: {
        std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size() - i));
        body_.append(bytes.substr(i, n));
        i += n;
        remaining_ -= n;
        if (remaining_ == 0) {
          events.push_back({.kind = FrameEvent::Kind::kMessage, .body = std::move(body_)});
          body_.clear();
          reset_headers();
          state_ = State::kHeaders;
        }
        break;
      }
      case State::kSkipBody: {
        std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size() - i));
        i += n;
        remaining_ -= n;
        if (remaining_ == 0) {
          reset_headers();
          state_ = State::kHeaders;
        }
        break;
      }
      case State::kHeaders: {
        std::size_t newline = bytes.find('\n', i);
        std::size_t end = newline == std::string_view::npos ? bytes.size() : newline;
        if (header_bytes_ + line_.size() + (end - i) > kMaxHeaderBlockBytes) {
          start_resync(
              "header block larger than " + std::to_string(kMaxHeaderBlockBytes) + " bytes",
              events);
          line_overflow_ = true;  // the rest of this line is no header
          break;
        }
        line_.append(bytes.substr(i, end - i));
        i = end;
        if (newline != std::string_view::npos) {
          ++i;
          header_bytes_ += line_.size() + 1;
          std::string line = std::move(line_);
          line_.clear();
          take_header_line(without_cr(line), events);
        }
        break;
      }
      case State::kResync: {
        std::size_t newline = bytes.find('\n', i);
        std::size_t end = newline == std::string_view::npos ? bytes.size() : newline;
        if (!line_overflow_) {
          std::size_t room = kResyncLineKeep - line_.size();
          line_.append(bytes.substr(i, std::min(room, end - i)));
          if (end - i > room) line_overflow_ = true;
        }
        i = end;
        if (newline != std::string_view::npos) {
          ++i;
          bool candidate = !line_overflow_ && is_content_length_line(line_);
          std::string line = std::move(line_);
          line_.clear();
          line_overflow_ = false;
          if (candidate) {
            state_ = State::kHeaders;
            reset_headers();
            header_bytes_ = line.size() + 1;
            take_header_line(without_cr(line), events);
          }
        }
        break;
      }
    }
  }
}

void FrameReader::take_header_line(std::string_view line, std::vector<FrameEvent>& events) {
  if (line.empty()) {
    end_header_block(events);
    return;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    start_resync("malformed header line (no colon)", events);
    return;
  }
  std::string_view name = trim(line.substr(0, colon));
  if (!is_token(name)) {
    start_resync("malformed header name", events);
    return;
  }
  saw_header_ = true;
  if (!equals_ignoring_case(name, "content-length")) return;  // Content-Type and the unknown
  std::optional<std::uint64_t> length = parse_length(line.substr(colon + 1));
  if (!length) {
    start_resync("invalid Content-Length", events);
    return;
  }
  if (has_length_ && *length != content_length_) {
    start_resync("conflicting Content-Length headers", events);
    return;
  }
  has_length_ = true;
  content_length_ = *length;
}

void FrameReader::end_header_block(std::vector<FrameEvent>& events) {
  if (!saw_header_) {  // a stray blank line between messages
    reset_headers();
    return;
  }
  if (!has_length_) {
    start_resync("missing Content-Length header", events);
    return;
  }
  remaining_ = content_length_;
  if (content_length_ > max_message_bytes_) {
    events.push_back({.kind = FrameEvent::Kind::kOversized, .size = content_length_});
    state_ = State::kSkipBody;
    return;
  }
  if (content_length_ == 0) {
    events.push_back({.kind = FrameEvent::Kind::kMessage});
    reset_headers();
    return;
  }
  body_.clear();
  state_ = State::kBody;
}

}  // namespace vmscope::transport
