#include "kernel/irqs.h"

#include "debuginfo/type_layout.h"
#include "program/maple_tree_walker.h"
#include "program/name_lookup.h"
#include "program/walk.h"
#include "program/xarray_walker.h"
#include "support/hex.h"

namespace vmscope::kernel {
namespace {

constexpr std::uint32_t kMaxIrqs = 1u << 20;
constexpr std::size_t kMaxSharedActions = 256;
constexpr std::size_t kMaxNameLength = 256;

}  // namespace

Result<Irqs> list_irqs(const VirtualMemory& memory, const KernelLayouts& layouts,
                       const CancellationToken& cancel) {
  const debuginfo::DebugInfo& debug = layouts.debug();
  const DebugInfoLookup names(debug);
  VMSCOPE_CHECK(cancel.check());
  VMSCOPE_TRY(debuginfo::Variable nr_irqs, debug.find_variable("nr_irqs"));
  VMSCOPE_TRY(std::uint64_t desc_action, member_offset(names, "struct irq_desc", "action"));
  VMSCOPE_TRY(std::uint64_t action_next, member_offset(names, "struct irqaction", "next"));
  VMSCOPE_TRY(std::uint64_t action_name, member_offset(names, "struct irqaction", "name"));
  Irqs out;
  VMSCOPE_TRY(out.nr_irqs, memory.read_u32(nr_irqs.address));
  if (out.nr_irqs > kMaxIrqs) {
    return Error(ErrorCode::kCorrupt, "nr_irqs is " + std::to_string(out.nr_irqs),
                 {.address = nr_irqs.address, .name = "nr_irqs"});
  }

  // (irq, desc) pairs from whichever container this kernel has.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> descs;
  WalkOptions options{.cancel = cancel};
  options.max_entries = kMaxIrqs;
  std::optional<Error> stopped;
  if (auto tree = debug.find_variable("irq_desc_tree"); tree.ok()) {
    VMSCOPE_TRY(XarrayLayout layout, xarray_layout(names));
    auto walk = walk_xarray(memory, tree->address, layout, options);
    for (const XarrayEntry& e : walk.entries) descs.emplace_back(e.index, e.entry);
    stopped = walk.error;
  } else if (auto maple = debug.find_variable("sparse_irqs"); maple.ok()) {
    VMSCOPE_TRY(MapleTreeLayout layout, maple_tree_layout(names));
    auto walk = walk_maple_tree(memory, maple->address, layout, options);
    for (const MapleEntry& e : walk.entries) {
      for (std::uint64_t irq = e.first; irq <= e.last && irq < out.nr_irqs; ++irq) {
        descs.emplace_back(irq, e.entry);
      }
    }
    stopped = walk.error;
  } else {
    VMSCOPE_TRY(debuginfo::Variable array, debug.find_variable("irq_desc"));
    const debuginfo::Type& type = array.type->underlying();
    if (type.kind() != debuginfo::TypeKind::kArray || !type.length()) {
      return Error(ErrorCode::kUnsupported, "irq_desc is not a sized array", {.name = "irq_desc"});
    }
    VMSCOPE_TRY(std::uint64_t stride, debuginfo::sizeof_type(type.target()));
    const std::uint64_t n = std::min<std::uint64_t>(*type.length(), out.nr_irqs);
    for (std::uint64_t irq = 0; irq < n; ++irq)
      descs.emplace_back(irq, array.address + irq * stride);
  }
  if (stopped && stopped->code() == ErrorCode::kCancelled) return *stopped;
  if (stopped) out.problems.push_back(stopped->with_context("walking the IRQ descriptors"));

  for (const auto& [irq, desc] : descs) {
    VMSCOPE_CHECK(cancel.check());
    if (irq >= out.nr_irqs || desc == 0) continue;
    IrqEntry entry{.irq = static_cast<std::uint32_t>(irq), .desc = desc};
    auto action = memory.read_u64(desc + desc_action);
    VisitedNodes seen;
    while (action.ok() && *action != 0) {
      if (!seen.insert(*action) || entry.actions.size() >= kMaxSharedActions) {
        out.problems.push_back(loop_detected("irqaction chain", *action));
        break;
      }
      IrqAction a{.action = *action};
      auto name = memory.read_u64(*action + action_name);
      if (name.ok() && *name != 0) {
        auto text = memory.read_c_string(*name, kMaxNameLength);
        if (text.ok()) a.name = *text;
      }
      entry.actions.push_back(std::move(a));
      action = memory.read_u64(*action + action_next);
    }
    if (!action.ok()) {
      out.problems.push_back(action.error().with_context(
          "reading the actions of IRQ " + std::to_string(irq) + " (desc " + hex_u64(desc) + ")"));
    }
    out.irqs.push_back(std::move(entry));
  }
  return out;
}

}  // namespace vmscope::kernel
