// rpc.discover: the OpenRPC service-discovery method.
#pragma once

#include "rpc/dispatcher.h"

namespace vmscope::rpc {
void register_discover(Dispatcher& dispatcher);
}  // namespace vmscope::rpc
