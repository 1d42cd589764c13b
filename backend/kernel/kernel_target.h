// Opening a Linux kernel dump as a Program: the dump file (any format, dump/open_dump.h), its
// VMCOREINFO, and the architecture's kernel layout built from it.
//
// The architecture is detected from what VMCOREINFO carries (x86_64 writes
// SYMBOL(init_top_pgt) and NUMBER(phys_base)), never from a kernel version. A dump without
// VMCOREINFO cannot be opened yet (finding KASLR from the vmlinux and memory alone is future
// work) and says so.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "arch/x86_64_kernel_layout.h"
#include "dump/vmcoreinfo.h"
#include "program/program.h"
#include "support/result.h"

namespace vmscope {

struct KernelOpenOptions {
  std::string core;  // the dump file
  // Runtime (KASLR-adjusted) address of a kernel symbol, once debug info is loaded; lets the
  // layout read page_offset_base, vmalloc_base, vmemmap_base and _end from memory.
  std::function<std::optional<std::uint64_t>(std::string_view)> symbol;
};

class KernelTarget {
 public:
  static Result<std::unique_ptr<KernelTarget>> open(const KernelOpenOptions& options);

  const Program& program() const { return *program_; }
  const Vmcoreinfo& vmcoreinfo() const { return vmcoreinfo_; }
  const X86_64KernelLayout& layout() const { return layout_; }
  const std::string& core_path() const { return core_path_; }

 private:
  KernelTarget(std::unique_ptr<Program> program, Vmcoreinfo vmcoreinfo, X86_64KernelLayout layout,
               std::string core_path)
      : program_(std::move(program)),
        vmcoreinfo_(std::move(vmcoreinfo)),
        layout_(std::move(layout)),
        core_path_(std::move(core_path)) {}

  std::unique_ptr<Program> program_;
  Vmcoreinfo vmcoreinfo_;
  X86_64KernelLayout layout_;
  std::string core_path_;
};

}  // namespace vmscope
