#include "program/per_cpu.h"

#include <string>

#include "debuginfo/type_name.h"

namespace vmscope {

using debuginfo::TypeKind;

Result<std::uint64_t> per_cpu_offset(const VirtualMemory& memory, const NameLookup& names,
                                     std::uint64_t cpu) {
  auto offsets = names.find_variable("__per_cpu_offset");
  if (!offsets.ok()) {
    if (offsets.error().code() != ErrorCode::kNotFound) return offsets.error();
    if (cpu == 0) return 0;  // no per-CPU areas: the variable itself is CPU 0's copy
    return Error(ErrorCode::kNotFound,
                 "CPU " + std::to_string(cpu) +
                     " has no per-CPU area: the kernel has no '__per_cpu_offset' (not SMP)",
                 {.name = "__per_cpu_offset"});
  }
  Object array = Object::reference(&memory, offsets->type, offsets->address);
  const debuginfo::Type& u = array.underlying_type();
  if (u.kind() != TypeKind::kArray) {
    return Error(ErrorCode::kTypeError,
                 "'__per_cpu_offset' is a '" + debuginfo::type_name(offsets->type) +
                     "', not an array of offsets",
                 {.name = "__per_cpu_offset"});
  }
  if (u.length() && cpu >= *u.length()) {
    return Error(ErrorCode::kInvalidArgument, "CPU " + std::to_string(cpu) +
                                                  " is beyond the kernel's " +
                                                  std::to_string(*u.length()) + " possible CPUs");
  }
  VMSCOPE_TRY(Object entry, array.subscript(static_cast<std::int64_t>(cpu)));
  return entry.read_unsigned();
}

Result<Object> per_cpu_object(const Object& variable, std::uint64_t cpu, const NameLookup& names) {
  if (!variable.is_reference() || variable.bit_field_size() || !variable.memory()) {
    return Error(ErrorCode::kTypeError,
                 "per_cpu() needs a per-CPU variable (an object in memory), not a computed value "
                 "of type '" +
                     debuginfo::type_name(variable.type()) + "'");
  }
  VMSCOPE_TRY(std::uint64_t offset, per_cpu_offset(*variable.memory(), names, cpu));
  return Object::reference(variable.memory(), variable.type(), *variable.address() + offset,
                           variable.bit_offset());
}

Result<Object> per_cpu_pointer(const Object& pointer_in, std::uint64_t cpu,
                               const NameLookup& names) {
  VMSCOPE_TRY(Object pointer, pointer_in.decay());
  if (pointer.underlying_type().kind() != TypeKind::kPointer || !pointer.memory()) {
    return Error(ErrorCode::kTypeError, "per_cpu_ptr() needs a pointer, not a value of type '" +
                                            debuginfo::type_name(pointer.type()) + "'");
  }
  VMSCOPE_TRY(std::uint64_t offset, per_cpu_offset(*pointer.memory(), names, cpu));
  VMSCOPE_TRY(std::uint64_t address, pointer.read_unsigned());
  return Object::from_integer(pointer.memory(), pointer.type(), address + offset);
}

}  // namespace vmscope
