#include "kernel/timers.h"

#include <algorithm>

#include "debuginfo/type_layout.h"
#include "kernel/per_cpu.h"
#include "program/hlist_walker.h"
#include "program/name_lookup.h"
#include "program/walk.h"
#include "support/hex.h"

namespace vmscope::kernel {
namespace {

constexpr std::size_t kMaxTimersPerBucket = std::size_t{1} << 20;

// Length and element size of an array type; nullopt for anything else.
std::optional<std::pair<std::uint64_t, std::uint64_t>> array_shape(
    const debuginfo::QualifiedType& type) {
  const debuginfo::Type& array = type->underlying();
  if (array.kind() != debuginfo::TypeKind::kArray || !array.length()) return std::nullopt;
  auto size = debuginfo::sizeof_type(array.target());
  if (!size.ok()) return std::nullopt;
  return std::pair{*array.length(), *size};
}

}  // namespace

Result<TimerWheel> list_timers(const VirtualMemory& memory, const KernelLayouts& layouts,
                               const CancellationToken& cancel) {
  const debuginfo::DebugInfo& debug = layouts.debug();
  const DebugInfoLookup names(debug);
  VMSCOPE_CHECK(cancel.check());
  VMSCOPE_TRY(debuginfo::Variable bases, debug.find_variable("timer_bases"));
  auto base_shape = array_shape(bases.type);
  if (!base_shape) {
    return Error(ErrorCode::kUnsupported, "timer_bases is not a sized array",
                 {.name = "timer_bases"});
  }
  VMSCOPE_TRY(FieldResolver base, FieldResolver::find(debug, "struct timer_base"));
  VMSCOPE_TRY(Field vectors, base.required("vectors"));
  VMSCOPE_TRY(debuginfo::QualifiedType vectors_type, base.member_type("vectors"));
  auto bucket_shape = array_shape(vectors_type);
  if (!bucket_shape) {
    return Error(ErrorCode::kUnsupported, "timer_base.vectors is not a sized array",
                 {.name = "timer_base.vectors"});
  }
  VMSCOPE_TRY(HlistLayout hlist, hlist_layout(names, "struct timer_list", "entry"));
  VMSCOPE_TRY(std::uint64_t expires, member_offset(names, "struct timer_list", "expires"));
  VMSCOPE_TRY(std::uint64_t function, member_offset(names, "struct timer_list", "function"));
  VMSCOPE_TRY(debuginfo::Variable jiffies, debug.find_variable("jiffies"));
  VMSCOPE_TRY(const PerCpuLayout* per_cpu, layouts.per_cpu());
  VMSCOPE_TRY(CpuInfo cpus, read_cpu_info(memory, *per_cpu));

  TimerWheel out;
  VMSCOPE_TRY(out.jiffies, memory.read_u64(jiffies.address));
  for (std::uint32_t cpu : cpus.possible_cpus()) {
    auto first = cpus.address(bases.address, cpu);
    if (!first.ok()) {
      out.problems.push_back(
          first.error().with_context("locating timer_bases of CPU " + std::to_string(cpu)));
      continue;
    }
    for (std::uint32_t index = 0; index < base_shape->first; ++index) {
      TimerBase tb{.cpu = cpu, .index = index, .address = *first + index * base_shape->second};
      for (std::uint64_t bucket = 0; bucket < bucket_shape->first; ++bucket) {
        VMSCOPE_CHECK(cancel.check());
        const std::uint64_t head = tb.address + vectors.offset + bucket * bucket_shape->second;
        WalkOptions options{.cancel = cancel};
        options.max_entries = kMaxTimersPerBucket;
        auto walk = walk_hlist(memory, head, hlist, options);
        if (walk.error && walk.error->code() == ErrorCode::kCancelled) return *walk.error;
        if (walk.error) {
          out.problems.push_back(walk.error->with_context("walking timer bucket " +
                                                          std::to_string(bucket) + " of base " +
                                                          hex_u64(tb.address)));
        }
        for (std::uint64_t timer : walk.entries) {
          PendingTimer t{.timer = timer};
          auto e = memory.read_u64(timer + expires);
          auto f = memory.read_u64(timer + function);
          if (!e.ok() || !f.ok()) {
            out.problems.push_back(
                (e.ok() ? f.error() : e.error()).with_context("reading timer " + hex_u64(timer)));
          } else {
            t.expires = *e;
            t.function = *f;
            if (auto symbol = debug.symbolize(*f); symbol && symbol->offset == 0) {
              t.function_name = symbol->symbol.name;
            }
          }
          tb.timers.push_back(std::move(t));
        }
      }
      std::stable_sort(
          tb.timers.begin(), tb.timers.end(),
          [](const PendingTimer& a, const PendingTimer& b) { return a.expires < b.expires; });
      out.bases.push_back(std::move(tb));
    }
  }
  return out;
}

}  // namespace vmscope::kernel
