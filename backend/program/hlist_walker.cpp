#include "program/hlist_walker.h"

#include <string>

#include "debuginfo/type_layout.h"
#include "program/walk_memory.h"
#include "support/hex.h"

namespace vmscope {

Result<HlistLayout> hlist_layout(const NameLookup& names, std::string_view container,
                                 std::string_view member) {
  VMSCOPE_TRY(debuginfo::QualifiedType head, names.find_type("struct hlist_head"));
  VMSCOPE_TRY(debuginfo::QualifiedType node, names.find_type("struct hlist_node"));
  HlistLayout layout;
  VMSCOPE_TRY(layout.first_offset, debuginfo::offset_of(head, "first"));
  VMSCOPE_TRY(layout.next_offset, debuginfo::offset_of(node, "next"));
  VMSCOPE_TRY(layout.pprev_offset, debuginfo::offset_of(node, "pprev"));
  if (!container.empty()) {
    VMSCOPE_TRY(layout.entry_offset, member_offset(names, container, member));
  }
  return layout;
}

WalkResult<std::uint64_t> walk_hlist(const VirtualMemory& program_memory, std::uint64_t head,
                                     const HlistLayout& layout, const WalkOptions& options) {
  WalkResult<std::uint64_t> result;
  WalkMemory walk_memory(program_memory);
  const VirtualMemory& memory = walk_memory.memory();
  const std::array<std::uint64_t, 2> links = {layout.next_offset, layout.pprev_offset};
  VisitedNodes visited;
  std::uint64_t link = head + layout.first_offset;  // the pointer that led to `node`
  auto first = memory.read_u64(link);
  if (!first.ok()) {
    result.error = first.error().with_context("reading the hlist head at " + hex_u64(head));
    return result;
  }
  for (std::uint64_t node = *first; node != 0;) {
    if (options.cancel.cancelled()) {
      result.error = options.cancel.check().error();
      return result;
    }
    if (!visited.insert(node)) {
      result.error = loop_detected("the hlist", node);
      return result;
    }
    if (result.entries.size() >= options.max_entries) {
      result.error = limit_exceeded("the hlist", options.max_entries);
      return result;
    }
    auto both = read_words(memory, node, links);
    if (!both.ok()) {
      result.error = both.error().with_context("reading hlist node " + hex_u64(node));
      return result;
    }
    const auto [next, pprev] = *both;
    if (layout.check_pprev && pprev != link) {
      result.error = Error(ErrorCode::kCorrupt,
                           "the hlist is corrupt: node " + hex_u64(node) + " has pprev " +
                               hex_u64(pprev) + ", not " + hex_u64(link),
                           {.address = node});
      return result;
    }
    result.entries.push_back(node - layout.entry_offset);
    link = node + layout.next_offset;
    node = next;
  }
  return result;
}

}  // namespace vmscope
