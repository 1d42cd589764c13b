// Crash triage on synthetic logs and backtraces shaped like the kernel's: one test per kind of
// crash (page fault, NULL dereference, BUG, WARNING, sysrq-c, hung task, soft lockup), then
// the fallbacks (no backtrace, unknown crash) and the bucket's stability.
#include "kernel/triage.h"

#include <gtest/gtest.h>

#include <map>

namespace vmscope::kernel {
namespace {

// ---- building inputs --------------------------------------------------------------------

std::vector<LogRecord> log_of(std::initializer_list<std::string> lines,
                              std::uint64_t start_ns = 1'000'000'000) {
  std::vector<LogRecord> out;
  std::uint64_t seq = 100;
  for (const std::string& line : lines) {
    LogRecord r;
    r.seq = seq++;
    r.timestamp_ns = start_ns + r.seq * 1000;
    r.level = 4;
    r.text = line;
    out.push_back(r);
  }
  return out;
}

struct F {
  std::string function;
  std::string module = "";
  std::string file = "kernel/x.c";
  bool inline_frame = false;
  bool pt_regs = false;  // reached through a pt_regs (the interrupted code)
  bool user = false;
};

std::vector<StackFrame> frames_of(std::initializer_list<F> fs,
                                  std::uint64_t base = 0xffffffff81000000) {
  std::vector<StackFrame> out;
  std::uint64_t pc = base;
  for (const F& f : fs) {
    StackFrame s;
    s.pc = pc += 0x40;
    s.sp = 0xffffc90000010000 + out.size() * 0x20;
    s.function = f.function;
    s.symbol = f.function;
    s.module = f.module;
    s.inline_frame = f.inline_frame;
    if (!f.file.empty()) s.source = debuginfo::SourceLocation{f.file, 10, 0};
    if (f.pt_regs) {
      s.pt_regs = s.sp - 0xa8;
      s.interrupted = true;
    }
    s.user_mode = f.user;
    out.push_back(s);
  }
  return out;
}

// A dump's facts for triage_crash: tasks by address, their traces, the crashed one.
struct Dump {
  KernelLog log;
  SysInfo sys;
  TaskList tasks;
  std::map<std::uint64_t, std::vector<StackFrame>> traces;
  int traced = 0;

