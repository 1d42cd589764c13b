// A Program: one debugging target seen generically (drgn's Program) — a dump's memory, the
// virtual address space of its kernel, and (as debuginfo lands) its types and symbols. It does
// not know the target is Linux: kernel/ builds it from Linux facts (VMCOREINFO, KASLR).
//
// Owns everything it refers to; immutable after construction and safe to share between the
// threads of a server.
#pragma once

#include <memory>
#include <string_view>

#include "arch/translation.h"
#include "arch/virtual_memory.h"
#include "debuginfo/debug_info.h"
#include "dump/dump.h"

namespace vmscope {

class Program {
 public:
  // `debug_info` may be null: memory is still readable, names and types are not.
  Program(std::unique_ptr<Dump> dump, std::unique_ptr<AddressTranslator> translator,
          std::unique_ptr<const debuginfo::DebugInfo> debug_info)
      : dump_(std::move(dump)),
        translator_(std::move(translator)),
        debug_info_(std::move(debug_info)),
        memory_(dump_->memory(), *translator_) {}
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

 private:
  std::unique_ptr<Dump> dump_;
  std::unique_ptr<AddressTranslator> translator_;
  std::unique_ptr<const debuginfo::DebugInfo> debug_info_;
  VirtualMemory memory_;
};

}  // namespace vmscope
