// A Program: one debugging target seen generically (drgn's Program) — a dump's memory, the
// virtual address space of its kernel, and (as debuginfo lands) its types and symbols. It does
// not know the target is Linux: kernel/ builds it from Linux facts (VMCOREINFO, KASLR).
//
// Owns everything it refers to; immutable after construction (the kernel's in-memory symbol
// tables are read once, on first use) and safe to share between the threads of a server.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "arch/translation.h"
#include "arch/virtual_memory.h"
#include "debuginfo/debug_info.h"
#include "dump/dump.h"
#include "program/kernel_symbols.h"
#include "program/module_debug.h"

namespace vmscope {

class Program {
 public:
  // `debug_info` may be null: memory is still readable, names and types are not.
  // `modules`: how to list the loaded modules and find their debug files (none by default).
  Program(std::unique_ptr<Dump> dump, std::unique_ptr<AddressTranslator> translator,
          std::unique_ptr<const debuginfo::DebugInfo> debug_info, ModuleDebugConfig modules = {})
      : dump_(std::move(dump)),
        translator_(std::move(translator)),
        debug_info_(std::move(debug_info)),
        memory_(dump_->memory(), *translator_),
        module_debug_(memory_, debug_info_.get(), std::move(modules)) {}
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  const Dump& dump() const { return *dump_; }
  const PhysicalMemory& physical() const { return dump_->memory(); }
  // The kernel's virtual address space.
  const AddressTranslator& translator() const { return *translator_; }
  const VirtualMemory& memory() const { return memory_; }
  // Null when the target was opened without a vmlinux.
  const debuginfo::DebugInfo* debug_info() const { return debug_info_.get(); }
  // The debug info, or a kNotFound error saying that a vmlinux is needed for `what`.
  Result<const debuginfo::DebugInfo*> require_debug_info(std::string_view what) const;
  // The kernel's own symbols read from memory (kallsyms and the loaded modules' symtabs),
  // built on first use. The tables are found through the dump's VMCOREINFO (SYMBOL(kallsyms_*))
  // and else the vmlinux's .symtab; module symbols need the vmlinux's DWARF. A failure is kept
  // and returned again.
  Result<const KernelSymbols*> kernel_symbols() const;
  // The loaded modules' debug info, each loaded on first use (module_debug.h).
  const ModuleDebugInfos& module_debug() const { return module_debug_; }

 private:
  std::unique_ptr<Dump> dump_;
  std::unique_ptr<AddressTranslator> translator_;
  std::unique_ptr<const debuginfo::DebugInfo> debug_info_;
  VirtualMemory memory_;
  ModuleDebugInfos module_debug_;
  mutable std::once_flag kernel_symbols_once_;
  mutable std::unique_ptr<KernelSymbols> kernel_symbols_;
  mutable std::optional<Error> kernel_symbols_error_;
};

}  // namespace vmscope
