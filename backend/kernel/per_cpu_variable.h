// A per-CPU variable looked up by name, for every possible CPU (crash's `p <name>:a`, drgn's
// per_cpu_ptr() over for_each_possible_cpu): where each CPU's copy lives and its type.
// Reading the values is the program layer's business once the address and type are known.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "arch/virtual_memory.h"
#include "debuginfo/type.h"
#include "kernel/kernel_layouts.h"
#include "support/result.h"

namespace vmscope::kernel {

struct PerCpuCopy {
  std::uint32_t cpu = 0;
  std::uint64_t address = 0;
};

struct PerCpuVariable {
  std::string name;
  debuginfo::QualifiedType type;
  std::uint64_t link_address = 0;  // the variable's address in the .data..percpu section
  std::vector<PerCpuCopy> copies;  // possible CPUs in order
  std::vector<Error> problems;     // CPUs whose copy could not be located
  bool partial() const { return !problems.empty(); }
};

// kNotFound for an unknown name. Any variable can be asked for; it is the caller's job to ask
// for per-CPU ones (a non-per-CPU name gives meaningless addresses, as in the kernel).
Result<PerCpuVariable> find_per_cpu_variable(const VirtualMemory& memory,
                                             const KernelLayouts& layouts, std::string_view name);

}  // namespace vmscope::kernel
