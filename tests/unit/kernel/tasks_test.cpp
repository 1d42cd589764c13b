// The task walk on synthetic memory: a small kernel with init_task, two processes (one with
// threads), a second CPU's idle task reachable only through its runqueue, and then the ways
// the lists can be broken.
#include "kernel/tasks.h"

#include <gtest/gtest.h>

#include <cstring>

#include "testing/sparse_physical_memory.h"

namespace vmscope::kernel {
namespace {

class DirectMap : public AddressTranslator {
 public:
  static constexpr std::uint64_t kBase = 0xffff888000000000;
  Result<Translation> translate(std::uint64_t vaddr) const override {
    if (vaddr < kBase) return Error(ErrorCode::kAddressNotMapped, "unmapped", {.address = vaddr});
    return Translation{vaddr - kBase, 4096};
  }
};

std::uint64_t v(std::uint64_t p) {
  return DirectMap::kBase + p;
}

// A made-up task_struct (128 bytes): what matters is that the walk uses the layout's offsets.
TaskLayout test_layout() {
  TaskLayout l;
  l.init_task = v(0x10000);
  l.tasks = {.offset = 0, .size = 16};
  l.pid = {.offset = 16, .size = 4, .is_signed = true};
  l.tgid = {.offset = 20, .size = 4, .is_signed = true};
  l.comm = {.offset = 24, .size = 16};
  l.state = {.offset = 40, .size = 4};
  l.exit_state = {.offset = 44, .size = 4, .is_signed = true};
  l.cpu = {.offset = 48, .size = 4};
  l.real_parent = {.offset = 56, .size = 8};
  l.parent = {.offset = 64, .size = 8};
  l.group_leader = {.offset = 72, .size = 8};
  l.mm = {.offset = 80, .size = 8};
  l.stack = {.offset = 88, .size = 8};
  l.flags = {.offset = 96, .size = 4};
  l.prio = {.offset = 100, .size = 4, .is_signed = true};
  l.signal = {.offset = 104, .size = 8};
  l.thread_node = {.offset = 112, .size = 16};
  for (const Field& f :
       {l.tasks, l.pid, l.tgid, l.comm, l.state, l.exit_state, l.cpu, l.real_parent, l.parent,
        l.group_leader, l.mm, l.stack, l.flags, l.prio, l.signal, l.thread_node}) {
    l.task_span.add(f);
  }
  l.thread_head = {.offset = 0, .size = 16};
  l.mm_total_vm = {.offset = 0, .size = 8};
  l.mm_rss = {.offset = 8, .size = 32};
  l.mm_rss_stride = 8;
  l.mm_file = 0;
  l.mm_anon = 1;
  l.mm_shmem = 3;
  l.runqueues = 0x100;  // per-CPU offset
  l.rq_curr = {.offset = 0, .size = 8};
  l.rq_idle = {.offset = 8, .size = 8};
  l.task_state_array = v(0x900);
  l.task_state_array_length = 9;
  return l;
}

class TasksTest : public ::testing::Test {
 protected:
  // Physical homes of the objects.
  static constexpr std::uint64_t kInit = 0x10000, kInit1 = 0x11000, kProc = 0x12000,
                                 kThread = 0x13000, kDaemon = 0x14000, kIdle1 = 0x15000;
  static constexpr std::uint64_t kSignal = 0x20000;  // one signal_struct per group, 0x100 apart
  static constexpr std::uint64_t kMm = 0x30000;
  static constexpr std::uint64_t kPerCpu0 = 0x40000, kPerCpu1 = 0x50000;

