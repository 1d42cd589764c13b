// The JSON type of the protocol layer. Only rpc/ and what sits above it (transport/, app/)
// include this header; the layers below never see JSON.
#pragma once

#include <nlohmann/json.hpp>

namespace vmscope::rpc {
using Json = nlohmann::json;
}  // namespace vmscope::rpc
