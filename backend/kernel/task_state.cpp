#include "kernel/task_state.h"

#include <bit>

namespace vmscope::kernel {
namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// Bit of task_state_array entry / stat_nam letter `index`: entry 0 is TASK_RUNNING (0).
std::uint64_t bit_at(std::size_t index) {
  return index == 0 || index > 63 ? 0 : std::uint64_t{1} << (index - 1);
}

// Fills the states that task_state_array does not report, from the kernel's fixed ordering
// after the last reported one (see the header).
void infer_unreported(TaskStateBits& bits) {
  if (bits.parked != 0 && bits.wakekill == 0) {
    bits.task_dead = bits.parked << 1;
    bits.wakekill = bits.parked << 2;
    bits.waking = bits.parked << 3;
    bits.noload = bits.parked << 4;
    bits.new_task = bits.parked << 5;
  } else if (bits.parked == 0 && bits.wakekill == 0 && bits.task_dead == 0 &&
             (bits.exit_dead | bits.exit_zombie) != 0) {
    // 2.6.32 … 4.13 reported the exit states last (in either order); TASK_DEAD, TASK_WAKEKILL
    // and TASK_WAKING come right after the higher one.
    const std::uint64_t last = std::bit_floor(bits.exit_dead | bits.exit_zombie);
    bits.task_dead = last << 1;
    bits.wakekill = last << 2;
    bits.waking = last << 3;
  }
}

}  // namespace

TaskStateBits TaskStateBits::from_task_state_array(std::span<const std::string> entries) {
  TaskStateBits bits;
  bits.report_letters.clear();
  std::size_t last_reported = 0;
  bool dead_seen = false;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string& e = entries[i];
    bits.report_letters.push_back(e.empty() ? '?' : e[0]);
    const std::uint64_t bit = bit_at(i);
    bool state_bit = true;
    if (contains(e, "(running)")) {
    } else if (contains(e, "(sleeping)")) {
      bits.interruptible = bit;
    } else if (contains(e, "(disk sleep)")) {
      bits.uninterruptible = bit;
    } else if (contains(e, "(stopped)")) {
      bits.stopped = bit;
    } else if (contains(e, "(tracing stop)")) {
      bits.traced |= bit;
    } else if (contains(e, "(zombie)")) {
      bits.exit_zombie = bit;
    } else if (contains(e, "(dead)")) {
      // 3.x listed EXIT_DEAD "X (dead)" and then TASK_DEAD "x (dead)".
      if (dead_seen) {
        bits.task_dead |= bit;
      } else {
        bits.exit_dead = bit;
      }
      dead_seen = true;
    } else if (contains(e, "(wakekill)")) {
      bits.wakekill = bit;
    } else if (contains(e, "(waking)")) {
      bits.waking = bit;
    } else if (contains(e, "(parked)")) {
      bits.parked = bit;
    } else if (contains(e, "(swapping)")) {
      bits.swapping = bit;
    } else {
      state_bit = false;  // "I (idle)": TASK_REPORT_IDLE, a report index, not a state bit
    }
    if (state_bit) last_reported = i;
  }
  bits.report_mask = last_reported == 0 ? 0 : (std::uint64_t{1} << last_reported) - 1;
  infer_unreported(bits);
  return bits;
}

TaskStateBits TaskStateBits::from_stat_nam(std::string_view letters) {
  TaskStateBits bits;
  bits.report_letters = std::string(letters);
  for (std::size_t i = 0; i < letters.size(); ++i) {
    const std::uint64_t bit = bit_at(i);
    switch (letters[i]) {
      case 'S': bits.interruptible = bit; break;
      case 'D': bits.uninterruptible = bit; break;
      case 'T': bits.stopped = bit; break;
      case 't': bits.traced = bit; break;
      case 'X': bits.exit_dead |= bit; break;
      case 'x': bits.task_dead |= bit; break;
      case 'Z': bits.exit_zombie = bit; break;
      case 'K': bits.wakekill = bit; break;
      case 'W': bits.waking = bit; break;
      case 'P': bits.parked = bit; break;
      case 'N': bits.noload = bit; break;
      case 'n': bits.new_task = bit; break;
      default: break;
    }
  }
  bits.report_mask = letters.size() <= 1 ? 0 : (std::uint64_t{1} << (letters.size() - 1)) - 1;
  return bits;
}

TaskStateBits TaskStateBits::legacy() {
  TaskStateBits bits;
  bits.interruptible = 1;
  bits.uninterruptible = 2;
  bits.exit_zombie = 4;
  bits.stopped = 8;
  bits.swapping = 16;
  bits.exclusive = 32;
  bits.report_letters = "RSDZTW";
  bits.report_mask = 31;
  return bits;
}

std::string crash_task_state(const TaskStateBits& bits, std::uint64_t state,
                             std::uint64_t exit_state) {
  std::uint64_t s = state | exit_state;
  const bool exclusive = (s & bits.exclusive) != 0;
  s &= ~bits.exclusive;
  const std::uint64_t dead = bits.exit_dead | bits.task_dead;

  // Later matches overwrite earlier ones, as in crash.
  std::string code = "??";
  bool valid = false, set = false;
  auto match = [&](const char* c, bool counts_as_set) {
    code = c;
    valid = true;
    set = set || counts_as_set;
  };
  if (s == 0) match("RU", false);
  if (s & bits.interruptible) match("IN", true);
  if (s & bits.uninterruptible) match(bits.noload != 0 && (s & bits.noload) ? "ID" : "UN", true);
  if (s & bits.exit_zombie) match("ZO", true);
  if (s & bits.stopped) match("ST", true);
  if (s & bits.traced) match("TR", true);
  if (bits.swapping != 0 && s == bits.swapping) match("SW", true);
  if ((s & dead) && !set) match("DE", true);
  if (bits.parked != 0 && s == bits.parked) match("PA", false);
  if (bits.waking != 0 && s == bits.waking) match("WA", false);
  if (bits.new_task != 0 && s == bits.new_task) match("NE", false);
  if (valid && exclusive) code += "EX";
  return code;
}

char ps_task_state(const TaskStateBits& bits, std::uint64_t state, std::uint64_t exit_state) {
  std::uint64_t reported = (state | exit_state) & bits.report_mask;
  std::size_t index = static_cast<std::size_t>(std::bit_width(reported));
  const std::uint64_t idle = bits.uninterruptible | bits.noload;
  if (bits.noload != 0 && (state & idle) == idle) {
    // TASK_IDLE is reported at the index after the last real state, when the kernel has it.
    const std::size_t idle_index = static_cast<std::size_t>(std::bit_width(bits.report_mask)) + 1;
    if (idle_index < bits.report_letters.size()) index = idle_index;
  }
  return index < bits.report_letters.size() ? bits.report_letters[index] : '?';
}

}  // namespace vmscope::kernel
