// Interrupt descriptors and their handlers, as crash's `irq` lists them: for each IRQ number
// below nr_irqs its struct irq_desc (if allocated) and the chain of struct irqaction
// (desc->action, then action->next for shared lines) with each handler's name.
//
// Where the descriptors are is detected from DWARF: the radix tree `irq_desc_tree`
// (CONFIG_SPARSE_IRQ up to 6.4), the maple tree `sparse_irqs` (6.5+), or the static array
// `irq_desc[]` (no SPARSE_IRQ). Walks are bounded and cancellable; an unreadable action chain
// keeps the descriptor, with the reason in `problems`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "kernel/kernel_layouts.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct IrqAction {
  std::uint64_t action = 0;  // struct irqaction
  std::string name;
};

struct IrqEntry {
  std::uint32_t irq = 0;
  std::uint64_t desc = 0;  // struct irq_desc
  std::vector<IrqAction> actions;
};

struct Irqs {
  std::uint32_t nr_irqs = 0;
  std::vector<IrqEntry> irqs;  // allocated descriptors, by IRQ number
  std::vector<Error> problems;
  bool partial() const { return !problems.empty(); }
};

Result<Irqs> list_irqs(const VirtualMemory& memory, const KernelLayouts& layouts,
                       const CancellationToken& cancel);

}  // namespace vmscope::kernel