  void SetUp() override {
    std::vector<std::uint8_t> zeros(0x1000);
    for (std::uint64_t page : {kInit, kInit1, kProc, kThread, kDaemon, kIdle1, kSignal, kMm,
                               kPerCpu0, kPerCpu1, std::uint64_t{0x900 & ~0xfffull}}) {
      physical_.write(page, zeros.data(), zeros.size());
    }
    const char* names[] = {"R (running)", "S (sleeping)",     "D (disk sleep)",
                           "T (stopped)", "t (tracing stop)", "X (dead)",
                           "Z (zombie)",  "P (parked)",       "I (idle)"};
    for (std::uint64_t i = 0; i < 9; ++i) {
      physical_.write_u64(0x900 + 8 * i, v(0xa00 + 0x20 * i));
      physical_.write(0xa00 + 0x20 * i, names[i], std::strlen(names[i]) + 1);
    }
    //          addr     pid tgid comm           state  cpu parent  mm   signal
    task(kInit, 0, 0, "swapper/0", 0, 0, kInit, 0, kSignal);
    task(kProc, 1, 1, "init", 0x2001, 1, kInit, kMm, kSignal + 0x100);
    task(kThread, 7, 1, "init-worker", 0x1, 0, kInit, kMm, kSignal + 0x100);
    task(kDaemon, 2, 2, "kthreadd", 0x402, 0, kInit, 0, kSignal + 0x200);
    task(kIdle1, 0, 0, "swapper/1", 0, 1, kProc, 0, kSignal + 0x300);
    ring(kInit + 0, {kProc + 0, kDaemon + 0});  // init_task.tasks
    ring(kSignal + 0x000, {kInit + 112});       // thread lists
    ring(kSignal + 0x100, {kProc + 112, kThread + 112});
    ring(kSignal + 0x200, {kDaemon + 112});
    ring(kSignal + 0x300, {kIdle1 + 112});
    // mm: total_vm 100 pages; file 10, anon 20, swap 99 (not resident), shmem 3.
    physical_.write_u64(kMm, 100);
    const std::uint64_t counters[] = {10, 20, 99, 3};
    for (std::size_t i = 0; i < 4; ++i) physical_.write_u64(kMm + 8 + 8 * i, counters[i]);
    // Per-CPU areas: rq.curr / rq.idle of CPU 0 and CPU 1.
    physical_.write_u64(kPerCpu0 + 0x100, v(kProc));
    physical_.write_u64(kPerCpu0 + 0x108, v(kInit));
    physical_.write_u64(kPerCpu1 + 0x100, v(kIdle1));
    physical_.write_u64(kPerCpu1 + 0x108, v(kIdle1));
    cpus_.possible = CpuMask({0b11});
    cpus_.online = CpuMask({0b01});
    cpus_.nr_cpu_ids = 2;
    cpus_.offsets = {v(kPerCpu0), v(kPerCpu1)};
  }

  void task(std::uint64_t at, std::int32_t pid, std::int32_t tgid, const char* comm,
            std::uint32_t state, std::uint32_t cpu, std::uint64_t parent, std::uint64_t mm,
            std::uint64_t signal) {
    physical_.write(at + 16, &pid, 4);
    physical_.write(at + 20, &tgid, 4);
    physical_.write(at + 24, comm, std::strlen(comm) + 1);
    physical_.write(at + 40, &state, 4);
    physical_.write(at + 48, &cpu, 4);
    physical_.write_u64(at + 56, v(parent));
    physical_.write_u64(at + 64, v(parent));
    physical_.write_u64(at + 80, mm ? v(mm) : 0);
    physical_.write_u64(at + 104, v(signal));
    const std::int32_t prio = 120;
    physical_.write(at + 100, &prio, 4);
  }
  // A list_head ring through physical addresses.
  void ring(std::uint64_t head, const std::vector<std::uint64_t>& nodes) {
    std::vector<std::uint64_t> all = {head};
    all.insert(all.end(), nodes.begin(), nodes.end());
    for (std::size_t i = 0; i < all.size(); ++i) {
      physical_.write_u64(all[i], v(all[(i + 1) % all.size()]));
      physical_.write_u64(all[i] + 8, v(all[(i + all.size() - 1) % all.size()]));
    }
  }
  Result<TaskList> list(const CpuInfo* cpus) { return list_tasks(memory_, layout_, cpus, {}); }

