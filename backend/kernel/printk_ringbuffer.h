// The lockless printk ring buffer (kernel/printk/printk_ringbuffer.h, 5.10+), read from a dump.
//
// `prb` points to a struct printk_ringbuffer: a descriptor ring (2^count_bits `struct
// prb_desc`, each with a state word and the logical positions of its text block, plus a
// parallel array of `struct printk_info`: seq, timestamp, level, caller, dev_info) and a text
// data ring (2^size_bits bytes of blocks, each starting with the id of the descriptor owning
// it). Records live between tail_id and head_id.
//
// A descriptor's state word holds its id in the low bits and its state in the top two
// (DESC_FLAGS_SHIFT = bits of the word - 2, the documented layout); the state values come from
// DWARF's `enum desc_state` (desc_reserved, desc_committed, desc_finalized, desc_reusable) and
// LOG_CONT from `enum printk_info_flags`.
//
// What the reader trusts, following the kernel's own reader (get_data(), desc_read()):
//   * a descriptor whose id is not the one expected at that slot (it was recycled, or the
//     word is torn) is skipped: "descriptor id mismatch";
//   * reusable descriptors (freed for reuse, or the ring's initial dummy) are not records and
//     are passed over; reserved ones are reported with state kReserved and no text;
//   * a text block is used only if its logical positions are legal (same wrap with begin <
//     next, or a block wrapped to the start of the ring), aligned, long enough, and its first
//     word names the same descriptor id; otherwise "invalid text block" / "text block id
//     mismatch";
//   * unreadable pages of the arrays skip the records on them ("unreadable descriptor",
//     "unreadable text") and add a problem naming the page.
#pragma once

#include <cstdint>
#include <optional>

#include "arch/virtual_memory.h"
#include "debuginfo/debug_info.h"
#include "kernel/kernel_layouts.h"
#include "kernel/printk_records.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct PrintkRingbufferLayout {
  std::uint64_t prb = 0;  // address of the `prb` pointer variable
  // struct printk_ringbuffer (offsets from its start)
  Field count_bits, descs, infos, head_id, tail_id;  // desc_ring.*
  Field size_bits, data;                             // text_data_ring.*
  ByteSpan ringbuffer_span;
  // struct prb_desc
  std::uint64_t desc_size = 0;
  Field state_var, text_begin, text_next;
  // struct printk_info
  std::uint64_t info_size = 0;
  Field seq, ts_nsec, text_len, facility, flags, level, caller_id, subsystem, device;
  // enum desc_state and LOG_CONT
  std::uint64_t desc_reserved = 0, desc_committed = 1, desc_finalized = 2, desc_reusable = 3;
  std::uint32_t log_cont = 8;

  // kNotFound when the kernel has no `prb` (it keeps an older log buffer).
  static Result<PrintkRingbufferLayout> resolve(const debuginfo::DebugInfo& debug);
};

Result<KernelLog> read_printk_ringbuffer(const VirtualMemory& memory,
                                         const PrintkRingbufferLayout& layout,
                                         const CancellationToken& cancel);

}  // namespace vmscope::kernel
