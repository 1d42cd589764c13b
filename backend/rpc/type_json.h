// Wire shape of types for `types/get` (protocol-spec/openrpc.json's TypeInfo schema):
//   {name, kind, size?, complete, qualifiers?, signed?,
//    members?: [{name?, designator?, type, offset, bitOffset, bitFieldSize?, members?}],
//    enumerators?: [{name, value}], compatibleType?,
//    target?, length?, parameters?: [{name?, type}], variadic?, underlying?}
// Type names are C spellings as drgn prints them (debuginfo/type_name.h). Offsets are bytes
// (`offset`, rounded down for bit fields) and bits (`bitOffset`) from the start of the type.
// An anonymous struct/union member lists its own members inline (their offsets still from the
// start of the outer type), since a client cannot ask for "struct <anonymous>" by name, and a
// `designator` ("#1", "#1.#0"; debuginfo/member_designator.h) that types/get's member takes to
// describe that anonymous type on its own; a
// typedef carries `underlying`, the type it finally names, described the same way. Enumerator
// values are decimal strings (a 64-bit value is not safe as a JavaScript number).
#pragma once

#include <string>

#include "debuginfo/type.h"
#include "rpc/json.h"
#include "support/result.h"

namespace vmscope::rpc {

// Fails only when lazily loaded members cannot be read from the debug info. `designator`: how
// the request reached `type` (types/get's member, "" for none), the prefix of the designators
// given to anonymous members.
Result<Json> type_json(const debuginfo::QualifiedType& type, const std::string& designator = "");

}  // namespace vmscope::rpc
