// value/evaluate and value/children: C-like expressions over the dump (program/
// expression_evaluator.h) rendered as lazy value trees (program/value_tree.h), shaped by
// rpc/value_json.h as protocol-spec/openrpc.json's ValueNode and ValuePage schemas say.
//
// evaluate renders the root with its first page of children inline (`depth` levels, default
// 1); every node with children (a struct, an array, a non-null typed pointer) carries a handle
// that value/children pages through with offset/limit. Handles belong to the dump session
// (rpc/dump_states.h): closing the dump invalidates them, and a late request is told so.
//
// Errors: an expression that does not parse, names nothing or misuses a type fails the request
// (column in data); so does a root value that cannot be read (an excluded page, an unmapped
// address: data has the faulting address). A child that cannot be read does not fail the page:
// its node carries the same error object.
#pragma once

#include <memory>

#include "rpc/dispatcher.h"
#include "rpc/dump_states.h"

namespace vmscope::rpc {

void register_value_methods(Dispatcher& dispatcher, std::shared_ptr<DumpStates> states);

}  // namespace vmscope::rpc
