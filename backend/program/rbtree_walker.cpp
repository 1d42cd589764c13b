#include "program/rbtree_walker.h"

#include <string>
#include <vector>

#include "debuginfo/type_layout.h"
#include "program/walk_memory.h"
#include "support/hex.h"

namespace vmscope {
namespace {

// The colour lives in the low two bits of __rb_parent_color.
constexpr std::uint64_t kColorMask = 3;

struct Pending {
  std::uint64_t node;
  std::uint64_t right;
};

}  // namespace

Result<RbTreeLayout> rbtree_layout(const NameLookup& names, std::string_view container,
                                   std::string_view member) {
  VMSCOPE_TRY(debuginfo::QualifiedType root, names.find_type("struct rb_root"));
  VMSCOPE_TRY(debuginfo::QualifiedType node, names.find_type("struct rb_node"));
  RbTreeLayout layout;
  VMSCOPE_TRY(layout.root_offset, debuginfo::offset_of(root, "rb_node"));
  VMSCOPE_TRY(layout.parent_color_offset, debuginfo::offset_of(node, "__rb_parent_color"));
  VMSCOPE_TRY(layout.right_offset, debuginfo::offset_of(node, "rb_right"));
  VMSCOPE_TRY(layout.left_offset, debuginfo::offset_of(node, "rb_left"));
  if (!container.empty()) {
    VMSCOPE_TRY(layout.entry_offset, member_offset(names, container, member));
  }
  return layout;
}

WalkResult<std::uint64_t> walk_rbtree(const VirtualMemory& program_memory, std::uint64_t root,
                                      const RbTreeLayout& layout, const WalkOptions& options) {
  WalkResult<std::uint64_t> result;
  WalkMemory walk_memory(program_memory);
  const VirtualMemory& memory = walk_memory.memory();
  const std::array<std::uint64_t, 3> fields = {layout.parent_color_offset, layout.left_offset,
                                               layout.right_offset};
  auto top = memory.read_u64(root + layout.root_offset);
  if (!top.ok()) {
    result.error = top.error().with_context("reading the rbtree root at " + hex_u64(root));
    return result;
  }
  VisitedNodes visited;
  std::vector<Pending> stack;
  std::uint64_t node = *top;
  std::uint64_t parent = 0;
  auto fail = [&](Error error) {
    result.error = std::move(error);
    return result;
  };
  while (node != 0 || !stack.empty()) {
    // Down the left spine, remembering each node's right subtree.
    while (node != 0) {
      if (options.cancel.cancelled()) return fail(options.cancel.check().error());
      if (!visited.insert(node)) return fail(loop_detected("the rbtree", node));
      if (stack.size() >= kMaxRbTreeDepth) {
        return fail(Error(ErrorCode::kCorrupt,
                          "the rbtree is deeper than " + std::to_string(kMaxRbTreeDepth) +
                              " levels at node " + hex_u64(node) + "; no red-black tree can be",
                          {.address = node}));
      }
      auto words = read_words(memory, node, fields);
      if (!words.ok())
        return fail(words.error().with_context("reading rbtree node " + hex_u64(node)));
      const auto [parent_color, left, right] = *words;
      if (layout.check_parent && (parent_color & ~kColorMask) != parent) {
        return fail(Error(ErrorCode::kCorrupt,
                          "the rbtree is corrupt: node " + hex_u64(node) + " names parent " +
                              hex_u64(parent_color & ~kColorMask) + ", not " + hex_u64(parent),
                          {.address = node}));
      }
      stack.push_back({node, right});
      parent = node;
      node = left;
    }
    const Pending done = stack.back();
    stack.pop_back();
    if (result.entries.size() >= options.max_entries) {
      return fail(limit_exceeded("the rbtree", options.max_entries));
    }
    result.entries.push_back(done.node - layout.entry_offset);
    parent = done.node;
    node = done.right;
  }
  return result;
}

}  // namespace vmscope
