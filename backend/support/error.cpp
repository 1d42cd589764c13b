#include "support/error.h"

namespace vmscope {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kCorrupt: return "corrupt";
    case ErrorCode::kTruncated: return "truncated";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kPermissionDenied: return "permission-denied";
    case ErrorCode::kAddressNotMapped: return "address-not-mapped";
    case ErrorCode::kPageExcluded: return "page-excluded";
    case ErrorCode::kPageAbsent: return "page-absent";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kLimitExceeded: return "limit-exceeded";
    case ErrorCode::kLoopDetected: return "loop-detected";
    case ErrorCode::kTypeError: return "type-error";
    case ErrorCode::kSyntaxError: return "syntax-error";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

Error Error::with_context(std::string_view context) const {
  Error copy = *this;
  copy.message_ = std::string(context) + ": " + message_;
  return copy;
}

std::string Error::to_string() const {
  return std::string(error_code_name(code_)) + ": " + message_;
}

}  // namespace vmscope
