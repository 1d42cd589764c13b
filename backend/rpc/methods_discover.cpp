#include "rpc/methods_discover.h"

#include "rpc/protocol_document.h"

namespace vmscope::rpc {

void register_discover(Dispatcher& dispatcher) {
  dispatcher.add("rpc.discover", [](const Json&, const RequestContext&) -> Result<Json> {
    return protocol_document();
  });
}

}  // namespace vmscope::rpc