  void add_task(std::int32_t pid, std::string comm, std::uint64_t address,
                std::vector<StackFrame> frames, std::optional<std::uint32_t> on_cpu = {}) {
    Task t;
    t.pid = t.tgid = pid;
    t.comm = std::move(comm);
    t.address = address;
    t.active_on_cpu = on_cpu;
    t.cpu = on_cpu.value_or(0);
    tasks.tasks.push_back(t);
    traces[address] = std::move(frames);
  }
  void crashed(std::int32_t pid, std::uint64_t address, std::uint32_t cpu) {
    const Task* t = tasks.find_address(address);
    sys.crashed_task = CrashedTask{address, pid, t ? t->comm : "", cpu, "panic_cpu"};
  }
  Triage triage(bool with_traces = true) {
    TriageInputs inputs{.log = &log, .sys = &sys, .tasks = &tasks};
    if (with_traces) {
      inputs.trace = [this](const TaskRef& ref) -> Result<std::shared_ptr<const StackTrace>> {
        ++traced;
        auto it = traces.find(ref.address);
        if (it == traces.end()) return Error(ErrorCode::kNotFound, "no such task");
        auto t = std::make_shared<StackTrace>();
        t->task = ref;
        t->frames = it->second;
        return std::shared_ptr<const StackTrace>(t);
      };
    }
    auto r = triage_crash(inputs, {});
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::move(r).value() : Triage{};
  }
};

Dump page_fault_dump(const std::string& fault_address = "ffffffffc0a01000",
                     std::uint64_t kaslr = 0) {
  Dump d;
  d.log.records = log_of({
      "Freeing unused kernel image memory: 2612K",
      "BUG: unable to handle page fault for address: " + fault_address,
      "#PF: supervisor write access in kernel mode",
      "#PF: error_code(0x0002) - not-present page",
      "PGD 1e0e067 P4D 1e0e067 PUD 1e10067 PMD 0 ",
      "Oops: 0002 [#1] PREEMPT SMP NOPTI",
      "CPU: 1 PID: 321 Comm: foo-tool Tainted: G           OE      6.1.0 #1",
      "RIP: 0010:foo_write+0x12/0x30 [foo]",
      "Code: 48 89 e5 <c7> 07 01 00 00 00",
      "RSP: 0018:ffffc90000497e28 EFLAGS: 00010246",
      "Call Trace:",
      " <TASK>",
      " foo_ioctl+0x40/0x80 [foo]",
      " ? _printk+0x68/0x83",
      " __x64_sys_ioctl+0x8a/0xc0",
      " do_syscall_64+0x5d/0x90",
      " entry_SYSCALL_64_after_hwframe+0x6e/0xd8",
      "RIP: 0033:0x7f1c2a1b2c3d",
      " </TASK>",
      "Modules linked in: foo(OE) tun loop",
      "---[ end trace 0000000000000000 ]---",
      "Kernel panic - not syncing: Fatal exception",
  });
  d.add_task(321, "foo-tool", 0xffff888001000000 + kaslr,
             frames_of({{"__preempt_count_add", "", "arch/x86/include/asm/preempt.h", true},
                        {"delay_tsc"},
                        {"panic"},
                        {"oops_end"},
                        {"page_fault_oops"},
                        {"kernelmode_fixup_or_oops"},
                        {"__bad_area_nosemaphore"},
                        {"exc_page_fault"},
                        {"asm_exc_page_fault"},
                        {"foo_write", "foo", "drivers/foo/foo.c", false, true},
                        {"foo_ioctl", "foo", "drivers/foo/foo.c"},
                        {"__x64_sys_ioctl", "", "fs/ioctl.c"},
                        {"do_syscall_64", "", "arch/x86/entry/common.c"},
                        {"entry_SYSCALL_64"},
                        {"", "", "", false, true, true}},
                       0xffffffff81000000 + kaslr),
             1);
  d.crashed(321, 0xffff888001000000 + kaslr, 1);
  return d;
}

// ---- kinds ------------------------------------------------------------------------------

TEST(TriageTest, PageFaultBlamesTheFaultingFunction) {
  Dump d = page_fault_dump();
  Triage t = d.triage();
  EXPECT_EQ(t.report.kind, "page-fault");
  EXPECT_EQ(t.title, "BUG: unable to handle page fault in foo_write");
  ASSERT_TRUE(t.culprit);
  EXPECT_EQ(t.culprit->function, "foo_write");
  EXPECT_EQ(t.culprit->module, "foo");
  EXPECT_EQ(t.culprit->origin, "backtrace");
  ASSERT_TRUE(t.culprit->source);
  EXPECT_EQ(t.culprit->source->file, "drivers/foo/foo.c");
  EXPECT_EQ(t.bucket_functions,
            (std::vector<std::string>{"foo_write", "foo_ioctl", "__x64_sys_ioctl"}));
  ASSERT_TRUE(t.culprit_task);
  EXPECT_EQ(t.culprit_task->pid, 321);
  EXPECT_EQ(t.bucket.size(), 16u);
  EXPECT_TRUE(t.problems.empty());
}

TEST(TriageTest, NullDereferenceSkipsHeaderInlineHelpers) {
  Dump d;
  d.log.records = log_of({
      "BUG: kernel NULL pointer dereference, address: 0000000000000008",
      "#PF: supervisor read access in kernel mode",
      "Oops: 0000 [#1] PREEMPT SMP NOPTI",
      "RIP: 0010:bar_remove+0x1c/0x60 [bar]",
      "Kernel panic - not syncing: Fatal exception in interrupt",
  });
  d.add_task(50, "kworker/0:2", 0xffff888002000000,
             frames_of({{"delay_tsc"},
                        {"panic"},
                        {"oops_end"},
                        {"page_fault_oops"},
                        {"exc_page_fault"},
                        {"asm_exc_page_fault"},
                        {"__list_del", "bar", "include/linux/list.h", true, true},
                        {"list_del", "bar", "include/linux/list.h", true, true},
                        {"bar_remove", "bar", "drivers/bar/bar.c", false, true},
                        {"bar_work", "bar", "drivers/bar/bar.c"},
                        {"process_one_work", "", "kernel/workqueue.c"}}),
             0);
  d.crashed(50, 0xffff888002000000, 0);
  Triage t = d.triage();
  EXPECT_EQ(t.report.kind, "null-deref");
  EXPECT_EQ(t.title, "BUG: unable to handle kernel NULL pointer dereference in bar_remove");
  ASSERT_TRUE(t.culprit);
  EXPECT_EQ(t.culprit->module, "bar");
}

TEST(TriageTest, KernelBugBlamesTheFunctionThatCalledBug) {
  Dump d;
  d.log.records = log_of({
      "------------[ cut here ]------------",
      "kernel BUG at mm/slub.c:435!",
      "invalid opcode: 0000 [#1] PREEMPT SMP NOPTI",
      "RIP: 0010:kfree+0x1b0/0x1c0",
      "Kernel panic - not syncing: Fatal exception",
  });
  d.add_task(77, "baz", 0xffff888003000000,
             frames_of({{"delay_tsc"},
                        {"panic"},
                        {"oops_end"},
                        {"do_trap"},
                        {"do_error_trap"},
                        {"exc_invalid_op"},
                        {"asm_exc_invalid_op"},
                        {"kfree", "", "mm/slub.c", false, true},
                        {"baz_release", "", "drivers/baz.c"}}),
             0);
  d.crashed(77, 0xffff888003000000, 0);
  Triage t = d.triage();
  EXPECT_EQ(t.report.kind, "kernel-bug");
  EXPECT_EQ(t.title, "kernel BUG in kfree");
  ASSERT_TRUE(t.report.report_record);
  EXPECT_EQ(t.report.report_record->text, "kernel BUG at mm/slub.c:435!");
}

TEST(TriageTest, WarningWithPanicOnWarn) {
  Dump d;
  d.log.records = log_of({
      "WARNING: CPU: 0 PID: 1 at init/main.c:1 early_thing+0x1/0x2",  // an earlier warning
      "Run /init as init process",
      "------------[ cut here ]------------",
      "WARNING: CPU: 0 PID: 12 at drivers/qux/qux.c:42 qux_probe+0x5e/0x90 [qux]",
      "Modules linked in: qux(E)",
      "RIP: 0010:qux_probe+0x5e/0x90 [qux]",
      "Call Trace:",
      " <TASK>",
      " really_probe+0xdb/0x380",
      " </TASK>",
      "Kernel panic - not syncing: kernel: panic_on_warn set ...",
  });
  d.add_task(12, "modprobe", 0xffff888004000000,
             frames_of({{"delay_tsc"},
                        {"panic"},
                        {"check_panic_on_warn"},
                        {"__warn"},
                        {"report_bug"},
                        {"handle_bug"},
                        {"exc_invalid_op"},
                        {"asm_exc_invalid_op"},
                        {"qux_probe", "qux", "drivers/qux/qux.c", false, true},
                        {"really_probe", "", "drivers/base/dd.c"}}),
             0);
  d.crashed(12, 0xffff888004000000, 0);
  Triage t = d.triage();
  EXPECT_EQ(t.report.kind, "warning");
  EXPECT_EQ(t.title, "WARNING in qux_probe");
  EXPECT_EQ(t.report.report_record->seq, 103u);  // the warning that panicked, not the first
  EXPECT_EQ(t.report.logged_function, "qux_probe");
  EXPECT_EQ(t.report.logged_module, "qux");
}

TEST(TriageTest, SysrqCrashIsAPanicBlamingTheWriterPastTheSysrqPlumbing) {
  Dump d;
  d.log.records = log_of({
      "WARNING: CPU: 0 PID: 1 at init/main.c:1 early_thing+0x1/0x2",  // not what crashed
      "sysrq: Trigger a crash",
      "Kernel panic - not syncing: sysrq triggered crash",
      "CPU: 0 PID: 180 Comm: vms-crasher Not tainted 6.1.0-57-cloud-amd64 #1",
      "Call Trace:",
      " <TASK>",
      " dump_stack_lvl+0x44/0x5c",
      " panic+0x118/0x2f4",
      " ? _printk+0x68/0x83",
      " sysrq_handle_crash+0x16/0x20",
      " __handle_sysrq.cold+0x44/0x11c",
      " write_sysrq_trigger+0x24/0x40",
      " proc_reg_write+0x56/0xa0",
      " vfs_write+0xc7/0x3f0",
      " </TASK>",
  });
  d.add_task(180, "vms-crasher", 0xffff8d77026aa0c0,
             frames_of({{"__preempt_count_add", "", "arch/x86/include/asm/preempt.h", true},
                        {"delay_tsc", "", "arch/x86/lib/delay.c"},
                        {"panic", "", "kernel/panic.c"},
                        {"sysrq_handle_crash", "", "drivers/tty/sysrq.c"},
                        {"__handle_sysrq", "", "drivers/tty/sysrq.c"},
                        {"write_sysrq_trigger", "", "drivers/tty/sysrq.c"},
                        {"pde_write", "", "fs/proc/inode.c", true},
                        {"proc_reg_write", "", "fs/proc/inode.c"},
                        {"vfs_write", "", "fs/read_write.c"},
                        {"ksys_write", "", "fs/read_write.c"}}),
             0);
  d.crashed(180, 0xffff8d77026aa0c0, 0);
  Triage t = d.triage();
  EXPECT_EQ(t.report.kind, "panic");
  EXPECT_EQ(t.title, "kernel panic: sysrq triggered crash");
  ASSERT_TRUE(t.culprit);
  EXPECT_EQ(t.culprit->function, "pde_write");
  EXPECT_EQ(t.bucket_functions,
            (std::vector<std::string>{"pde_write", "proc_reg_write", "vfs_write"}));

  // Without a backtrace, the trace the kernel printed stands in (it has no inline frames).
  Triage logged = d.triage(/*with_traces=*/false);
  ASSERT_TRUE(logged.culprit);
  EXPECT_EQ(logged.culprit->function, "proc_reg_write");
  EXPECT_EQ(logged.culprit->origin, "log");
  EXPECT_EQ(logged.title, t.title);
}

TEST(TriageTest, HungTaskBlamesTheStuckTaskNotTheWatchdog) {
  Dump d;
  d.log.records = log_of({
      "INFO: task vms-worker:77 blocked for more than 120 seconds.",
      "      Not tainted 6.1.0 #1",
      "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.",
      "task:vms-worker      state:D stack:0     pid:77    ppid:2      flags:0x00004000",
      "Call Trace:",
      " <TASK>",
      " __schedule+0x34d/0x9f3",
      " schedule+0x5d/0xe0",
      " schedule_timeout+0x98/0x160",
      " wait_for_completion+0x80/0x130",
      " drain_it+0x20/0x40 [drainmod]",
      " worker_fn+0x10/0x20 [drainmod]",
      " kthread+0xe6/0x110",
      " ret_from_fork+0x1f/0x30",
      " </TASK>",
      "INFO: task other:88 blocked for more than 120 seconds.",
      "Call Trace:",
      " __schedule+0x34d/0x9f3",
      " other_wait+0x1/0x2",
      "Kernel panic - not syncing: hung_task: blocked tasks",
      "CPU: 1 PID: 30 Comm: khungtaskd Not tainted 6.1.0 #1",
  });
  d.add_task(30, "khungtaskd", 0xffff888000030000,
             frames_of({{"delay_tsc"},
                        {"panic"},
                        {"check_hung_uninterruptible_tasks", "", "kernel/hung_task.c"},
                        {"watchdog", "", "kernel/hung_task.c"},
                        {"kthread"}}),
             1);
  d.add_task(77, "vms-worker", 0xffff888000077000,
             frames_of({{"context_switch", "", "kernel/sched/core.c", true},
                        {"__schedule", "", "kernel/sched/core.c"},
                        {"schedule", "", "kernel/sched/core.c"},
                        {"schedule_timeout", "", "kernel/time/timer.c"},
                        {"__wait_for_common", "", "kernel/sched/completion.c", true},
                        {"wait_for_completion", "", "kernel/sched/completion.c"},
                        {"drain_it", "drainmod", "drivers/drain.c"},
                        {"worker_fn", "drainmod", "drivers/drain.c"},
                        {"kthread", "", "kernel/kthread.c"},
                        {"ret_from_fork", "", "arch/x86/entry/entry_64.S"}}));
  d.add_task(88, "other", 0xffff888000088000, frames_of({{"__schedule"}, {"other_wait"}}));
  d.crashed(30, 0xffff888000030000, 1);
  Triage t = d.triage();
  EXPECT_EQ(t.report.kind, "hung-task");
  EXPECT_EQ(t.report.stuck_pid, 77);  // the first task of the scan
  EXPECT_EQ(t.report.stuck_comm, "vms-worker");
  EXPECT_EQ(t.title, "INFO: task hung in drain_it");
  ASSERT_TRUE(t.culprit_task);
  EXPECT_EQ(t.culprit_task->pid, 77);
  ASSERT_TRUE(t.culprit);
  EXPECT_EQ(t.culprit->module, "drainmod");
  EXPECT_EQ(t.bucket_functions, (std::vector<std::string>{"drain_it", "worker_fn", "kthread"}));

  // The stuck task missing from the task list: its printed trace, and a problem saying so.
  d.tasks.tasks.erase(d.tasks.tasks.begin() + 1);
  Triage missing = d.triage();
  ASSERT_TRUE(missing.culprit);
  EXPECT_EQ(missing.culprit->function, "drain_it");
  EXPECT_EQ(missing.culprit->origin, "log");
  ASSERT_EQ(missing.problems.size(), 1u);
  EXPECT_EQ(missing.problems[0].code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.bucket, t.bucket);  // the same functions from either source
}

TEST(TriageTest, SoftLockupBlamesTheInterruptedCodeMinusLocks) {
  Dump d;
  d.log.records = log_of({
      "watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [vms-spinner:55]",
      "RIP: 0010:native_queued_spin_lock_slowpath+0x64/0x2d0",
      "Kernel panic - not syncing: softlockup: hung tasks",
  });
  d.add_task(55, "vms-spinner", 0xffff888000055000,
             frames_of({{"delay_tsc"},
                        {"panic"},
                        {"watchdog_timer_fn", "", "kernel/watchdog.c"},
                        {"__hrtimer_run_queues", "", "kernel/time/hrtimer.c"},
                        {"hrtimer_interrupt", "", "kernel/time/hrtimer.c"},
                        {"__sysvec_apic_timer_interrupt", "", "arch/x86/kernel/apic/apic.c"},
                        {"sysvec_apic_timer_interrupt", "", "arch/x86/kernel/apic/apic.c"},
                        {"asm_sysvec_apic_timer_interrupt", "", "arch/x86/include/asm/idtentry.h"},
                        {"native_queued_spin_lock_slowpath", "", "kernel/locking/qspinlock.c",
                         false, true},
                        {"_raw_spin_lock", "", "kernel/locking/spinlock.c"},
                        {"spin_forever", "spinmod", "drivers/spin.c"},
                        {"spin_ioctl", "spinmod", "drivers/spin.c"}}),
             1);
  d.crashed(55, 0xffff888000055000, 1);
  Triage t = d.triage();
  EXPECT_EQ(t.report.kind, "soft-lockup");
  EXPECT_EQ(t.report.stuck_cpu, 1u);
  EXPECT_EQ(t.report.stuck_pid, 55);
  EXPECT_EQ(t.title, "BUG: soft lockup in spin_forever");
}

// ---- fallbacks --------------------------------------------------------------------------

TEST(TriageTest, WithoutABacktraceTheLoggedRipAndTraceStandIn) {
  Dump d = page_fault_dump();
  Triage t = d.triage(/*with_traces=*/false);
  ASSERT_TRUE(t.culprit);
  EXPECT_EQ(t.culprit->function, "foo_write");
  EXPECT_EQ(t.culprit->module, "foo");
  EXPECT_EQ(t.culprit->origin, "log");
  EXPECT_EQ(t.title, "BUG: unable to handle page fault in foo_write");
  EXPECT_EQ(t.bucket_functions,
            (std::vector<std::string>{"foo_write", "foo_ioctl", "__x64_sys_ioctl"}));
  EXPECT_EQ(t.bucket, d.triage().bucket);
}

TEST(TriageTest, AnOopsWithoutPanicIsTheLastReport) {
  Dump d = page_fault_dump();
  d.log.records.pop_back();  // kdump entered from the oops: no panic record
  Triage t = d.triage();
  EXPECT_EQ(t.report.kind, "page-fault");
  EXPECT_FALSE(t.report.panic_record);
}

TEST(TriageTest, AnEmptyLogIsUnknown) {
  Dump d;
  Triage t = d.triage();
  EXPECT_EQ(t.report.kind, "unknown");
  EXPECT_EQ(t.title, "no crash report in the log");
  EXPECT_FALSE(t.culprit);
}

TEST(TriageTest, WithoutACrashedTaskADumpIsPartialButALiveKernelIsNot) {
  Dump d;
  d.log.records = log_of({"Linux version 6.1.0", "Freeing unused kernel image memory: 2612K"});
  Triage dump = d.triage();
  EXPECT_FALSE(dump.live);
  ASSERT_EQ(dump.problems.size(), 1u);  // a crash dump whose crashed task nobody found
  EXPECT_NE(dump.problems[0].message().find("crashed task is unknown"), std::string::npos);

  d.sys.live = true;  // /proc/kcore: nothing crashed
  Triage live = d.triage();
  EXPECT_TRUE(live.live);
  EXPECT_TRUE(live.problems.empty());
  EXPECT_EQ(live.report.kind, "unknown");
  EXPECT_FALSE(live.culprit_task);
  EXPECT_EQ(d.traced, 0);
}

TEST(TriageTest, ALiveKernelsLoggedOopsIsStillItsLastReport) {
  Dump d = page_fault_dump();
  d.log.records.pop_back();  // the oops killed a task; the kernel lives on
  d.sys.crashed_task.reset();
  d.sys.live = true;
  Triage t = d.triage();
  EXPECT_TRUE(t.live);
  EXPECT_EQ(t.report.kind, "page-fault");
  ASSERT_TRUE(t.culprit);
  EXPECT_EQ(t.culprit->origin, "log");  // no crashed task's stack to search
  EXPECT_EQ(t.culprit->function, "foo_write");
  EXPECT_TRUE(t.problems.empty());
}

TEST(TriageTest, AFailingTraceIsAProblemButCancellationEndsTheTriage) {
  Dump d = page_fault_dump();
  TriageInputs inputs{.log = &d.log, .sys = &d.sys, .tasks = &d.tasks};
  inputs.trace = [](const TaskRef&) -> Result<std::shared_ptr<const StackTrace>> {
    return Error(ErrorCode::kPageExcluded, "stack page excluded", {.address = 0xffffc90000497000});
  };
  auto t = triage_crash(inputs, {});
  ASSERT_TRUE(t.ok());
  ASSERT_FALSE(t->problems.empty());
  EXPECT_EQ(t->problems[0].code(), ErrorCode::kPageExcluded);
  EXPECT_EQ(t->problems[0].payload().address, 0xffffc90000497000u);
  ASSERT_TRUE(t->culprit);
  EXPECT_EQ(t->culprit->origin, "log");

  inputs.trace = [](const TaskRef&) -> Result<std::shared_ptr<const StackTrace>> {
    return Error(ErrorCode::kCancelled, "cancelled");
  };
  auto cancelled = triage_crash(inputs, {});
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.error().code(), ErrorCode::kCancelled);
}

// ---- the bucket -------------------------------------------------------------------------

TEST(TriageTest, TheBucketIgnoresAddressesProcessesAndBoots) {
  const std::string bucket = page_fault_dump().triage().bucket;
  // Another fault address, another KASLR slide: the same bug.
  EXPECT_EQ(page_fault_dump("ffffffffc0b07000", 0x24200000).triage().bucket, bucket);
  // A different culprit is a different bug.
  Dump other = page_fault_dump();
  other.traces.begin()->second[9].function = "foo_read";
  EXPECT_NE(other.triage().bucket, bucket);
}

TEST(TriageTest, Normalization) {
  EXPECT_EQ(normalize_function("__handle_sysrq.cold"), "__handle_sysrq");
  EXPECT_EQ(normalize_function("foo.constprop.0.isra.0"), "foo");
  EXPECT_EQ(normalize_title("kernel panic: Attempted to kill init! exitcode=0x0000000b"),
            "kernel panic: Attempted to kill init! exitcode=ADDR");
  EXPECT_EQ(normalize_title("kernel panic: VFS: Unable to mount root fs on unknown-block(0,0)"),
            "kernel panic: VFS: Unable to mount root fs on unknown-block(N,N)");
  EXPECT_EQ(strip_addresses("at ffffffffc0a01000 and 0xdead, ext4 x86_64 7"),
            "at ADDR and ADDR, ext4 x86_64 7");
  EXPECT_EQ(crash_bucket("panic", "kernel panic: x", std::vector<std::string>{"a.isra.0"}),
            crash_bucket("panic", "kernel panic: x", std::vector<std::string>{"a"}));
}

}  // namespace
}  // namespace vmscope::kernel
