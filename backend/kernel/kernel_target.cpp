#include "kernel/kernel_target.h"

#include <cstdio>

#include "debuginfo/debug_file_finder.h"
#include "dump/open_dump.h"
#include "dump/vmcoreinfo_scan.h"
#include "kernel/module_sections.h"
#include "support/hex.h"

namespace vmscope {
namespace {

template <typename T>
std::optional<std::uint64_t> present(const Result<T>& r) {
  if (!r.ok()) return std::nullopt;
  return static_cast<std::uint64_t>(*r);
}

X86_64LayoutInputs x86_64_inputs(const Vmcoreinfo& info, const debuginfo::DebugInfo* debug) {
  X86_64LayoutInputs in;
  in.kernel_offset = present(info.kernel_offset());
  in.phys_base = present(info.number("phys_base"));
  in.init_top_pgt = present(info.symbol("init_top_pgt"));
  in.pgtable_l5_enabled = present(info.number("pgtable_l5_enabled"));
  in.sme_mask = present(info.number("sme_mask"));
  in.kernel_image_size = present(info.number("KERNEL_IMAGE_SIZE"));
  if (debug) {
    in.symbol = [debug](std::string_view name) -> std::optional<std::uint64_t> {
      auto symbol = debug->symbols().find(name);
      if (!symbol) return std::nullopt;
      return symbol->address;
    };
  }
  return in;
}

// The vmlinux to use: the one given, else the debug directory's match for the dump's
// build-id/release, else none.
Result<std::string> locate_vmlinux(const KernelOpenOptions& options, const Vmcoreinfo& info) {
  if (!options.vmlinux.empty()) return options.vmlinux;
  if (options.debug_dir.empty()) return std::string();
  std::vector<std::uint8_t> build_id;
  if (auto hex = info.build_id(); hex.ok()) {
    for (std::size_t i = 0; i + 1 < hex->size(); i += 2) {
      build_id.push_back(static_cast<std::uint8_t>(std::stoul(hex->substr(i, 2), nullptr, 16)));
    }
  }
  std::string release = info.osrelease().value_or("");
  debuginfo::DebugFileFinder finder(options.debug_dir);
  return finder.find_vmlinux(build_id, release);
}

Result<std::unique_ptr<debuginfo::DebugInfo>> open_debug_info(const KernelOpenOptions& options,
                                                              const Vmcoreinfo& info) {
  VMSCOPE_TRY(std::string vmlinux, locate_vmlinux(options, info));
  if (vmlinux.empty()) return std::unique_ptr<debuginfo::DebugInfo>();
  // Cold, this is most of the open: the DWARF index is built (then cached by build-id).
  report_progress(options.progress, "Indexing " + vmlinux, 20);
  debuginfo::DebugInfoOptions debug_options;
  debug_options.load_offset = info.kernel_offset().value_or(0);
  debug_options.index = options.index;
  VMSCOPE_TRY(std::unique_ptr<debuginfo::DebugInfo> debug,
              debuginfo::DebugInfo::open(vmlinux, debug_options));
  // Refuse a vmlinux of another build: its symbols and layouts would not match the memory.
  if (auto dump_id = info.build_id(); dump_id.ok() && !debug->elf().build_id().empty()) {
    std::string file_id = hex_bytes(debug->elf().build_id());
    if (file_id.rfind(*dump_id, 0) != 0 && dump_id->rfind(file_id, 0) != 0) {
      return Error(ErrorCode::kInvalidArgument,
                   vmlinux + " is not this dump's kernel: its build-id is " + file_id +
                       ", the dump's VMCOREINFO says " + *dump_id,
                   {.name = vmlinux});
    }
  }
  return debug;
}

// The dump's VMCOREINFO with the debug info it leads to. Without a note, each copy found in
// memory is tried in address order until one is accepted by the vmlinux (same build-id).
struct KernelIdentity {
  Vmcoreinfo info;
  std::unique_ptr<debuginfo::DebugInfo> debug;
  std::string source;
};

Result<KernelIdentity> identify_kernel(const Dump& dump, const KernelOpenOptions& options) {
  if (dump.notes().vmcoreinfo) {
    Vmcoreinfo info = Vmcoreinfo::parse(*dump.notes().vmcoreinfo);
    VMSCOPE_TRY(std::unique_ptr<debuginfo::DebugInfo> debug, open_debug_info(options, info));
    return KernelIdentity{std::move(info), std::move(debug), "note"};
  }
  report_progress(options.progress, "Searching memory for VMCOREINFO (the dump has no note)", 10);
  VMSCOPE_TRY(std::vector<VmcoreinfoCandidate> candidates,
              scan_for_vmcoreinfo(dump.memory(), CancellationToken()));
  if (candidates.empty()) {
    return Error(ErrorCode::kUnsupported,
                 options.core +
                     " carries no VMCOREINFO, and no copy of it was found in its memory (QEMU "
                     "needs -device vmcoreinfo and the guest's qemu_fw_cfg driver)",
                 {.name = "VMCOREINFO"});
  }
  std::optional<Error> first_refusal;
  for (VmcoreinfoCandidate& candidate : candidates) {
    Vmcoreinfo info = Vmcoreinfo::parse(candidate.text);
    if (!info.kernel_offset().ok() && !info.symbol("init_top_pgt").ok()) continue;
    auto debug = open_debug_info(options, info);
    if (!debug.ok()) {
      if (!first_refusal) first_refusal = debug.error();
      continue;
    }
    return KernelIdentity{std::move(info), std::move(debug).value(),
                          "memory at " + hex_u64(candidate.physical_address)};
  }
  if (first_refusal) return *first_refusal;
  return Error(ErrorCode::kUnsupported,
               options.core + " carries no VMCOREINFO note, and none of the " +
                   std::to_string(candidates.size()) +
                   " copies found in its memory names the kernel's layout",
               {.name = "VMCOREINFO"});
}

}  // namespace

Result<std::unique_ptr<KernelTarget>> KernelTarget::open(const KernelOpenOptions& options) {
  report_progress(options.progress, "Reading " + options.core, 0);
  VMSCOPE_TRY(std::unique_ptr<Dump> dump, open_dump(options.core));
  report_progress(options.progress, "Reading VMCOREINFO", 5);
  VMSCOPE_TRY(KernelIdentity identity, identify_kernel(*dump, options));
  const Vmcoreinfo& info = identity.info;
  if (!info.symbol("init_top_pgt").ok()) {
    return Error(ErrorCode::kUnsupported,
                 "unsupported architecture: VMCOREINFO has no SYMBOL(init_top_pgt) (only "
                 "x86_64 kernels are supported)",
                 {.name = "SYMBOL(init_top_pgt)"});
  }
  std::unique_ptr<debuginfo::DebugInfo> debug = std::move(identity.debug);
  report_progress(options.progress, "Finding the kernel's page tables and randomised bases", 90);
  VMSCOPE_TRY(X86_64KernelLayout layout,
              discover_x86_64_layout(dump->memory(), x86_64_inputs(info, debug.get())));
  auto translator = std::make_unique<X86_64KernelTranslator>(dump->memory(), layout);
  // Modules' debug files sit beside the vmlinux (Debian's -dbg layout) or in the debug dir.
  ModuleDebugConfig modules = kernel::linux_module_debug_config(
      options.debug_dir, debug ? debug->elf().path() : std::string(), info.osrelease().value_or(""),
      options.index);
  auto program = std::make_unique<Program>(std::move(dump), std::move(translator), std::move(debug),
                                           std::move(modules));
  return std::unique_ptr<KernelTarget>(new KernelTarget(std::move(program),
                                                        std::move(identity.info), std::move(layout),
                                                        options.core, std::move(identity.source)));
}

}  // namespace vmscope
