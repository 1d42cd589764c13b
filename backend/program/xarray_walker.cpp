#include "program/xarray_walker.h"

#include <bit>
#include <cstring>
#include <string>
#include <vector>

#include "debuginfo/type_layout.h"
#include "program/walk_memory.h"
#include "support/hex.h"

namespace vmscope {
namespace {

// XArray internal entries (xa_is_internal) and nodes (xa_is_node: internal, above 4096).
constexpr std::uint64_t kXaInternalTag = 2;
constexpr std::uint64_t kXaNodeMinimum = 4096;
// Radix tree internal entries (RADIX_TREE_INTERNAL_NODE).
constexpr std::uint64_t kRadixInternalTag = 1;
constexpr std::uint64_t kTagMask = 3;

class Walker {
 public:
  Walker(const VirtualMemory& memory, const XarrayLayout& layout, const WalkOptions& options,
         WalkResult<XarrayEntry>& result)
      : memory_(memory),
        layout_(layout),
        options_(options),
        result_(result),
        chunk_shift_(static_cast<unsigned>(std::countr_zero(layout.slot_count))) {}

  // The node an entry points to, or nullopt for a non-node entry.
  std::optional<std::uint64_t> node_of(std::uint64_t entry) const {
    if (layout_.encoding == XarrayEncoding::kXarray) {
      if ((entry & kTagMask) == kXaInternalTag && entry > kXaNodeMinimum) {
        return entry - kXaInternalTag;
      }
      return std::nullopt;
    }
    if ((entry & kTagMask) == kRadixInternalTag && entry > kRadixInternalTag) {
      return entry - kRadixInternalTag;
    }
    return std::nullopt;
  }

  // Internal entries that hold no data: XArray siblings, retry and zero entries; radix-tree
  // siblings (pointers into the node's own slots) and retry entries.
  bool is_internal(std::uint64_t entry) const {
    const std::uint64_t tag =
        layout_.encoding == XarrayEncoding::kXarray ? kXaInternalTag : kRadixInternalTag;
    return (entry & kTagMask) == tag;
  }

  bool is_radix_sibling(std::uint64_t node, std::uint64_t entry) const {
    const std::uint64_t target = entry - kRadixInternalTag;
    const std::uint64_t slots = node + layout_.slots_offset;
    return target >= slots && target < slots + layout_.slot_count * 8;
  }

  bool emit(std::uint64_t index, std::uint64_t entry) {
    if (result_.entries.size() >= options_.max_entries) {
      result_.error = limit_exceeded("the xarray", options_.max_entries);
      return false;
    }
    result_.entries.push_back({index, entry});
    return true;
  }

  // Walks the node at `node` covering indexes from `base`; `expected_shift` is what its
  // parent's shift implies (nullopt for the top node). False once the walk must stop.
  bool walk_node(std::uint64_t node, std::uint64_t base, std::optional<unsigned> expected_shift) {
    if (options_.cancel.cancelled()) {
      result_.error = options_.cancel.check().error();
      return false;
    }
    if (!visited_.insert(node)) {
      result_.error = loop_detected("the xarray", node);
      return false;
    }
    std::uint8_t shift_byte = 0;
    Status read = memory_.read(node + layout_.shift_offset,
                               std::as_writable_bytes(std::span(&shift_byte, 1)));
    if (!read.ok()) {
      result_.error = read.error().with_context("reading xarray node " + hex_u64(node));
      return false;
    }
    const unsigned shift = shift_byte;
    if (shift >= 64 || shift % chunk_shift_ != 0 || (expected_shift && shift != *expected_shift)) {
      result_.error = Error(
          ErrorCode::kCorrupt,
          "xarray node " + hex_u64(node) + " has shift " + std::to_string(shift) +
              (expected_shift ? ", expected " + std::to_string(*expected_shift)
                              : std::string(", not a multiple of ") + std::to_string(chunk_shift_)),
          {.address = node});
      return false;
    }
    std::vector<std::uint64_t> slots(layout_.slot_count);
    read = memory_.read(node + layout_.slots_offset, std::as_writable_bytes(std::span(slots)));
    if (!read.ok()) {
      result_.error =
          read.error().with_context("reading the slots of xarray node " + hex_u64(node));
      return false;
    }
    for (std::uint64_t i = 0; i < slots.size(); ++i) {
      const std::uint64_t entry = slots[i];
      if (entry == 0) continue;
      const std::uint64_t index = base + (i << shift);
      if (auto child = node_of(entry); child && !(layout_.encoding == XarrayEncoding::kRadixTree &&
                                                  is_radix_sibling(node, entry))) {
        if (shift == 0) {
          result_.error = Error(ErrorCode::kCorrupt,
                                "xarray node " + hex_u64(node) + " is a leaf but slot " +
                                    std::to_string(i) + " points to another node",
                                {.address = node});
          return false;
        }
        if (!walk_node(*child, index, shift - chunk_shift_)) return false;
        continue;
      }
      if (is_internal(entry)) continue;  // sibling, retry or zero entry: no data of its own
      if (!emit(index, entry)) return false;
    }
    return true;
  }

