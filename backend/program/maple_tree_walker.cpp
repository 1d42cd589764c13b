#include "program/maple_tree_walker.h"

#include <limits>
#include <string>
#include <vector>

#include "debuginfo/type_layout.h"
#include "program/walk_memory.h"
#include "support/hex.h"

namespace vmscope {
namespace {

// The enode encoding (include/linux/maple_tree.h, lib/maple_tree.c).
constexpr std::uint64_t kMapleNodeMask = 255;     // MAPLE_NODE_MASK: nodes are 256-byte aligned
constexpr unsigned kMapleNodeTypeShift = 3;       // MAPLE_NODE_TYPE_SHIFT
constexpr std::uint64_t kMapleNodeTypeMask = 15;  // MAPLE_NODE_TYPE_MASK
constexpr int kMapleHeightMax = 31;               // MAPLE_HEIGHT_MAX
// xa_is_node(): an internal entry (low bits 10) above 4096.
bool is_node_entry(std::uint64_t entry) {
  return (entry & 3) == 2 && entry > 4096;
}
// xa_is_zero(): the internal entry 257, a reserved slot that reads as empty.
constexpr std::uint64_t kXaZeroEntry = (257 << 2) | 2;

Result<MapleNodeLayout> node_layout(const debuginfo::QualifiedType& maple_node,
                                    std::string_view pivots, std::string_view slots) {
  MapleNodeLayout layout;
  if (!pivots.empty()) {
    VMSCOPE_TRY(debuginfo::MemberLocation p, debuginfo::resolve_designator(maple_node, pivots));
    layout.pivots_offset = p.bit_offset / 8;
    layout.pivot_count = p.type->underlying().length().value_or(0);
  }
  VMSCOPE_TRY(debuginfo::MemberLocation s, debuginfo::resolve_designator(maple_node, slots));
  layout.slots_offset = s.bit_offset / 8;
  layout.slot_count = s.type->underlying().length().value_or(0);
  if (layout.slot_count == 0 || (!pivots.empty() && layout.pivot_count + 1 != layout.slot_count)) {
    return Error(ErrorCode::kUnsupported,
                 "struct maple_node's " + std::string(slots) + " has " +
                     std::to_string(layout.slot_count) + " slots and " +
                     std::to_string(layout.pivot_count) + " pivots; expected one pivot fewer",
                 {.name = std::string(slots)});
  }
  return layout;
}

class Walker {
 public:
  Walker(const VirtualMemory& memory, const MapleTreeLayout& layout, const WalkOptions& options,
         WalkResult<MapleEntry>& result)
      : memory_(memory), layout_(layout), options_(options), result_(result) {}

  bool fail(Error error) {
    result_.error = std::move(error);
    return false;
  }

  bool emit(std::uint64_t first, std::uint64_t last, std::uint64_t entry) {
    if (entry == 0 || entry == kXaZeroEntry) return true;
    if (result_.entries.size() >= options_.max_entries) {
      return fail(limit_exceeded("the maple tree", options_.max_entries));
    }
    result_.entries.push_back({first, last, entry});
    return true;
  }

  Result<std::vector<std::uint64_t>> read_words(std::uint64_t address, std::uint64_t count) {
    std::vector<std::uint64_t> words(count);
    VMSCOPE_CHECK(memory_.read(address, std::as_writable_bytes(std::span(words))));
    return words;
  }

