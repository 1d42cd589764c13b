#include "program/list_walker.h"

#include <string>

#include "debuginfo/type_layout.h"
#include "program/walk_memory.h"
#include "support/hex.h"

namespace vmscope {

Result<ListLayout> list_layout(const NameLookup& names, std::string_view container,
                               std::string_view member) {
  VMSCOPE_TRY(debuginfo::QualifiedType list_head, names.find_type("struct list_head"));
  ListLayout layout;
  VMSCOPE_TRY(layout.next_offset, debuginfo::offset_of(list_head, "next"));
  VMSCOPE_TRY(layout.prev_offset, debuginfo::offset_of(list_head, "prev"));
  if (!container.empty()) {
    VMSCOPE_TRY(layout.entry_offset, member_offset(names, container, member));
  }
  return layout;
}

WalkResult<std::uint64_t> walk_list(const VirtualMemory& program_memory, std::uint64_t head,
                                    const ListLayout& layout, const WalkOptions& options) {
  WalkResult<std::uint64_t> result;
  WalkMemory walk_memory(program_memory);
  const VirtualMemory& memory = walk_memory.memory();
  const std::array<std::uint64_t, 2> links = {layout.next_offset, layout.prev_offset};
  VisitedNodes visited;
  visited.insert(head);
  std::uint64_t previous = head;
  auto next = memory.read_u64(head + layout.next_offset);
  if (!next.ok()) {
    result.error = next.error().with_context("reading the list head at " + hex_u64(head));
    return result;
  }
  std::uint64_t node = *next;
  while (node != head) {
    if (options.cancel.cancelled()) {
      result.error = options.cancel.check().error();
      return result;
    }
    if (node == 0) {
      result.error =
          Error(ErrorCode::kCorrupt,
                "the list breaks: node " + hex_u64(previous) + " has a NULL next pointer",
                {.address = previous + layout.next_offset});
      return result;
    }
    if (!visited.insert(node)) {
      result.error = loop_detected("the list", node);
      return result;
    }
    if (result.entries.size() >= options.max_entries) {
      result.error = limit_exceeded("the list", options.max_entries);
      return result;
    }
    std::uint64_t following;
    if (layout.check_prev) {
      auto both = read_words(memory, node, links);
      if (!both.ok()) {
        result.error = both.error().with_context("reading list node " + hex_u64(node) +
                                                 " (reached from " + hex_u64(previous) + ")");
        return result;
      }
      const auto [node_next, node_prev] = *both;
      if (node_prev != previous) {
        result.error = Error(ErrorCode::kCorrupt,
                             "the list is corrupt: node " + hex_u64(node) + " (reached from " +
                                 hex_u64(previous) + ") has prev " + hex_u64(node_prev),
                             {.address = node});
        return result;
      }
      following = node_next;
    } else {
      auto only_next = memory.read_u64(node + layout.next_offset);
      if (!only_next.ok()) {
        result.error = only_next.error().with_context("reading list node " + hex_u64(node) +
                                                      " (reached from " + hex_u64(previous) + ")");
        return result;
      }
      following = *only_next;
    }
    result.entries.push_back(node - layout.entry_offset);
    previous = node;
    node = following;
  }
  if (layout.check_prev) {
    // Closing the ring: the head's prev must be the last node.
    auto prev = memory.read_u64(head + layout.prev_offset);
    if (!prev.ok()) {
      result.error = prev.error().with_context("reading the list head at " + hex_u64(head));
    } else if (*prev != previous) {
      result.error = Error(ErrorCode::kCorrupt,
                           "the list is corrupt: the head " + hex_u64(head) + " has prev " +
                               hex_u64(*prev) + " but the last node is " + hex_u64(previous),
                           {.address = head});
    }
  }
  return result;
}

}  // namespace vmscope
