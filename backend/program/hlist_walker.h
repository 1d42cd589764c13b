// Walking a `struct hlist_head` list (include/linux/list.h): a NULL-terminated singly linked
// list whose nodes also hold `pprev`, the address of the pointer that points at them (the
// head's `first` or the previous node's `next`). With `check_pprev`, that back link is
// verified at every node, catching a pointer into garbage as kCorrupt. Entries are the
// containers' addresses (node - entry_offset). The hash tables of pids, inodes and mounts are
// built of these.
#pragma once

#include <cstdint>
#include <string_view>

#include "arch/virtual_memory.h"
#include "program/name_lookup.h"
#include "program/walk.h"
#include "support/result.h"

namespace vmscope {

struct HlistLayout {
  std::uint64_t first_offset = 0;  // offsetof(struct hlist_head, first)
  std::uint64_t next_offset = 0;   // offsetof(struct hlist_node, next)
  std::uint64_t pprev_offset = 8;  // offsetof(struct hlist_node, pprev)
  std::uint64_t entry_offset = 0;  // offsetof(container, member)
  bool check_pprev = true;
};

// The offsets of struct hlist_head/hlist_node from the debug info, and the entry offset of
// `member` in `container` when given.
Result<HlistLayout> hlist_layout(const NameLookup& names, std::string_view container = {},
                                 std::string_view member = {});

WalkResult<std::uint64_t> walk_hlist(const VirtualMemory& memory, std::uint64_t head,
                                     const HlistLayout& layout, const WalkOptions& options = {});

}  // namespace vmscope
