// Walking a maple tree (include/linux/maple_tree.h, lib/maple_tree.c; 6.1+: every mm's VMAs
// hang off mm->mm_mt). A maple tree maps ranges [first, last] of unsigned longs to entries.
//
// Encoding, as lib/maple_tree.c reads it:
//  - maple_tree.ma_root is either an entry for index 0 alone or, when xa_is_node() (low bits
//    10 and above 4096), an encoded node pointer;
//  - an encoded node ("enode") is the 256-byte-aligned node address with the node type in bits
//    3–6 (MAPLE_NODE_TYPE_SHIFT, MAPLE_NODE_TYPE_MASK) and flags in the low bits
//    (MAPLE_NODE_MASK = 255); the type numbers are the enumerators of `enum maple_type`;
//  - maple_dense nodes map slot i to index min + i; maple_leaf_64 / maple_range_64 (struct
//    maple_range_64) and maple_arange_64 (struct maple_arange_64) nodes have pivots: slot i
//    covers [previous pivot + 1, pivot[i]] and the last slot ends at the node's max; a zero
//    pivot after the first slot ends the node's data (as mt_dump() reads it);
//  - dense and leaf_64 nodes are leaves; the other types hold child enodes.
// Array lengths (slots, pivots) and offsets come from the DWARF of struct maple_node; the type
// numbers from `enum maple_type`; only the bit layout of an enode is the kernel's constant.
//
// Entries come in index order. A range beyond its node's bounds, an unknown node type, a tree
// deeper than MAPLE_HEIGHT_MAX (31) or a revisited node stop the walk with an error.
#pragma once

#include <cstdint>

#include "arch/virtual_memory.h"
#include "program/name_lookup.h"
#include "program/walk.h"
#include "support/result.h"

namespace vmscope {

struct MapleNodeLayout {
  std::uint64_t pivots_offset = 0;  // within struct maple_node (0 pivots for dense nodes)
  std::uint64_t pivot_count = 0;
  std::uint64_t slots_offset = 0;
  std::uint64_t slot_count = 0;
};

struct MapleTreeLayout {
  std::uint64_t root_offset = 8;  // offsetof(struct maple_tree, ma_root)
  std::uint64_t type_dense = 0, type_leaf_64 = 1, type_range_64 = 2, type_arange_64 = 3;
  MapleNodeLayout dense;     // struct maple_node's own slot[]
  MapleNodeLayout range64;   // mr64: leaf_64 and range_64 nodes
  MapleNodeLayout arange64;  // ma64
};

// kNotFound when the kernel has no maple trees (before 6.1).
Result<MapleTreeLayout> maple_tree_layout(const NameLookup& names);

struct MapleEntry {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t entry = 0;
  bool operator==(const MapleEntry&) const = default;
};

// The non-empty ranges of the maple tree at `tree` (a struct maple_tree), in index order.
WalkResult<MapleEntry> walk_maple_tree(const VirtualMemory& memory, std::uint64_t tree,
                                       const MapleTreeLayout& layout,
                                       const WalkOptions& options = {});

}  // namespace vmscope
