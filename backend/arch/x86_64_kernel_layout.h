// Where an x86_64 Linux kernel put things in its virtual address space, and the translation
// that uses it.
//
// With KASLR the kernel image, the direct map, vmalloc and vmemmap all move at boot. The dump
// tells us where: VMCOREINFO gives KERNELOFFSET, NUMBER(phys_base), SYMBOL(init_top_pgt),
// NUMBER(pgtable_l5_enabled) and NUMBER(sme_mask); the direct-map, vmalloc and vmemmap bases
// are not in 6.x VMCOREINFO, so they are read from the kernel variables page_offset_base,
// vmalloc_base and vmemmap_base in the dump's memory (their addresses come from the vmlinux
// symbol table, supplied by the caller as a lookup function — this layer sits below debug info).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "arch/translation.h"
#include "arch/x86_64_page_table.h"
#include "dump/physical_memory.h"

namespace vmscope {

// Architectural: the kernel image is mapped at this virtual address plus the KASLR offset
// (arch/x86/include/asm/page_64_types.h; unchanged since x86_64 Linux began).
inline constexpr std::uint64_t kX86_64StartKernelMap = 0xffffffff80000000ull;

struct X86_64KernelLayout {
  std::uint64_t kernel_offset = 0;      // KASLR slide of the kernel image (KERNELOFFSET)
  std::uint64_t phys_base = 0;          // physical load address minus the link-time address
  std::uint64_t kernel_image_size = 0;  // size of the kernel-image mapping (KERNEL_IMAGE_SIZE)
  std::uint64_t page_table_root = 0;    // physical address of init_top_pgt
  bool five_level = false;              // pgtable_l5_enabled
  std::uint64_t encryption_mask = 0;    // sme_mask
  std::optional<std::uint64_t> page_offset_base;  // start of the direct map
  std::optional<std::uint64_t> vmalloc_base;
  std::optional<std::uint64_t> vmemmap_base;
  // End of the kernel image (_end). Only [__START_KERNEL_map, image_end) is translated by
  // arithmetic; without it every address is walked.
  std::optional<std::uint64_t> image_end;
};

// Facts found in VMCOREINFO (raw numbers; the dump layer parses the text).
struct X86_64LayoutInputs {
  std::optional<std::uint64_t> kernel_offset;       // KERNELOFFSET
  std::optional<std::uint64_t> phys_base;           // NUMBER(phys_base)
  std::optional<std::uint64_t> init_top_pgt;        // SYMBOL(init_top_pgt), a virtual address
  std::optional<std::uint64_t> pgtable_l5_enabled;  // NUMBER(pgtable_l5_enabled)
  std::optional<std::uint64_t> sme_mask;            // NUMBER(sme_mask)
  std::optional<std::uint64_t> kernel_image_size;   // NUMBER(KERNEL_IMAGE_SIZE)
  // Runtime (KASLR-adjusted) address of a kernel symbol, when debug info is available.
  std::function<std::optional<std::uint64_t>(std::string_view)> symbol;
};

// Builds the layout: numbers from `inputs`, then reads page_offset_base, vmalloc_base and
// vmemmap_base from memory when their symbols are known. Missing VMCOREINFO facts are a
// kNotFound error naming the first one missing.
Result<X86_64KernelLayout> discover_x86_64_layout(const PhysicalMemory& memory,
                                                  const X86_64LayoutInputs& inputs);

// Translation for one kernel: the kernel image by arithmetic (the linear mapping the page
// tables hold for it, without the walk), everything else by walking init_top_pgt.
class X86_64KernelTranslator final : public AddressTranslator {
 public:
  X86_64KernelTranslator(const PhysicalMemory& memory, X86_64KernelLayout layout)
      : layout_(std::move(layout)),
        page_table_(memory, layout_.page_table_root, layout_.five_level, layout_.encryption_mask) {}

  Result<Translation> translate(std::uint64_t vaddr) const override;
  // The same, always by walking the page tables (for checking the shortcuts).
  Result<Translation> walk(std::uint64_t vaddr) const { return page_table_.translate(vaddr); }

  const X86_64KernelLayout& layout() const { return layout_; }

 private:
  X86_64KernelLayout layout_;
  X86_64PageTable page_table_;
};

}  // namespace vmscope
