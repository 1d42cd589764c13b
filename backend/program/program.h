// A Program: one debugging target seen generically (drgn's Program) — a dump's memory, the
// virtual address space of its kernel, and (as debuginfo lands) its types and symbols. It does
// not know the target is Linux: kernel/ builds it from Linux facts (VMCOREINFO, KASLR).
//
// Owns everything it refers to; immutable after construction and safe to share between the
// threads of a server.
#pragma once

#include <memory>

#include "arch/translation.h"
#include "arch/virtual_memory.h"
#include "dump/dump.h"

namespace vmscope {

class Program {
 public:
  Program(std::unique_ptr<Dump> dump, std::unique_ptr<AddressTranslator> translator)
      : dump_(std::move(dump)),
        translator_(std::move(translator)),
        memory_(dump_->memory(), *translator_) {}
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  const Dump& dump() const { return *dump_; }
  const PhysicalMemory& physical() const { return dump_->memory(); }
  // The kernel's virtual address space.
  const AddressTranslator& translator() const { return *translator_; }
  const VirtualMemory& memory() const { return memory_; }

 private:
  std::unique_ptr<Dump> dump_;
  std::unique_ptr<AddressTranslator> translator_;
  VirtualMemory memory_;
};

}  // namespace vmscope
