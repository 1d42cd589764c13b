#include "kernel/task_state.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vmscope::kernel {
namespace {

// fs/proc/array.c task_state_array as of 4.14 … 6.x.
const std::vector<std::string> kModernArray = {"R (running)", "S (sleeping)",     "D (disk sleep)",
                                               "T (stopped)", "t (tracing stop)", "X (dead)",
                                               "Z (zombie)",  "P (parked)",       "I (idle)"};
// 3.x: every state listed, TASK_DEAD as a second "dead", parked at 512.
const std::vector<std::string> kV3Array = {"R (running)", "S (sleeping)",     "D (disk sleep)",
                                           "T (stopped)", "t (tracing stop)", "Z (zombie)",
                                           "X (dead)",    "x (dead)",         "K (wakekill)",
                                           "W (waking)",  "P (parked)"};
// 4.2 … 4.13: only the reported states (the rest is in stat_nam).
const std::vector<std::string> kV4Array = {"R (running)", "S (sleeping)",     "D (disk sleep)",
                                           "T (stopped)", "t (tracing stop)", "X (dead)",
                                           "Z (zombie)"};

TEST(TaskStateTest, ModernArrayGivesTheKernelsBits) {
  TaskStateBits b = TaskStateBits::from_task_state_array(kModernArray);
  EXPECT_EQ(b.interruptible, 0x1u);
  EXPECT_EQ(b.uninterruptible, 0x2u);
  EXPECT_EQ(b.stopped, 0x4u);
  EXPECT_EQ(b.traced, 0x8u);
  EXPECT_EQ(b.exit_dead, 0x10u);
  EXPECT_EQ(b.exit_zombie, 0x20u);
  EXPECT_EQ(b.parked, 0x40u);
  // Not reported, inferred from their place after TASK_PARKED (include/linux/sched.h).
  EXPECT_EQ(b.task_dead, 0x80u);
  EXPECT_EQ(b.wakekill, 0x100u);
  EXPECT_EQ(b.waking, 0x200u);
  EXPECT_EQ(b.noload, 0x400u);
  EXPECT_EQ(b.new_task, 0x800u);
  EXPECT_EQ(b.report_mask, 0x7fu);  // TASK_REPORT
  EXPECT_EQ(b.report_letters, "RSDTtXZPI");
}

TEST(TaskStateTest, CrashCodesOnAModernKernel) {
  TaskStateBits b = TaskStateBits::from_task_state_array(kModernArray);
  EXPECT_EQ(crash_task_state(b, 0, 0), "RU");
  EXPECT_EQ(crash_task_state(b, 0x1, 0), "IN");
  EXPECT_EQ(crash_task_state(b, 0x2001, 0), "IN");  // TASK_FREEZABLE | INTERRUPTIBLE
  EXPECT_EQ(crash_task_state(b, 0x2, 0), "UN");
  EXPECT_EQ(crash_task_state(b, 0x402, 0), "ID");  // TASK_IDLE
  EXPECT_EQ(crash_task_state(b, 0x4, 0), "ST");
  EXPECT_EQ(crash_task_state(b, 0x8, 0), "TR");
  EXPECT_EQ(crash_task_state(b, 0x80, 0x20), "ZO");  // TASK_DEAD, EXIT_ZOMBIE
  EXPECT_EQ(crash_task_state(b, 0x80, 0x10), "DE");  // TASK_DEAD, EXIT_DEAD
  EXPECT_EQ(crash_task_state(b, 0x40, 0), "PA");
  EXPECT_EQ(crash_task_state(b, 0x200, 0), "WA");
  EXPECT_EQ(crash_task_state(b, 0x800, 0), "NE");
  // crash's precedence: later tests win, so a stopped zombie is ST.
  EXPECT_EQ(crash_task_state(b, 0x4, 0x20), "ST");
  EXPECT_EQ(crash_task_state(b, 0x1000, 0), "??");  // TASK_RTLOCK_WAIT alone
}

TEST(TaskStateTest, PsLettersOnAModernKernel) {
  TaskStateBits b = TaskStateBits::from_task_state_array(kModernArray);
  EXPECT_EQ(ps_task_state(b, 0, 0), 'R');
  EXPECT_EQ(ps_task_state(b, 0x2001, 0), 'S');
  EXPECT_EQ(ps_task_state(b, 0x2, 0), 'D');
  EXPECT_EQ(ps_task_state(b, 0x402, 0), 'I');
  EXPECT_EQ(ps_task_state(b, 0x2402, 0), 'I');  // freezable idle: the kernel says I
  EXPECT_EQ(ps_task_state(b, 0x80, 0x20), 'Z');
  EXPECT_EQ(ps_task_state(b, 0x80, 0x10), 'X');
  EXPECT_EQ(ps_task_state(b, 0x40, 0), 'P');
  EXPECT_EQ(ps_task_state(b, 0x8, 0), 't');
}

TEST(TaskStateTest, V3ArrayListsEveryStateWithParkedLast) {
  TaskStateBits b = TaskStateBits::from_task_state_array(kV3Array);
  EXPECT_EQ(b.exit_zombie, 16u);
  EXPECT_EQ(b.exit_dead, 32u);
  EXPECT_EQ(b.task_dead, 64u);
  EXPECT_EQ(b.wakekill, 128u);
  EXPECT_EQ(b.waking, 256u);
  EXPECT_EQ(b.parked, 512u);
  EXPECT_EQ(b.noload, 0u);  // listed states are not extrapolated past parked
  EXPECT_EQ(crash_task_state(b, 512, 0), "PA");
  EXPECT_EQ(crash_task_state(b, 64, 32), "DE");
}

TEST(TaskStateTest, StatNamSpellsEveryBitOf4x) {
  TaskStateBits b = TaskStateBits::from_stat_nam("RSDTtXZxKWPNn");
  EXPECT_EQ(b.interruptible, 1u);
  EXPECT_EQ(b.uninterruptible, 2u);
  EXPECT_EQ(b.stopped, 4u);
  EXPECT_EQ(b.traced, 8u);
  EXPECT_EQ(b.exit_dead, 16u);
  EXPECT_EQ(b.exit_zombie, 32u);
  EXPECT_EQ(b.task_dead, 64u);
  EXPECT_EQ(b.wakekill, 128u);
  EXPECT_EQ(b.waking, 256u);
  EXPECT_EQ(b.parked, 512u);
  EXPECT_EQ(b.noload, 1024u);
  EXPECT_EQ(b.new_task, 2048u);
  EXPECT_EQ(crash_task_state(b, 1026, 0), "ID");
  EXPECT_EQ(crash_task_state(b, 512, 0), "PA");
}

TEST(TaskStateTest, ArrayWithoutParkedInfersTheBitsAfterTheExitStates) {
  TaskStateBits b = TaskStateBits::from_task_state_array(kV4Array);
  EXPECT_EQ(b.exit_dead, 16u);
  EXPECT_EQ(b.exit_zombie, 32u);
  EXPECT_EQ(b.task_dead, 64u);
  EXPECT_EQ(b.wakekill, 128u);
  EXPECT_EQ(b.waking, 256u);
  EXPECT_EQ(b.report_mask, 0x3fu);
  EXPECT_EQ(ps_task_state(b, 0x20, 0), 'Z');
}

TEST(TaskStateTest, LegacyDefaults) {
  TaskStateBits b = TaskStateBits::legacy();
  EXPECT_EQ(crash_task_state(b, 0, 0), "RU");
  EXPECT_EQ(crash_task_state(b, 4, 0), "ZO");
  EXPECT_EQ(crash_task_state(b, 16, 0), "SW");
  EXPECT_EQ(crash_task_state(b, 1 | 32, 0), "INEX");
}

}  // namespace
}  // namespace vmscope::kernel
