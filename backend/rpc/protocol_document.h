// The OpenRPC document (protocol-spec/openrpc.json), embedded at build time. rpc.discover
// returns it, and the method table is checked against it (every registered method is
// specified, every specified method is registered).
#pragma once

#include <string_view>

#include "rpc/json.h"

namespace vmscope::embedded {
extern const std::string_view openrpc_json;
}  // namespace vmscope::embedded

namespace vmscope::rpc {

// The parsed document; parsed once, on first use.
const Json& protocol_document();

}  // namespace vmscope::rpc
