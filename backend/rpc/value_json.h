// Wire shape of value trees (program/value_tree.h) for `value/evaluate` and `value/children`,
// as protocol-spec/openrpc.json's ValueNode and ValuePage schemas specify:
//   {name, type, kind, address?, bitFieldSize?, value: {display, string?, symbol?},
//    hasChildren, childCount, handle?, children?, error?}
// `value.display` is the plain text of a scalar ("0", "4294893814"), a pointer in hex, an enum
// by enumerator name; `value.string` the text of a char array (or what a char * points to);
// `handle` the number value/children takes to page through children. A node whose value could
// not be read carries `error`, a JSON-RPC error object (code, message, data with the faulting
// address) exactly as a failed request would.
#pragma once

#include "program/value_tree.h"
#include "rpc/json.h"

namespace vmscope::rpc {

Json value_node_json(const ValueNode& node);
// {offset, total, children: [ValueNode]}
Json children_page_json(const ChildrenPage& page);

}  // namespace vmscope::rpc
