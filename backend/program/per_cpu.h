// Per-CPU variables: the kernel keeps one copy of each per CPU, and the debug info gives a
// per-CPU variable's "address" as an offset into a CPU's per-CPU area. CPU n's copy is at
// __per_cpu_offset[n] + that offset (the kernel's per_cpu_ptr()). The offsets are read from the
// dump's own `__per_cpu_offset` array, found by name; its DWARF length bounds `cpu`. A kernel
// without that array (uniprocessor, CONFIG_SMP=n) has a single copy at the variable itself,
// so only CPU 0 exists there.
#pragma once

#include <cstdint>

#include "arch/virtual_memory.h"
#include "program/name_lookup.h"
#include "program/object.h"
#include "support/result.h"

namespace vmscope {

// __per_cpu_offset[cpu]. kInvalidArgument for a CPU beyond the array, kNotFound for CPUs other
// than 0 on a kernel without per-CPU areas.
Result<std::uint64_t> per_cpu_offset(const VirtualMemory& memory, const NameLookup& names,
                                     std::uint64_t cpu);

// per_cpu(var, cpu): CPU `cpu`'s copy of the per-CPU variable `variable` (a reference object),
// as a reference object of the same type.
Result<Object> per_cpu_object(const Object& variable, std::uint64_t cpu, const NameLookup& names);

// per_cpu_ptr(ptr, cpu): a per-CPU pointer (from alloc_percpu, or &var) moved to CPU `cpu`'s
// copy; the result has the pointer's type.
Result<Object> per_cpu_pointer(const Object& pointer, std::uint64_t cpu, const NameLookup& names);

}  // namespace vmscope
