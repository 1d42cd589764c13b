// Task states: what the bits of task_struct.__state (or .state) and .exit_state mean in this
// kernel, and how ps and crash print them.
//
// The TASK_* values are #defines, absent from DWARF, and they moved over the years (TASK_PARKED
// was 512 before 4.14 and 64 after; TASK_NOLOAD appeared in 4.2). The kernel itself carries
// the answer in memory: `task_state_array` (fs/proc/array.c: "R (running)", "S (sleeping)",
// …) lists the reported states in bit order — entry i is bit 1 << (i - 1) — and, from 2.6.33
// to 4.13, `stat_nam` ("RSDTtXZxKWPNn") spelled every state bit as a letter. The bits that are
// not reported follow a fixed order after the last reported one: when "P (parked)" is
// reported (4.14+), TASK_DEAD, TASK_WAKEKILL, TASK_WAKING, TASK_NOLOAD and TASK_NEW are the
// next five bits; before that, when the exit states were reported last, TASK_DEAD,
// TASK_WAKEKILL and TASK_WAKING follow the higher of them. That is the kernel's own ordering,
// read from its data, not a version check.
//
// crash's two-letter codes (RU IN UN ZO ST TR DE SW PA WA ID NE, with EX appended for the
// ancient TASK_EXCLUSIVE) follow crash's precedence: later tests overwrite earlier ones, so an
// uninterruptible task with TASK_NOLOAD is ID, a stopped zombie is ST. The one-letter code is
// /proc's and ps's (and drgn's task_state_to_char): the highest reported bit, with I for
// TASK_IDLE.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vmscope::kernel {

struct TaskStateBits {
  // 0 means "this kernel has no such state". running is the value 0, not a bit.
  std::uint64_t interruptible = 0, uninterruptible = 0, stopped = 0, traced = 0;
  std::uint64_t exit_dead = 0, exit_zombie = 0, task_dead = 0;
  std::uint64_t parked = 0, wakekill = 0, waking = 0, noload = 0, new_task = 0;
  std::uint64_t swapping = 0, exclusive = 0;  // 2.4-era states
  // ps letters of the reported states in bit order ("RSDTtXZPI"): letter i is reported for
  // the highest set bit i - 1 of (state | exit_state) & report_mask.
  std::string report_letters = "RSDTZW";
  std::uint64_t report_mask = 0;

  // From the strings of task_state_array[] in order.
  static TaskStateBits from_task_state_array(std::span<const std::string> entries);
  // From stat_nam's letters ("RSDTtZXxKWPNn").
  static TaskStateBits from_stat_nam(std::string_view letters);
  // A 2.4/early 2.6 kernel with neither array.
  static TaskStateBits legacy();
};

// crash's `ps` code for a task ("RU", "IN", "UN", "ID", "ZO", …; "??" when nothing matches).
std::string crash_task_state(const TaskStateBits& bits, std::uint64_t state,
                             std::uint64_t exit_state);

// The ps / /proc/<pid>/stat letter ('R', 'S', 'D', 'I', 'Z', …; '?' when unknown).
char ps_task_state(const TaskStateBits& bits, std::uint64_t state, std::uint64_t exit_state);

}  // namespace vmscope::kernel
