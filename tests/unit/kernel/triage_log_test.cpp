// The log side of triage: printed frame lines, RIP lines, the printed backtrace, and which
// report a panic follows.
#include "kernel/triage_log.h"

#include <gtest/gtest.h>

namespace vmscope::kernel {
namespace {

std::vector<LogRecord> log_of(std::initializer_list<std::string> lines) {
  std::vector<LogRecord> out;
  std::uint64_t seq = 0;
  for (const std::string& line : lines) {
    LogRecord r;
    r.seq = seq++;
    r.timestamp_ns = r.seq * 1'000'000;
    r.text = line;
    out.push_back(r);
  }
  return out;
}

TEST(TriageLogTest, FrameLines) {
  auto f = parse_logged_frame("  __schedule+0x34d/0x9f3");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->function, "__schedule");
  EXPECT_EQ(f->module, "");
  f = parse_logged_frame(" tun_chr_write_iter+0x52/0x90 [tun]");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->function, "tun_chr_write_iter");
  EXPECT_EQ(f->module, "tun");
  f = parse_logged_frame(" [<ffffffff8100a1b2>] old_style+0x1/0x2");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->function, "old_style");
  EXPECT_FALSE(parse_logged_frame(" ? _printk+0x68/0x83"));  // a guess, not a frame
  EXPECT_FALSE(parse_logged_frame("Call Trace:"));
  EXPECT_FALSE(parse_logged_frame("RSP: 0018:ffffc90000497e28 EFLAGS: 00010246"));
  EXPECT_FALSE(parse_logged_frame("+0x1/0x2"));
}

TEST(TriageLogTest, RipLines) {
  auto rip = parse_rip_line("RIP: 0010:foo_write+0x12/0x30 [foo]");
  ASSERT_TRUE(rip);
  EXPECT_EQ(rip->function, "foo_write");
  EXPECT_EQ(rip->module, "foo");
  EXPECT_FALSE(parse_rip_line("RIP: 0033:0x47b7a0"));  // user mode
  EXPECT_FALSE(parse_rip_line("RIP: 0010:0x0"));       // a jump to NULL has no name
}

TEST(TriageLogTest, PrintedBacktraceWithInterruptFrames) {
  auto records = log_of({
      "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [spin:5]",
      "Modules linked in: spinmod",
      "RIP: 0010:spin_forever+0x5/0x10 [spinmod]",
      "Code: eb fe",
      "RSP: 0018:ffffc90000497e28 EFLAGS: 00000246",
      "Call Trace:",
      " <IRQ>",
      " ? watchdog_timer_fn+0x1b1/0x210",
      " </IRQ>",
      " <TASK>",
      " spin_ioctl+0x20/0x30 [spinmod]",
      " __x64_sys_ioctl+0x8a/0xc0",
      " </TASK>",
      " not_part_of_it+0x1/0x2",
  });
  auto frames = logged_backtrace(records, 0);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].function, "spin_forever");
  EXPECT_TRUE(frames[0].interrupted);
  EXPECT_TRUE(frames[0].pt_regs.has_value());
  EXPECT_EQ(frames[1].function, "spin_ioctl");
  EXPECT_EQ(frames[1].module, "spinmod");
  EXPECT_EQ(frames[2].function, "__x64_sys_ioctl");
  EXPECT_TRUE(logged_backtrace(records, 6).empty());  // no "Call Trace:" after record 6
}

TEST(TriageLogTest, APanicAfterAnOopsFollowsTheOopsNotAnOlderWarning) {
  auto records = log_of({
      "WARNING: CPU: 0 PID: 1 at init/main.c:1 early+0x1/0x2",
      "general protection fault, probably for non-canonical address 0xdead000000000100: 0000 "
      "[#1] PREEMPT SMP NOPTI",
      "RIP: 0010:list_walk+0x9/0x20",
      "Kernel panic - not syncing: Fatal exception",
  });
  CrashReport r = classify_crash(records);
  EXPECT_EQ(r.kind, "general-protection-fault");
  EXPECT_EQ(r.title_prefix, "general protection fault");
  EXPECT_EQ(r.rule, CulpritRule::kException);
  EXPECT_EQ(r.logged_function, "list_walk");  // from the RIP line, though no trace follows
  ASSERT_TRUE(r.panic_record);
  EXPECT_EQ(r.panic_record->seq, 3u);
}

TEST(TriageLogTest, ReportKindsFromTheirFirstLine) {
  struct Case {
    std::string line, panic, kind, title;
  };
  for (const Case& c : std::vector<Case>{
           {"BUG: KASAN: use-after-free in foo+0x1/0x2", "panic_on_warn set ...", "kasan",
            "KASAN: use-after-free"},
           {"UBSAN: array-index-out-of-bounds in drivers/x.c:12:3", "panic_on_warn set ...",
            "ubsan", "UBSAN: array-index-out-of-bounds"},
           {"BUG: sleeping function called from invalid context at mm/slab.h:1",
            "panic_on_warn set", "sleep-in-atomic",
            "BUG: sleeping function called from invalid context"},
           {"BUG: scheduling while atomic: swapper/0/0/0x00000002", "panic_on_warn set", "bug",
            "BUG: scheduling while atomic"},
           {"NMI watchdog: Watchdog detected hard LOCKUP on cpu 3", "Hard LOCKUP", "hard-lockup",
            "BUG: hard lockup"},
           {"rcu: INFO: rcu_preempt self-detected stall on CPU", "RCU Stall", "rcu-stall",
            "INFO: rcu detected stall"},
           {"divide error: 0000 [#1] PREEMPT SMP", "Fatal exception", "divide-error",
            "divide error"},
       }) {
    SCOPED_TRACE(c.line);
    CrashReport r = classify_crash(log_of({c.line, "Kernel panic - not syncing: " + c.panic}));
    EXPECT_EQ(r.kind, c.kind);
    EXPECT_EQ(r.title_prefix, c.title);
  }
  CrashReport hard = classify_crash(log_of({"NMI watchdog: Watchdog detected hard LOCKUP on cpu 3",
                                            "Kernel panic - not syncing: Hard LOCKUP"}));
  EXPECT_EQ(hard.stuck_cpu, 3u);
}

TEST(TriageLogTest, AnExplicitPanicIsItsOwnReport) {
  CrashReport r = classify_crash(log_of({
      "BUG: unable to handle page fault for address: 0000000000001000",  // long before
      "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)",
  }));
  EXPECT_EQ(r.kind, "panic");
  EXPECT_EQ(r.title_prefix, "kernel panic: VFS: Unable to mount root fs on unknown-block(0,0)");
  EXPECT_FALSE(r.title_names_function);
}

TEST(TriageLogTest, HungTasksOfAnEarlierScanAreNotTheCause) {
  std::vector<LogRecord> records = log_of({
      "INFO: task old:9 blocked for more than 120 seconds.",
      "INFO: task first:10 blocked for more than 120 seconds.",
      "INFO: task second:11 blocked for more than 120 seconds.",
      "Kernel panic - not syncing: hung_task: blocked tasks",
  });
  records[0].timestamp_ns = 0;  // the previous scan, two minutes earlier
  records[1].timestamp_ns = 120'000'000'000;
  records[2].timestamp_ns = 120'001'000'000;
  records[3].timestamp_ns = 120'002'000'000;
  CrashReport r = classify_crash(records);
  EXPECT_EQ(r.kind, "hung-task");
  EXPECT_EQ(r.stuck_pid, 10);
  EXPECT_EQ(r.stuck_comm, "first");
}

}  // namespace
}  // namespace vmscope::kernel
