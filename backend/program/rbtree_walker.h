// Walking a red-black tree (`struct rb_root`, include/linux/rbtree.h) in order — the order of
// its keys: vmap areas by address, CFS entities by vruntime, timers by expiry.
//
// The walk is iterative with an explicit stack. A red-black tree of n nodes is at most
// 2·log2(n + 1) deep, so a path deeper than kMaxRbTreeDepth is corrupt. With `check_parent`,
// each node's parent pointer (in __rb_parent_color, colour in the low bits) must name the node
// it was reached from. Entries are the containers' addresses (node - entry_offset). For an
// `rb_root_cached`, pass the address of its `rb_root` member.
#pragma once

#include <cstdint>
#include <string_view>

#include "arch/virtual_memory.h"
#include "program/name_lookup.h"
#include "program/walk.h"
#include "support/result.h"

namespace vmscope {

inline constexpr std::size_t kMaxRbTreeDepth = 128;

struct RbTreeLayout {
  std::uint64_t root_offset = 0;          // offsetof(struct rb_root, rb_node)
  std::uint64_t parent_color_offset = 0;  // offsetof(struct rb_node, __rb_parent_color)
  std::uint64_t right_offset = 8;         // offsetof(struct rb_node, rb_right)
  std::uint64_t left_offset = 16;         // offsetof(struct rb_node, rb_left)
  std::uint64_t entry_offset = 0;         // offsetof(container, member)
  bool check_parent = true;
};

Result<RbTreeLayout> rbtree_layout(const NameLookup& names, std::string_view container = {},
                                   std::string_view member = {});

// The entries of the tree rooted at `root` (an rb_root), in order.
WalkResult<std::uint64_t> walk_rbtree(const VirtualMemory& memory, std::uint64_t root,
                                      const RbTreeLayout& layout, const WalkOptions& options = {});

}  // namespace vmscope
