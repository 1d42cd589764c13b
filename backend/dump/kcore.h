// /proc/kcore: the running kernel's memory as an ELF core file (read-only, root only).
//
// It is ELF like a vmcore but describes memory by *virtual* address: one PT_LOAD per kcore
// list entry (fs/proc/kcore.c), p_vaddr the kernel virtual address. Its p_paddr is the
// physical address only for KCORE_RAM (direct map of System RAM) and KCORE_TEXT (kernel
// image) entries; vmalloc, vmemmap, module and other entries carry p_paddr = ~0 (-1). Kernels
// older than that change wrote p_paddr = 0 everywhere. What fits PhysicalMemory is therefore
// the RAM and text segments, by p_paddr; vmalloc'd and module memory is only reachable through
// page tables (arch/), which point into RAM. Reading a RAM page the kernel does not consider
// readable (offline, poisoned, not "System RAM") returns zeros from the kernel itself.
//
// Notes: the VMCOREINFO note (kernels with it) is kept. The NT_PRSTATUS note of kcore is all
// zeros (no CPU stopped anywhere) and its NT_TASKSTRUCT holds the reader's own task_struct,
// not a panic task, so both are dropped. Memory changes while it is read: overlapping
// segments (text inside RAM) are not compared, and two reads of one address may differ.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dump/dump.h"
#include "dump/elf_vmcore.h"
#include "dump/random_access_file.h"
#include "support/result.h"

namespace vmscope {

// True when the program headers look like /proc/kcore's (a PT_LOAD with p_paddr = ~0, or
// several PT_LOADs all at p_paddr 0) rather than a vmcore's.
bool looks_like_kcore(const ElfCoreHeader& header);

// True when `dump` is a running kernel's memory (/proc/kcore) rather than a crash dump: there
// is no crash to find (no crashed task, no panic), and its memory changes while it is read.
bool is_live_kernel(const Dump& dump);

class Kcore final : public Dump {
 public:
  static Result<std::unique_ptr<Kcore>> open(std::unique_ptr<RandomAccessFile> file);
  static Result<std::unique_ptr<Kcore>> open(std::unique_ptr<RandomAccessFile> file,
                                             ElfCoreHeader header);

  const PhysicalMemory& memory() const override { return *memory_; }
  const DumpNotes& notes() const override { return notes_; }
  std::string format_name() const override { return "kcore"; }

  const std::vector<ElfSegment>& segments() const { return header_.segments; }
  const std::vector<Error>& problems() const override { return problems_; }

 private:
  Kcore() = default;

  std::unique_ptr<RandomAccessFile> file_;
  ElfCoreHeader header_;
  std::unique_ptr<ElfSegmentMemory> memory_;  // refers to *file_
  DumpNotes notes_;
  std::vector<Error> problems_;
};

}  // namespace vmscope