 private:
  const VirtualMemory& memory_;
  const XarrayLayout& layout_;
  const WalkOptions& options_;
  WalkResult<XarrayEntry>& result_;
  const unsigned chunk_shift_;
  VisitedNodes visited_;
};

}  // namespace

Result<XarrayLayout> xarray_layout(const NameLookup& names) {
  XarrayLayout layout;
  debuginfo::QualifiedType root, node;
  auto xa_node = names.find_type("struct xa_node");
  if (xa_node.ok()) {
    layout.encoding = XarrayEncoding::kXarray;
    node = *xa_node;
    VMSCOPE_TRY(root, names.find_type("struct xarray"));
    VMSCOPE_TRY(layout.head_offset, debuginfo::offset_of(root, "xa_head"));
  } else {
    if (xa_node.error().code() != ErrorCode::kNotFound) return xa_node.error();
    VMSCOPE_TRY(node, names.find_type("struct radix_tree_node"));
    layout.encoding = XarrayEncoding::kRadixTree;
    VMSCOPE_TRY(root, names.find_type("struct radix_tree_root"));
    VMSCOPE_TRY(layout.head_offset, debuginfo::offset_of(root, "rnode"));
    auto shift = debuginfo::find_member(node, "shift");
    if (!shift.ok()) {
      return Error(ErrorCode::kUnsupported,
                   "this kernel's radix tree nodes have no 'shift' (before 4.7); not supported",
                   {.name = "radix_tree_node.shift"});
    }
  }
  VMSCOPE_TRY(layout.shift_offset, debuginfo::offset_of(node, "shift"));
  VMSCOPE_TRY(debuginfo::MemberLocation slots, debuginfo::resolve_designator(node, "slots"));
  layout.slots_offset = slots.bit_offset / 8;
  const auto length = slots.type->underlying().length();
  if (!length || *length == 0 || !std::has_single_bit(*length)) {
    return Error(ErrorCode::kUnsupported,
                 "the xarray node's slots array has no power-of-two length", {.name = "slots"});
  }
  layout.slot_count = *length;
  return layout;
}

WalkResult<XarrayEntry> walk_xarray(const VirtualMemory& program_memory, std::uint64_t root,
                                    const XarrayLayout& layout, const WalkOptions& options) {
  WalkResult<XarrayEntry> result;
  WalkMemory walk_memory(program_memory);
  const VirtualMemory& memory = walk_memory.memory();
  auto head = memory.read_u64(root + layout.head_offset);
  if (!head.ok()) {
    result.error = head.error().with_context("reading the xarray root at " + hex_u64(root));
    return result;
  }
  if (*head == 0) return result;
  Walker walker(memory, layout, options, result);
  if (auto node = walker.node_of(*head)) {
    walker.walk_node(*node, 0, std::nullopt);
  } else if (!walker.is_internal(*head)) {
    result.entries.push_back({0, *head});  // a single entry at index 0 lives in the root
  }
  return result;
}

}  // namespace vmscope
