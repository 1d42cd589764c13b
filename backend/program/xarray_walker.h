// Walking an XArray (include/linux/xarray.h, 4.20+) or the radix tree it replaced — the same
// data structure: a tree of nodes of 2^k slots, each node knowing its `shift`, the root
// holding either one entry (index 0) or a tagged pointer to the top node. Page caches, IDRs
// (the pid namespace's pid numbers) and many tables are built on it.
//
// The two encodings are told apart by the debug info, never by a kernel version:
//  - `struct xa_node` exists: XArray. Internal entries have low bits 10; one above 4096 is a
//    node (pointer + 2); smaller ones are sibling, retry and zero entries, which are skipped.
//  - else `struct radix_tree_node` with `shift` (4.7–4.19): internal entries have low bits 01;
//    one pointing into the current node's slots is a sibling, any other is a node (pointer+1).
//  The slot count (XA_CHUNK_SIZE / RADIX_TREE_MAP_SIZE) is the DWARF length of `slots`.
// Value entries (xa_mk_value, radix exceptional entries) are reported as they are stored.
//
// Entries come in index order. Each node's shift must be its parent's minus log2(slots), which
// bounds the depth and catches garbage as kCorrupt.
#pragma once

#include <cstdint>

#include "arch/virtual_memory.h"
#include "program/name_lookup.h"
#include "program/walk.h"
#include "support/result.h"

namespace vmscope {

enum class XarrayEncoding { kXarray, kRadixTree };

struct XarrayLayout {
  XarrayEncoding encoding = XarrayEncoding::kXarray;
  std::uint64_t head_offset = 8;    // xarray.xa_head / radix_tree_root.rnode
  std::uint64_t shift_offset = 0;   // xa_node.shift (an unsigned char)
  std::uint64_t slots_offset = 40;  // xa_node.slots
  std::uint64_t slot_count = 64;    // length of slots: a power of two
};

// Detects the encoding and reads the offsets from the debug info; kNotFound if the kernel has
// neither, kUnsupported for a radix tree older than `shift` (4.7).
Result<XarrayLayout> xarray_layout(const NameLookup& names);

struct XarrayEntry {
  std::uint64_t index = 0;
  std::uint64_t entry = 0;  // the stored pointer or value entry, as stored
  bool operator==(const XarrayEntry&) const = default;
};

// The non-empty entries of the XArray (or radix tree root) at `root`, in index order.
WalkResult<XarrayEntry> walk_xarray(const VirtualMemory& memory, std::uint64_t root,
                                    const XarrayLayout& layout, const WalkOptions& options = {});

}  // namespace vmscope