  // Walks the node `enode` covering [min, max]. False once the walk must stop.
  bool walk(std::uint64_t enode, std::uint64_t min, std::uint64_t max, int depth) {
    if (options_.cancel.cancelled()) return fail(options_.cancel.check().error());
    const std::uint64_t node = enode & ~kMapleNodeMask;
    const std::uint64_t type = (enode >> kMapleNodeTypeShift) & kMapleNodeTypeMask;
    if (depth > kMapleHeightMax) {
      return fail(Error(ErrorCode::kCorrupt,
                        "the maple tree is deeper than " + std::to_string(kMapleHeightMax) +
                            " levels at node " + hex_u64(node),
                        {.address = node}));
    }
    if (!visited_.insert(node)) return fail(loop_detected("the maple tree", node));
    const bool dense = type == layout_.type_dense;
    const bool leaf = dense || type == layout_.type_leaf_64;
    const MapleNodeLayout* shape = dense ? &layout_.dense
                                   : type == layout_.type_leaf_64 || type == layout_.type_range_64
                                       ? &layout_.range64
                                   : type == layout_.type_arange_64 ? &layout_.arange64
                                                                    : nullptr;
    if (!shape) {
      return fail(Error(ErrorCode::kCorrupt,
                        "maple node " + hex_u64(node) + " has unknown type " + std::to_string(type),
                        {.address = node}));
    }
    auto slots = read_words(node + shape->slots_offset, shape->slot_count);
    if (!slots.ok()) {
      return fail(slots.error().with_context("reading the slots of maple node " + hex_u64(node)));
    }
    if (dense) {
      for (std::uint64_t i = 0; i < slots->size() && min + i <= max; ++i) {
        if (!emit(min + i, min + i, (*slots)[i])) return false;
        if (min + i == max) break;
      }
      return true;
    }
    auto pivots = read_words(node + shape->pivots_offset, shape->pivot_count);
    if (!pivots.ok()) {
      return fail(pivots.error().with_context("reading the pivots of maple node " + hex_u64(node)));
    }
    std::uint64_t first = min;
    for (std::uint64_t i = 0; i < shape->slot_count; ++i) {
      const std::uint64_t last = i < shape->pivot_count ? (*pivots)[i] : max;
      if (i > 0 && last == 0) break;  // the node's data ended
      if (last < first || last > max) {
        return fail(Error(ErrorCode::kCorrupt,
                          "maple node " + hex_u64(node) + " slot " + std::to_string(i) +
                              " covers [" + hex_u64(first) + ", " + hex_u64(last) +
                              "], outside the node's [" + hex_u64(min) + ", " + hex_u64(max) + "]",
                          {.address = node}));
      }
      const std::uint64_t slot = (*slots)[i];
      if (leaf) {
        if (!emit(first, last, slot)) return false;
      } else if (slot != 0) {
        if (!walk(slot, first, last, depth + 1)) return false;
      }
      if (last == max) break;
      first = last + 1;
    }
    return true;
  }

 private:
  const VirtualMemory& memory_;
  const MapleTreeLayout& layout_;
  const WalkOptions& options_;
  WalkResult<MapleEntry>& result_;
  VisitedNodes visited_;
};

}  // namespace

Result<MapleTreeLayout> maple_tree_layout(const NameLookup& names) {
  VMSCOPE_TRY(debuginfo::QualifiedType tree, names.find_type("struct maple_tree"));
  VMSCOPE_TRY(debuginfo::QualifiedType node, names.find_type("struct maple_node"));
  MapleTreeLayout layout;
  VMSCOPE_TRY(layout.root_offset, debuginfo::offset_of(tree, "ma_root"));
  VMSCOPE_TRY(debuginfo::Constant dense, names.find_constant("maple_dense"));
  VMSCOPE_TRY(debuginfo::Constant leaf, names.find_constant("maple_leaf_64"));
  VMSCOPE_TRY(debuginfo::Constant range, names.find_constant("maple_range_64"));
  VMSCOPE_TRY(debuginfo::Constant arange, names.find_constant("maple_arange_64"));
  layout.type_dense = dense.value;
  layout.type_leaf_64 = leaf.value;
  layout.type_range_64 = range.value;
  layout.type_arange_64 = arange.value;
  VMSCOPE_TRY(layout.dense, node_layout(node, {}, "slot"));
  VMSCOPE_TRY(layout.range64, node_layout(node, "mr64.pivot", "mr64.slot"));
  VMSCOPE_TRY(layout.arange64, node_layout(node, "ma64.pivot", "ma64.slot"));
  return layout;
}

WalkResult<MapleEntry> walk_maple_tree(const VirtualMemory& program_memory, std::uint64_t tree,
                                       const MapleTreeLayout& layout, const WalkOptions& options) {
  WalkResult<MapleEntry> result;
  WalkMemory walk_memory(program_memory);
  const VirtualMemory& memory = walk_memory.memory();
  auto root = memory.read_u64(tree + layout.root_offset);
  if (!root.ok()) {
    result.error = root.error().with_context("reading the maple tree root at " + hex_u64(tree));
    return result;
  }
  Walker walker(memory, layout, options, result);
  if (is_node_entry(*root)) {
    walker.walk(*root, 0, std::numeric_limits<std::uint64_t>::max(), 0);
  } else if (*root != 0 && (*root & 3) != 2) {
    result.entries.push_back({0, 0, *root});  // a single entry for index 0 lives in the root
  }
  return result;
}

}  // namespace vmscope
