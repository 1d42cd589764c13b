#include "rpc/errors.h"

#include "rpc/wire_values.h"

namespace vmscope::rpc {

int json_rpc_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return kInvalidParams;
    case ErrorCode::kNotFound: return -32001;
    case ErrorCode::kUnsupported: return -32002;
    case ErrorCode::kCorrupt: return -32003;
    case ErrorCode::kTruncated: return -32004;
    case ErrorCode::kIo: return -32005;
    case ErrorCode::kPermissionDenied: return -32006;
    case ErrorCode::kAddressNotMapped: return -32010;
    case ErrorCode::kPageExcluded: return -32011;
    case ErrorCode::kPageAbsent: return -32012;
    case ErrorCode::kCancelled: return kRequestCancelled;
    case ErrorCode::kLimitExceeded: return -32020;
    case ErrorCode::kLoopDetected: return -32021;
    case ErrorCode::kTypeError: return -32030;
    case ErrorCode::kSyntaxError: return -32031;
    case ErrorCode::kInternal: return kInternalError;
  }
  return kInternalError;
}

Json error_object(const Error& error) {
  Json data = {{"kind", std::string(error_code_name(error.code()))}};
  const ErrorPayload& p = error.payload();
  // Addresses are hex strings: JavaScript numbers lose precision above 2^53.
  if (p.address) data["address"] = hex_u64(*p.address);
  if (p.physical) data["physical"] = hex_u64(*p.physical);
  if (p.offset) data["offset"] = hex_u64(*p.offset);
  if (p.level) data["level"] = *p.level;
  if (p.column) data["column"] = *p.column;
  if (p.name) data["name"] = *p.name;
  return {{"code", json_rpc_code(error.code())}, {"message", error.message()}, {"data", data}};
}

Json error_object(int code, const std::string& message) {
  return {{"code", code}, {"message", message}};
}

}  // namespace vmscope::rpc
