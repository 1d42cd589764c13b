#include "kernel/per_cpu.h"

#include <bit>

#include "debuginfo/type_layout.h"

namespace vmscope::kernel {
namespace {

// A kernel never has more CPUs than this (NR_CPUS is at most 8192 on x86_64); a larger array
// length in DWARF or a larger nr_cpu_ids in memory is corruption.
constexpr std::uint32_t kMaxCpus = 1u << 16;

std::optional<std::uint64_t> variable_address(const debuginfo::DebugInfo& debug,
                                              std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    if (auto v = debug.find_variable(name); v.ok()) return v->address;
  }
  return std::nullopt;
}

}  // namespace

bool CpuMask::contains(std::uint32_t cpu) const {
  const std::size_t word = cpu / 64;
  return word < words_.size() && ((words_[word] >> (cpu % 64)) & 1) != 0;
}

std::uint32_t CpuMask::count() const {
  std::uint32_t n = 0;
  for (std::uint64_t w : words_) n += static_cast<std::uint32_t>(std::popcount(w));
  return n;
}

std::vector<std::uint32_t> CpuMask::cpus() const {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < words_.size(); ++i) {
    for (std::uint64_t w = words_[i]; w != 0; w &= w - 1) {
      out.push_back(static_cast<std::uint32_t>(i * 64 + std::countr_zero(w)));
    }
  }
  return out;
}

Result<PerCpuLayout> PerCpuLayout::resolve(const debuginfo::DebugInfo& debug) {
  PerCpuLayout layout;
  if (auto offsets = debug.find_variable("__per_cpu_offset"); offsets.ok()) {
    layout.offsets_address = offsets->address;
    const debuginfo::Type& array = offsets->type->underlying();
    if (array.kind() != debuginfo::TypeKind::kArray || !array.length() || *array.length() == 0 ||
        *array.length() > kMaxCpus) {
      return Error(ErrorCode::kTypeError, "__per_cpu_offset is not an array of NR_CPUS offsets",
                   {.name = "__per_cpu_offset"});
    }
    layout.offsets_length = static_cast<std::uint32_t>(*array.length());
  }
  layout.possible_mask =
      variable_address(debug, {"__cpu_possible_mask", "cpu_possible_bits", "cpu_possible_map"});
  layout.present_mask =
      variable_address(debug, {"__cpu_present_mask", "cpu_present_bits", "cpu_present_map"});
  layout.online_mask =
      variable_address(debug, {"__cpu_online_mask", "cpu_online_bits", "cpu_online_map"});
  layout.active_mask =
      variable_address(debug, {"__cpu_active_mask", "cpu_active_bits", "cpu_active_map"});
  if (auto cpumask = debug.find_type("struct cpumask"); cpumask.ok()) {
    VMSCOPE_TRY(std::uint64_t bytes, debuginfo::sizeof_type(*cpumask));
    layout.mask_bytes = static_cast<std::uint32_t>(bytes);
  } else if (layout.offsets_length != 0) {
    layout.mask_bytes = (layout.offsets_length + 63) / 64 * 8;
  } else {
    layout.mask_bytes = 8;
  }
  layout.nr_cpu_ids = variable_address(debug, {"nr_cpu_ids"});
  return layout;
}

Result<std::uint64_t> CpuInfo::address(std::uint64_t variable, std::uint32_t cpu) const {
  if (offsets.empty()) return variable;  // no SMP: the variable is the only copy
  if (cpu >= offsets.size()) {
    return Error(ErrorCode::kInvalidArgument, "CPU " + std::to_string(cpu) +
                                                  " is beyond nr_cpu_ids (" +
                                                  std::to_string(offsets.size()) + ")");
  }
  return variable + offsets[cpu];
}

std::vector<std::uint32_t> CpuInfo::possible_cpus() const {
  std::vector<std::uint32_t> cpus;
  for (std::uint32_t cpu : possible.cpus()) {
    if (cpu < nr_cpu_ids) cpus.push_back(cpu);
  }
  if (cpus.empty()) cpus.push_back(0);
  return cpus;
}

Result<CpuInfo> read_cpu_info(const VirtualMemory& memory, const PerCpuLayout& layout) {
  CpuInfo info;
  auto read_mask = [&](const std::optional<std::uint64_t>& address) -> Result<CpuMask> {
    if (!address) return CpuMask();
    std::vector<std::uint64_t> words((layout.mask_bytes + 7) / 8);
    VMSCOPE_CHECK(
        memory.read(*address, std::as_writable_bytes(std::span(words)).first(layout.mask_bytes)));
    return CpuMask(std::move(words));
  };
  VMSCOPE_TRY(info.possible, read_mask(layout.possible_mask));
  VMSCOPE_TRY(info.present, read_mask(layout.present_mask));
  VMSCOPE_TRY(info.online, read_mask(layout.online_mask));
  VMSCOPE_TRY(info.active, read_mask(layout.active_mask));

  info.nr_cpu_ids = layout.offsets_length == 0 ? 1 : layout.offsets_length;
  if (layout.nr_cpu_ids) {
    VMSCOPE_TRY(std::uint32_t n, memory.read_u32(*layout.nr_cpu_ids));
    if (n == 0 || n > info.nr_cpu_ids) {
      return Error(
          ErrorCode::kCorrupt,
          "nr_cpu_ids is " + std::to_string(n) + ", outside 1.." + std::to_string(info.nr_cpu_ids),
          {.address = *layout.nr_cpu_ids, .name = "nr_cpu_ids"});
    }
    info.nr_cpu_ids = n;
  }
  if (layout.offsets_address) {
    info.offsets.resize(info.nr_cpu_ids);
    VMSCOPE_CHECK(
        memory.read(*layout.offsets_address, std::as_writable_bytes(std::span(info.offsets))));
  }
  return info;
}

}  // namespace vmscope::kernel
