// Mapping backend Errors to JSON-RPC 2.0 error objects. The codes and the shape of `data` are
// part of the protocol: protocol-spec/openrpc.json lists them under components.errors, and
// tests check that the two agree.
#pragma once

#include "rpc/json.h"
#include "support/error.h"

namespace vmscope::rpc {

// Standard JSON-RPC 2.0 codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
// LSP's code for a request ended by $/cancelRequest.
inline constexpr int kRequestCancelled = -32800;

int json_rpc_code(ErrorCode code);

// {"code": …, "message": …, "data": {"kind": "<code name>", "address": "0x…", …}}
Json error_object(const Error& error);
Json error_object(int code, const std::string& message);

}  // namespace vmscope::rpc
