// Per-CPU data: which CPUs exist (the possible/present/online/active cpumasks) and where each
// CPU's copy of a per-CPU variable lives (`__per_cpu_offset[cpu]` added to the variable's
// link-time offset, as the kernel's per_cpu_ptr() does).
//
// The cpumask variables are found by name: `__cpu_possible_mask` & co. (4.5+), else the older
// `cpu_possible_bits`/`cpu_possible_map`. A kernel built without SMP has no
// `__per_cpu_offset`; its per-CPU variables are ordinary variables (offset 0, one CPU).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "debuginfo/debug_info.h"
#include "support/result.h"

namespace vmscope::kernel {

// A set of CPU numbers, as the kernel's struct cpumask bits.
class CpuMask {
 public:
  CpuMask() = default;
  explicit CpuMask(std::vector<std::uint64_t> words) : words_(std::move(words)) {}
  bool contains(std::uint32_t cpu) const;
  std::uint32_t count() const;
  std::vector<std::uint32_t> cpus() const;
  bool empty() const { return count() == 0; }

 private:
  std::vector<std::uint64_t> words_;
};

struct PerCpuLayout {
  // __per_cpu_offset[] and its length (NR_CPUS); nullopt on a kernel without SMP.
  std::optional<std::uint64_t> offsets_address;
  std::uint32_t offsets_length = 0;
  // Addresses of the masks (nullopt when the kernel has no such mask) and their size in bytes.
  std::optional<std::uint64_t> possible_mask, present_mask, online_mask, active_mask;
  std::uint32_t mask_bytes = 0;
  std::optional<std::uint64_t> nr_cpu_ids;  // address of `unsigned int nr_cpu_ids`

  static Result<PerCpuLayout> resolve(const debuginfo::DebugInfo& debug);
};

struct CpuInfo {
  CpuMask possible, present, online, active;
  std::uint32_t nr_cpu_ids = 1;
  std::vector<std::uint64_t> offsets;  // per-CPU area offset of CPU i, i < nr_cpu_ids

  // The address of CPU `cpu`'s copy of the per-CPU variable at link offset `variable`.
  Result<std::uint64_t> address(std::uint64_t variable, std::uint32_t cpu) const;
  // Possible CPUs, or CPU 0 alone when the kernel keeps no possible mask.
  std::vector<std::uint32_t> possible_cpus() const;
};

Result<CpuInfo> read_cpu_info(const VirtualMemory& memory, const PerCpuLayout& layout);

}  // namespace vmscope::kernel
