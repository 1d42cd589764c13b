#include "kernel/kernel_target.h"

#include "dump/open_dump.h"

namespace vmscope {
namespace {

template <typename T>
std::optional<std::uint64_t> present(const Result<T>& r) {
  if (!r.ok()) return std::nullopt;
  return static_cast<std::uint64_t>(*r);
}

X86_64LayoutInputs x86_64_inputs(const Vmcoreinfo& info, const KernelOpenOptions& options) {
  X86_64LayoutInputs in;
  in.kernel_offset = present(info.kernel_offset());
  in.phys_base = present(info.number("phys_base"));
  in.init_top_pgt = present(info.symbol("init_top_pgt"));
  in.pgtable_l5_enabled = present(info.number("pgtable_l5_enabled"));
  in.sme_mask = present(info.number("sme_mask"));
  in.kernel_image_size = present(info.number("KERNEL_IMAGE_SIZE"));
  in.symbol = options.symbol;
  return in;
}

}  // namespace

Result<std::unique_ptr<KernelTarget>> KernelTarget::open(const KernelOpenOptions& options) {
  VMSCOPE_TRY(std::unique_ptr<Dump> dump, open_dump(options.core));
  if (!dump->notes().vmcoreinfo) {
    return Error(ErrorCode::kUnsupported,
                 options.core +
                     " carries no VMCOREINFO (QEMU needs -device vmcoreinfo and the "
                     "guest's qemu_fw_cfg driver); opening such dumps is not supported",
                 {.name = "VMCOREINFO"});
  }
  Vmcoreinfo info = Vmcoreinfo::parse(*dump->notes().vmcoreinfo);
  if (!info.symbol("init_top_pgt").ok()) {
    return Error(ErrorCode::kUnsupported,
                 "unsupported architecture: VMCOREINFO has no SYMBOL(init_top_pgt) (only "
                 "x86_64 kernels are supported)",
                 {.name = "SYMBOL(init_top_pgt)"});
  }
  VMSCOPE_TRY(X86_64KernelLayout layout,
              discover_x86_64_layout(dump->memory(), x86_64_inputs(info, options)));
  auto translator = std::make_unique<X86_64KernelTranslator>(dump->memory(), layout);
  auto program = std::make_unique<Program>(std::move(dump), std::move(translator));
  return std::unique_ptr<KernelTarget>(
      new KernelTarget(std::move(program), std::move(info), std::move(layout), options.core));
}

}  // namespace vmscope
