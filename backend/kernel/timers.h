// Pending timer-wheel timers, as crash's `timer` lists them: for each CPU and each of its
// timer bases (the per-CPU array `timer_bases[NR_BASES]`; its length from DWARF), every
// struct timer_list hanging on the base's wheel (vectors[], hlists of timer_list.entry),
// sorted by expiry, with its callback. jiffies is read too, so callers can show "time to
// expire" as crash's TTE column does.
//
// Bounded and cancellable; a broken wheel bucket costs only its own timers, with the reason
// in `problems`. hrtimers (crash's `timer -r`) are not listed here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "kernel/kernel_layouts.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct PendingTimer {
  std::uint64_t timer = 0;  // struct timer_list
  std::uint64_t expires = 0;
  std::uint64_t function = 0;
  std::string function_name;  // symbol, empty when unknown
};

struct TimerBase {
  std::uint32_t cpu = 0;
  std::uint32_t index = 0;  // 0: BASE_STD, 1: BASE_DEF (NO_HZ_COMMON), …
  std::uint64_t address = 0;
  std::vector<PendingTimer> timers;  // by expiry
};

struct TimerWheel {
  std::uint64_t jiffies = 0;
  std::vector<TimerBase> bases;  // by CPU, then base index
  std::vector<Error> problems;
  bool partial() const { return !problems.empty(); }
};

Result<TimerWheel> list_timers(const VirtualMemory& memory, const KernelLayouts& layouts,
                               const CancellationToken& cancel);

}  // namespace vmscope::kernel