  testing::SparsePhysicalMemory physical_;
  DirectMap translator_;
  VirtualMemory memory_{physical_, translator_};
  TaskLayout layout_ = test_layout();
  CpuInfo cpus_;
};

TEST_F(TasksTest, ListsLeadersThreadsAndIdleTasks) {
  auto l = list(&cpus_);
  ASSERT_TRUE(l.ok()) << l.error().to_string();
  for (const Error& e : l->problems) ADD_FAILURE() << e.to_string();
  ASSERT_EQ(l->tasks.size(), 5u);
  // Sorted by pid, the idle tasks by CPU.
  EXPECT_EQ(l->tasks[0].comm, "swapper/0");
  EXPECT_EQ(l->tasks[1].comm, "swapper/1");
  EXPECT_EQ(l->tasks[2].comm, "init");
  EXPECT_EQ(l->tasks[3].comm, "kthreadd");
  EXPECT_EQ(l->tasks[4].comm, "init-worker");

  const Task& swapper1 = l->tasks[1];
  EXPECT_TRUE(swapper1.idle);
  EXPECT_EQ(swapper1.active_on_cpu, 1u);
  EXPECT_EQ(swapper1.cpu, 1u);
  EXPECT_EQ(swapper1.ppid, 1);  // real_parent is init (tgid 1)
  EXPECT_TRUE(l->tasks[0].idle);

  const Task& init = l->tasks[2];
  EXPECT_EQ(init.crash_state, "IN");
  EXPECT_EQ(init.ps_state, 'S');
  EXPECT_EQ(init.active_on_cpu, 0u);
  EXPECT_FALSE(init.kernel_thread);
  EXPECT_EQ(init.rss_pages, 33u);  // file + anon + shmem
  EXPECT_EQ(init.total_vm_pages, 100u);
  EXPECT_EQ(init.prio, 120);

  const Task& kthreadd = l->tasks[3];
  EXPECT_EQ(kthreadd.crash_state, "ID");
  EXPECT_EQ(kthreadd.ps_state, 'I');
  EXPECT_TRUE(kthreadd.kernel_thread);
  EXPECT_EQ(kthreadd.rss_pages, 0u);

  auto threads = l->threads_of(1);
  ASSERT_EQ(threads.size(), 2u);
  EXPECT_EQ(threads[0]->comm, "init");
  EXPECT_EQ(threads[1]->comm, "init-worker");
  EXPECT_EQ(threads[1]->tgid, 1);

  ASSERT_EQ(l->cpus.size(), 2u);
  EXPECT_EQ(l->cpus[1].idle, v(kIdle1));
}

TEST_F(TasksTest, CorruptNextIsPartialWithTheReasonAndRecoversBackwards) {
  physical_.write_u64(kProc + 0, 0xdead000000000100);  // init's tasks.next
  auto l = list(&cpus_);
  ASSERT_TRUE(l.ok()) << l.error().to_string();
  ASSERT_TRUE(l->partial());
  EXPECT_EQ(l->problems[0].code(), ErrorCode::kAddressNotMapped);
  EXPECT_NE(l->problems[0].message().find("init_task.tasks"), std::string::npos);
  EXPECT_NE(l->problems[0].message().find("recovered walking backwards"), std::string::npos);
  EXPECT_NE(l->find_pid(2), nullptr);  // kthreadd, beyond the break, is still there
  EXPECT_EQ(l->tasks.size(), 5u);
}

TEST_F(TasksTest, LoopInAThreadListIsPartialNotAHang) {
  // init-worker's thread_node.next points back at init's: the ring never returns to its head.
  physical_.write_u64(kThread + 112, v(kProc + 112));
  auto l = list(&cpus_);
  ASSERT_TRUE(l.ok()) << l.error().to_string();
  ASSERT_TRUE(l->partial());
  bool named = false;
  for (const Error& e : l->problems) {
    named |= e.message().find("threads of pid 1") != std::string::npos;
  }
  EXPECT_TRUE(named);
  EXPECT_NE(l->find_pid(7), nullptr);
}

TEST_F(TasksTest, UnreadableTaskIsAProblemNotAnError) {
  physical_.exclude_page(kThread);
  auto l = list(&cpus_);
  ASSERT_TRUE(l.ok()) << l.error().to_string();
  ASSERT_TRUE(l->partial());
  EXPECT_EQ(l->find_pid(7), nullptr);
  EXPECT_NE(l->find_pid(1), nullptr);
  bool excluded = false;
  for (const Error& e : l->problems) excluded |= e.code() == ErrorCode::kPageExcluded;
  EXPECT_TRUE(excluded);
}

TEST_F(TasksTest, WithoutPerCpuDataTheListSaysWhatIsMissing) {
  auto l = list(nullptr);
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->partial());
  EXPECT_EQ(l->tasks.size(), 4u);  // swapper/1 is only reachable through its runqueue
  EXPECT_FALSE(l->tasks[0].active_on_cpu);
}

TEST_F(TasksTest, UnreadableInitTaskIsAnError) {
  physical_.exclude_page(kInit);
  auto l = list(&cpus_);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().code(), ErrorCode::kPageExcluded);
}

TEST_F(TasksTest, StateNamesFallBackToLegacyWhenUnreadable) {
  TaskLayout l = layout_;
  l.task_state_array.reset();
  TaskStateBits bits = read_task_state_bits(memory_, l);
  EXPECT_EQ(bits.exclusive, 32u);  // the 2.4-era table
  bits = read_task_state_bits(memory_, layout_);
  EXPECT_EQ(bits.noload, 0x400u);
}

TEST_F(TasksTest, ReadTaskAlone) {
  auto t = read_task(memory_, layout_, read_task_state_bits(memory_, layout_), v(kThread));
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->pid, 7);
  EXPECT_EQ(t->ppid, 0);  // real_parent is init_task, tgid 0
  EXPECT_EQ(t->comm, "init-worker");
}

}  // namespace
}  // namespace vmscope::kernel
