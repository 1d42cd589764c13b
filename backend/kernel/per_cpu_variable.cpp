#include "kernel/per_cpu_variable.h"

#include "kernel/per_cpu.h"

namespace vmscope::kernel {

Result<PerCpuVariable> find_per_cpu_variable(const VirtualMemory& memory,
                                             const KernelLayouts& layouts, std::string_view name) {
  VMSCOPE_TRY(debuginfo::Variable variable, layouts.debug().find_variable(name));
  VMSCOPE_TRY(const PerCpuLayout* layout, layouts.per_cpu());
  VMSCOPE_TRY(CpuInfo cpus, read_cpu_info(memory, *layout));
  PerCpuVariable out{
      .name = std::string(name), .type = variable.type, .link_address = variable.address};
  for (std::uint32_t cpu : cpus.possible_cpus()) {
    auto address = cpus.address(variable.address, cpu);
    if (address.ok()) {
      out.copies.push_back({cpu, *address});
    } else {
      out.problems.push_back(
          address.error().with_context("locating CPU " + std::to_string(cpu) + "'s copy"));
    }
  }
  return out;
}

}  // namespace vmscope::kernel
