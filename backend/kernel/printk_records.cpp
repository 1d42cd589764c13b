#include "kernel/printk_records.h"

#include <array>

#include "kernel/printk_log_buf.h"
#include "kernel/printk_ringbuffer.h"

namespace vmscope::kernel {

std::string_view log_record_state_name(LogRecordState state) {
  switch (state) {
    case LogRecordState::kFinalized: return "finalized";
    case LogRecordState::kCommitted: return "committed";
    case LogRecordState::kReserved: return "reserved";
  }
  return "unknown";
}

void set_caller(LogRecord& record, std::uint32_t caller_id) {
  if (caller_id & 0x80000000u) {
    record.caller_cpu = caller_id & 0x7fffffffu;
  } else {
    record.caller_tid = caller_id;
  }
}

Result<KernelLog> read_kernel_log(const VirtualMemory& memory, const KernelLayouts& layouts,
                                  const CancellationToken& cancel) {
  auto ring = layouts.printk_ringbuffer();
  if (ring.ok()) return read_printk_ringbuffer(memory, **ring, cancel);
  if (ring.error().code() != ErrorCode::kNotFound) return ring.error();
  VMSCOPE_TRY(const PrintkLogBufLayout* log_buf, layouts.printk_log_buf());
  return read_printk_log_buf(memory, *log_buf, cancel);
}

namespace {

// crash's order (task.c panic_msg[]): sysrq crashes first, then panics, BUGs, faults, oopses.
constexpr std::array<std::string_view, 17> kPanicMarkers = {
    "SysRq : Crash",
    "SysRq : Trigger a crash",
    "SysRq : Netdump",
    "Kernel panic: ",
    "Kernel panic - ",
    "Kernel BUG at",
    "kernel BUG at",
    "Unable to handle kernel paging request",
    "Unable to handle kernel NULL pointer dereference",
    "BUG: unable to handle kernel ",
    "general protection fault: ",
    "double fault: ",
    "divide error: ",
    "stack segment: ",
    "[Hardware Error]: ",
    "Bad mode in ",
    "Oops: ",
};

}  // namespace

std::optional<std::string> find_panic_message(const KernelLog& log) {
  for (std::string_view marker : kPanicMarkers) {
    for (const LogRecord& r : log.records) {
      if (r.state != LogRecordState::kReserved && r.text.find(marker) != std::string::npos) {
        return r.text;
      }
    }
  }
  return std::nullopt;
}

std::string panic_reason(std::string_view panic_message) {
  constexpr std::string_view kPrefix = "Kernel panic - not syncing: ";
  if (auto at = panic_message.find(kPrefix); at != std::string_view::npos) {
    return std::string(panic_message.substr(at + kPrefix.size()));
  }
  return std::string(panic_message);
}

}  // namespace vmscope::kernel
