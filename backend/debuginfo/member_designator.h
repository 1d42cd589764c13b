// Member designators that can also reach an anonymous struct/union member, which has no name to
// write: besides what offsetof accepts ("tasks", "pids[1].node", "lru" found through anonymous
// members; type_layout.h), an element "#N" is the N-th member (0-based, in declaration order,
// named or not) of the struct/union reached so far. In
//   struct page { unsigned long flags; union { struct { struct list_head lru; ... }; ... }; ... };
// "#1" is the anonymous union, "#1.#0" the anonymous struct inside it and "#1.#0.lru" its lru.
// types/get hands out such a designator for every anonymous member it describes, so a client
// can ask for that member's type on its own.
#pragma once

#include <string>
#include <string_view>

#include "debuginfo/type_layout.h"

namespace vmscope::debuginfo {

// kSyntaxError (payload column, 1-based in `designator`) for a malformed designator; kNotFound
// for a member or position that does not exist; kTypeError for "#N" of a non-compound type.
Result<MemberLocation> resolve_member_designator(const QualifiedType& type,
                                                 std::string_view designator);

// The positional designator of member `index`, appended to `prefix` ("" or a designator).
std::string positional_designator(std::string_view prefix, std::size_t index);

}  // namespace vmscope::debuginfo
