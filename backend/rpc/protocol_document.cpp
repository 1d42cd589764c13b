#include "rpc/protocol_document.h"

namespace vmscope::rpc {

const Json& protocol_document() {
  static const Json document = Json::parse(embedded::openrpc_json);
  return document;
}

}  // namespace vmscope::rpc
