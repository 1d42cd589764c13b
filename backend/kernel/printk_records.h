// The kernel log as records, whichever buffer the kernel keeps them in:
//   printk_ringbuffer.h  the lockless ring buffer (`prb`, 5.10+)
//   printk_log_buf.h     the record-based `log_buf` of `struct printk_log` (3.5–5.9), and the
//                        plain byte buffer of older kernels
// read_kernel_log() picks the reader by what the kernel's DWARF has (`prb`, then
// `struct printk_log`/`struct log`, then a plain `log_buf`), never by version.
//
// A record keeps what the kernel stored: sequence number, timestamp, syslog level and
// facility, the caller (a thread id, or a CPU when logged outside task context), LOG_CONT,
// and the device dictionary (`dev_info`'s SUBSYSTEM/DEVICE, or the old dictionary's KEY=value
// pairs). A record a writer had reserved but not yet committed when the machine died is kept
// with state kReserved and no text: its bytes are not a message yet.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arch/virtual_memory.h"
#include "kernel/kernel_layouts.h"
#include "support/cancellation.h"
#include "support/error.h"
#include "support/result.h"

namespace vmscope::kernel {

enum class LogRecordState : std::uint8_t {
  kFinalized,  // complete and closed
  kCommitted,  // complete; a continuation could still have been appended
  kReserved,   // being written when the dump was taken: text not trustworthy, not reported
};
std::string_view log_record_state_name(LogRecordState state);

struct LogRecord {
  std::uint64_t seq = 0;
  std::uint64_t timestamp_ns = 0;
  std::uint8_t level = 0;
  std::uint8_t facility = 0;
  std::optional<std::uint32_t> caller_tid;
  std::optional<std::uint32_t> caller_cpu;
  bool continuation = false;  // LOG_CONT: a fragment continuing the previous record's line
  std::uint32_t flags = 0;    // raw LOG_* flags
  std::string text;
  // SUBSYSTEM/DEVICE (dev_info), or the old dictionary's pairs in their order.
  std::vector<std::pair<std::string, std::string>> context;
  LogRecordState state = LogRecordState::kFinalized;
};

// The printk caller id: bit 31 set means a CPU number, else a thread id.
void set_caller(LogRecord& record, std::uint32_t caller_id);

struct KernelLog {
  std::string source;  // "printk_ringbuffer", "printk_log", "plain log_buf"
  std::vector<LogRecord> records;
  // Records skipped, by reason ("descriptor id mismatch", "invalid text block", …).
  std::map<std::string, std::uint64_t> skipped;
  // Why records may be missing beyond the skipped ones (an unreadable page of the buffer).
  std::vector<Error> problems;
  bool partial() const { return !problems.empty() || !skipped.empty(); }
};

// The log, from whichever buffer this kernel has. Errors only when no buffer can be found or
// its header cannot be read, and on cancellation.
Result<KernelLog> read_kernel_log(const VirtualMemory& memory, const KernelLayouts& layouts,
                                  const CancellationToken& cancel);

// The panic message as crash's `sys` finds it: the first record (in crash's order of
// severity: "SysRq : Crash", …, "Kernel panic - ", "Kernel BUG at", …, "Oops: ") whose text
// contains one of the markers. The whole record text ("Kernel panic - not syncing: …").
std::optional<std::string> find_panic_message(const KernelLog& log);
// The part after "Kernel panic - not syncing: " when the text has it (drgn's panic message).
std::string panic_reason(std::string_view panic_message);

}  // namespace vmscope::kernel
