// The kernel log of kernels before the lockless ring buffer:
//
//  * record-based (3.5–5.9): `log_buf` holds variable-length records, each a `struct
//    printk_log` (`struct log` before 3.11) followed by its text and its dictionary
//    ("KEY=value\0KEY=value"), padded to the header's alignment. Records run from
//    log_first_idx (sequence number log_first_seq) to log_next_idx; a header whose `len` is 0
//    marks the end of the used buffer, and the next record is at index 0. `caller_id` exists
//    with CONFIG_PRINTK_CALLER (5.1+).
//  * plain (before 3.5): `log_buf` is a byte ring of "<level>text\n" lines ending at
//    `log_end`, holding `logged_chars` bytes; timestamps, when printk.time was on, are part of
//    the text ("[    1.234567] "), and are parsed out of it.
//
// Which one is detected from DWARF: a `struct printk_log` (or `struct log`) type means records,
// else a `log_end` variable means plain bytes.
//
// Every index comes from the dump and is checked against the buffer: a header whose length is
// shorter than a header, runs past the buffer or wraps twice ends the walk, with a problem
// saying where; records already read are kept.
#pragma once

#include <cstdint>
#include <optional>

#include "arch/virtual_memory.h"
#include "debuginfo/debug_info.h"
#include "debuginfo/type.h"
#include "kernel/kernel_layouts.h"
#include "kernel/printk_records.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct PrintkLogBufLayout {
  enum class Kind : std::uint8_t { kRecords, kPlain };
  Kind kind = Kind::kRecords;
  // Addresses of the variables (printk.c).
  std::uint64_t log_buf = 0;      // char *log_buf
  std::uint64_t log_buf_len = 0;  // u32/int log_buf_len
  // kRecords
  std::uint64_t log_first_idx = 0, log_next_idx = 0;  // u32
  std::uint64_t log_first_seq = 0, log_next_seq = 0;  // u64
  std::uint64_t header_size = 0;
  std::uint64_t align = 8;
  Field ts_nsec, len, text_len, dict_len, facility, flags, level, caller_id;  // caller_id optional
  std::uint32_t log_cont = 8;
  // kPlain
  std::uint64_t log_end = 0;       // unsigned log_end
  std::uint64_t logged_chars = 0;  // unsigned logged_chars

  // The record header's fields from `struct printk_log` (or `struct log`); used by resolve()
  // and by tests that build the type by hand.
  static Result<PrintkLogBufLayout> from_record_type(const debuginfo::QualifiedType& record);
  static Result<PrintkLogBufLayout> resolve(const debuginfo::DebugInfo& debug);
};

Result<KernelLog> read_printk_log_buf(const VirtualMemory& memory, const PrintkLogBufLayout& layout,
                                      const CancellationToken& cancel);

}  // namespace vmscope::kernel
