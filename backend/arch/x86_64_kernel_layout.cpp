#include "arch/x86_64_kernel_layout.h"

#include <array>
#include <cstring>

namespace vmscope {
namespace {

// Default size of the kernel-image mapping with KASLR (KERNEL_IMAGE_SIZE, 1 GiB), used only
// when VMCOREINFO lacks NUMBER(KERNEL_IMAGE_SIZE) (kernels before 4.x wrote none).
constexpr std::uint64_t kDefaultKernelImageSize = 1ull << 30;

// Physical address of a kernel-image virtual address (no page walk needed).
std::uint64_t image_to_physical(const X86_64KernelLayout& layout, std::uint64_t vaddr) {
  return vaddr - kX86_64StartKernelMap + layout.phys_base;
}

Result<std::uint64_t> read_image_u64(const PhysicalMemory& memory, const X86_64KernelLayout& layout,
                                     std::uint64_t vaddr) {
  std::array<std::byte, 8> raw{};
  VMSCOPE_CHECK(memory.read(image_to_physical(layout, vaddr), raw));
  std::uint64_t value;
  std::memcpy(&value, raw.data(), sizeof value);
  return value;
}

}  // namespace

Result<X86_64KernelLayout> discover_x86_64_layout(const PhysicalMemory& memory,
                                                  const X86_64LayoutInputs& inputs) {
  auto need = [](const std::optional<std::uint64_t>& v, const char* name) -> Status {
    if (v) return ok_status();
    return Error(ErrorCode::kNotFound, std::string("VMCOREINFO has no ") + name, {.name = name});
  };
  VMSCOPE_CHECK(need(inputs.phys_base, "NUMBER(phys_base)"));
  VMSCOPE_CHECK(need(inputs.init_top_pgt, "SYMBOL(init_top_pgt)"));

  X86_64KernelLayout layout;
  layout.kernel_offset = inputs.kernel_offset.value_or(0);
  layout.phys_base = *inputs.phys_base;
  layout.kernel_image_size = inputs.kernel_image_size.value_or(kDefaultKernelImageSize);
  layout.five_level = inputs.pgtable_l5_enabled.value_or(0) != 0;
  layout.encryption_mask = inputs.sme_mask.value_or(0);
  if (*inputs.init_top_pgt < kX86_64StartKernelMap) {
    return Error(ErrorCode::kCorrupt, "SYMBOL(init_top_pgt) is outside the kernel image",
                 {.address = *inputs.init_top_pgt});
  }
  layout.page_table_root = image_to_physical(layout, *inputs.init_top_pgt);

  // The region bases are kernel variables (CONFIG_RANDOMIZE_MEMORY); without debug info or
  // without the variables they stay unknown and every such address is translated by a walk.
  if (inputs.symbol) {
    auto read_base = [&](const char* name, std::optional<std::uint64_t>& out) -> Status {
      std::optional<std::uint64_t> address = inputs.symbol(name);
      if (!address) return ok_status();
      auto value = read_image_u64(memory, layout, *address);
      if (!value.ok()) return value.error().with_context(std::string("reading ") + name);
      out = *value;
      return ok_status();
    };
    VMSCOPE_CHECK(read_base("page_offset_base", layout.page_offset_base));
    VMSCOPE_CHECK(read_base("vmalloc_base", layout.vmalloc_base));
    VMSCOPE_CHECK(read_base("vmemmap_base", layout.vmemmap_base));
    if (auto end = inputs.symbol("_end"); end && *end > kX86_64StartKernelMap) {
      layout.image_end = *end;
    }
  }
  return layout;
}

Result<Translation> X86_64KernelTranslator::translate(std::uint64_t vaddr) const {
  // The kernel image: mapped linearly at __START_KERNEL_map + phys_base, in 2 MiB pages.
  if (layout_.image_end && vaddr >= kX86_64StartKernelMap && vaddr < *layout_.image_end &&
      vaddr - kX86_64StartKernelMap < layout_.kernel_image_size) {
    return Translation{image_to_physical(layout_, vaddr), 4096};
  }
  // Everything else walks: the direct map is linear too, but its extent depends on the RAM
  // layout (holes are unmapped), so only the walk can say whether an address is mapped.
  return page_table_.translate(vaddr);
}

}  // namespace vmscope
