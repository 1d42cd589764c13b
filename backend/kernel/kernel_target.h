// Opening a Linux kernel dump as a Program: the dump file (any format, dump/open_dump.h), its
// VMCOREINFO, and the architecture's kernel layout built from it.
//
// The architecture is detected from what VMCOREINFO carries (x86_64 writes
// SYMBOL(init_top_pgt) and NUMBER(phys_base)), never from a kernel version. A dump whose writer
// left VMCOREINFO out (QEMU without -device vmcoreinfo, hypervisor dumps) is opened from the
// kernel's own copy found in its memory (dump/vmcoreinfo_scan.h): among several copies, the
// first whose BUILD-ID the vmlinux accepts. vmcoreinfo_source() says which was used.
//
// Debug info is optional: with a vmlinux (given, or found by build-id in a debug directory) the
// Program has types and symbols, and the layout learns the randomised region bases from the
// kernel's variables. A vmlinux whose build-id differs from the dump's VMCOREINFO BUILD-ID is
// refused: every answer from it would be silently wrong.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "arch/x86_64_kernel_layout.h"
#include "debuginfo/debug_info.h"
#include "dump/vmcoreinfo.h"
#include "program/program.h"
#include "support/progress.h"
#include "support/result.h"

namespace vmscope {

struct KernelOpenOptions {
  std::string core;                   // the dump file
  std::string vmlinux;                // optional: the vmlinux with DWARF
  std::string debug_dir;              // optional: where to find the vmlinux by build-id / release
  debuginfo::IndexOpenOptions index;  // DWARF index cache settings
  // Told of each step of the open (dump headers, VMCOREINFO, DWARF index, layout).
  ProgressFunction progress;
};

class KernelTarget {
 public:
  static Result<std::unique_ptr<KernelTarget>> open(const KernelOpenOptions& options);

  const Program& program() const { return *program_; }
  const Vmcoreinfo& vmcoreinfo() const { return vmcoreinfo_; }
  const X86_64KernelLayout& layout() const { return layout_; }
  const std::string& core_path() const { return core_path_; }
  // "note" (the dump's VMCOREINFO note or header block), or "memory at 0x…" (found by a scan of
  // physical memory because the dump had none).
  const std::string& vmcoreinfo_source() const { return vmcoreinfo_source_; }

 private:
  KernelTarget(std::unique_ptr<Program> program, Vmcoreinfo vmcoreinfo, X86_64KernelLayout layout,
               std::string core_path, std::string vmcoreinfo_source)
      : program_(std::move(program)),
        vmcoreinfo_(std::move(vmcoreinfo)),
        layout_(std::move(layout)),
        core_path_(std::move(core_path)),
        vmcoreinfo_source_(std::move(vmcoreinfo_source)) {}

  std::unique_ptr<Program> program_;
  Vmcoreinfo vmcoreinfo_;
  X86_64KernelLayout layout_;
  std::string core_path_;
  std::string vmcoreinfo_source_;
};

}  // namespace vmscope
