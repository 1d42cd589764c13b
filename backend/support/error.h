// Errors as values. Every fallible call in the backend returns Result<T> (support/result.h)
// carrying an Error: a code saying what kind of failure it was, a human message, and a payload
// with the facts a client needs to act on it (the faulting address, the page-table level that
// failed, the column of a syntax error, the missing name). Only rpc/ turns these into JSON-RPC
// errors; nothing below it throws or exits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vmscope {

enum class ErrorCode {
  kInvalidArgument,   // the caller asked for something malformed
  kNotFound,          // a named thing (symbol, type, member, dump id, file) does not exist
  kUnsupported,       // a format, version or feature vmscope does not handle (yet)
  kCorrupt,           // the input contradicts its own format (bad magic, impossible sizes)
  kTruncated,         // the input ends before data its headers promise
  kIo,                // the operating system refused a read/open
  kPermissionDenied,  // the request is not allowed (path outside the allowed directories)
  kAddressNotMapped,  // a virtual address has no translation (payload: address, level)
  kPageExcluded,      // the page was filtered out of the dump (makedumpfile -d)
  kPageAbsent,        // the page should be in the dump but is not (incomplete/lost)
  kCancelled,         // the request was cancelled while running
  kLimitExceeded,     // a bound (walk length, message size, page count) was hit
  kLoopDetected,      // a walk over kernel data revisited a node
  kTypeError,         // an expression or value used a type the wrong way
  kSyntaxError,       // an expression did not parse (payload: column)
  kInternal,          // a bug in vmscope; never expected
};

std::string_view error_code_name(ErrorCode code);

// Facts attached to an error. Each is optional: set the ones that are true.
struct ErrorPayload {
  std::optional<std::uint64_t> address;   // virtual or physical address involved
  std::optional<std::uint64_t> physical;  // physical address, when both are known
  std::optional<int> level;               // page-table level that failed (5..1)
  std::optional<std::uint32_t> column;    // 1-based column in an expression
  std::optional<std::uint64_t> offset;    // file offset involved
  std::optional<std::string> name;        // missing symbol/type/member/file name
};

class Error {
 public:
  Error(ErrorCode code, std::string message, ErrorPayload payload = {})
      : code_(code), message_(std::move(message)), payload_(std::move(payload)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const ErrorPayload& payload() const { return payload_; }
  ErrorPayload& payload() { return payload_; }

  // "context: message", for adding what the caller was doing when a lower layer failed.
  Error with_context(std::string_view context) const;

  // "<code name>: <message>" for logs and the command line.
  std::string to_string() const;

 private:
  ErrorCode code_;
  std::string message_;
  ErrorPayload payload_;
};

}  // namespace vmscope
