#include "kernel/printk_records.h"

#include <gtest/gtest.h>

namespace vmscope::kernel {
namespace {

KernelLog log_of(std::initializer_list<std::string> texts) {
  KernelLog log;
  std::uint64_t seq = 0;
  for (const std::string& text : texts) {
    LogRecord r;
    r.seq = seq++;
    r.text = text;
    log.records.push_back(r);
  }
  return log;
}

TEST(PrintkRecordsTest, CallerIdIsAThreadOrACpu) {
  LogRecord r;
  set_caller(r, 180);
  EXPECT_EQ(r.caller_tid, 180u);
  EXPECT_FALSE(r.caller_cpu);
  LogRecord c;
  set_caller(c, 0x80000003);
  EXPECT_EQ(c.caller_cpu, 3u);
  EXPECT_FALSE(c.caller_tid);
}

TEST(PrintkRecordsTest, PanicMessageFollowsCrashsOrderNotTheLogs) {
  // An oops logged before the panic: crash's list ranks "Kernel panic - " above "Oops: ".
  auto log = log_of(
      {"boot", "Oops: 0002 [#1] SMP", "Kernel panic - not syncing: Fatal exception", "after"});
  EXPECT_EQ(find_panic_message(log), "Kernel panic - not syncing: Fatal exception");
  EXPECT_EQ(panic_reason(*find_panic_message(log)), "Fatal exception");
  auto oops_only = log_of({"BUG: unable to handle kernel NULL pointer dereference at 0"});
  EXPECT_EQ(find_panic_message(oops_only),
            "BUG: unable to handle kernel NULL pointer dereference at 0");
  EXPECT_EQ(panic_reason("Oops: 0002"), "Oops: 0002");
  EXPECT_FALSE(find_panic_message(log_of({"nothing to see"})));
}

TEST(PrintkRecordsTest, ReservedRecordsAreNeverThePanicMessage) {
  auto log = log_of({"Kernel panic - not syncing: half written"});
  log.records[0].state = LogRecordState::kReserved;
  EXPECT_FALSE(find_panic_message(log));
  EXPECT_EQ(log_record_state_name(LogRecordState::kReserved), "reserved");
}

TEST(PrintkRecordsTest, PartialWhenSkippedOrProblems) {
  KernelLog log;
  EXPECT_FALSE(log.partial());
  log.skipped["descriptor id mismatch"] = 1;
  EXPECT_TRUE(log.partial());
}

}  // namespace
}  // namespace vmscope::kernel
