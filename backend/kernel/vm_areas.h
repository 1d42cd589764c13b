// A task's memory map, as crash's `vm <pid>` lists it: the mm_struct, its page directory, and
// each vm_area_struct with start, end, flags and the mapped file's path. (RSS and total_vm,
// crash's header numbers, are in tasks.h's Task.)
//
// Where the VMAs are is detected from DWARF: mm_struct.mm_mt, a maple tree (6.1+; walked by
// program/maple_tree_walker.h), or the older mm_struct.mmap chain of vm_next. Both walks are
// bounded, loop-detecting and cancellable; a VMA whose file path cannot be built is listed
// with the reason in `problems`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "kernel/kernel_layouts.h"
#include "kernel/vfs_path.h"
#include "program/maple_tree_walker.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct VmAreaLayout {
  VfsPathLayout path;
  std::uint64_t task_mm = 0;
  std::uint64_t mm_pgd = 0;
  std::optional<std::uint64_t> mm_mt;  // maple tree (6.1+)
  MapleTreeLayout maple;
  std::optional<std::uint64_t> mm_mmap;  // older: first VMA, chained by vm_next
  std::uint64_t vm_next = 0;
  std::uint64_t vm_start = 0, vm_end = 0, vm_flags = 0, vm_file = 0;
  std::uint64_t file_path = 0, path_mnt = 0, path_dentry = 0;

  static Result<VmAreaLayout> resolve(const debuginfo::DebugInfo& debug);
};

struct VmArea {
  std::uint64_t vma = 0;
  std::uint64_t start = 0, end = 0;
  std::uint64_t flags = 0;
  std::uint64_t file = 0;  // struct file, 0 for anonymous memory
  std::string path;        // empty for anonymous memory
};

struct VmAreas {
  std::uint64_t task = 0;
  std::uint64_t mm = 0;  // 0 for a kernel thread (no areas)
  std::uint64_t pgd = 0;
  std::vector<VmArea> areas;  // by address
  std::vector<Error> problems;
  bool partial() const { return !problems.empty(); }
};

Result<VmAreas> list_vm_areas(const VirtualMemory& memory, const KernelLayouts& layouts,
                              std::uint64_t task, const CancellationToken& cancel);

}  // namespace vmscope::kernel
