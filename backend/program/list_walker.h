// Walking a circular doubly linked `struct list_head` list (include/linux/list.h).
//
// The walk starts at the head (an address of a list_head that is not itself an entry) and
// follows `next` until it is back at the head. Entries are reported as the addresses of their
// containers (node - entry_offset: container_of). With `check_prev`, each node's `prev` must
// point at the node it was reached from — the invariant CONFIG_DEBUG_LIST checks — so a
// pointer into garbage that happens to be readable is caught as kCorrupt at the first wrong
// node rather than followed. A node is reported once its links have been read.
#pragma once

#include <cstdint>
#include <string_view>

#include "arch/virtual_memory.h"
#include "program/name_lookup.h"
#include "program/walk.h"
#include "support/result.h"

namespace vmscope {

struct ListLayout {
  std::uint64_t next_offset = 0;   // offsetof(struct list_head, next)
  std::uint64_t prev_offset = 8;   // offsetof(struct list_head, prev)
  std::uint64_t entry_offset = 0;  // offsetof(container, member): 0 reports the nodes
  bool check_prev = true;
};

// `struct list_head`'s offsets from the debug info, and, if `container` is given (e.g.
// "struct task_struct", "tasks"), the entry offset of that member.
Result<ListLayout> list_layout(const NameLookup& names, std::string_view container = {},
                               std::string_view member = {});

// The entries of the list headed at `head`, in order, head excluded.
WalkResult<std::uint64_t> walk_list(const VirtualMemory& memory, std::uint64_t head,
                                    const ListLayout& layout, const WalkOptions& options = {});

}  // namespace vmscope
