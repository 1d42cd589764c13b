import { describe, expect, it } from "vitest";
import { filterAndSortTasks, taskMatcher, type Task } from "./taskFilter";

function task(pid: number, comm: string, extra: Partial<Task> = {}): Task {
  const base: Task = {
    pid,
    tgid: pid,
    ppid: 1,
    comm,
    state: "S",
    crashState: "IN",
    cpu: 0,
    address: `0xffff8d77${pid.toString(16).padStart(8, "0")}`,
    active: false,
    idle: false,
    kernelThread: false,
    rssBytes: 0,
    vmBytes: 0,
    prio: 120,
    flags: "0x0",
    rawState: "0x1",
    exitState: "0x0",
    parent: "0x0",
    mm: "0x0",
    stack: "0x0",
  };
  return { ...base, ...extra };
}

const tasks: Task[] = [
  task(0, "swapper/0", { state: "R", ppid: 0, address: "0xffffffffa6c1aa40" }),
  task(0, "swapper/1", { state: "R", ppid: 0, cpu: 1, address: "0xffff8d7701260000" }),
  task(1, "init", { ppid: 0 }),
  task(2, "kthreadd", { ppid: 0 }),
  task(180, "vms-crasher", { state: "R", cpu: 0 }),
  task(99, "vms-sleeper-1"),
  task(120, "kworker/u4:2", { state: "D", ppid: 2, cpu: 1 }),
];

describe("sorting by RSS", () => {
  it("orders by resident bytes, largest first when descending, ties by pid", () => {
    const withRss = [task(5, "a", { rssBytes: 4096 }), task(3, "b", { rssBytes: 1 << 20 }), task(4, "c", { rssBytes: 4096 }), task(2, "kthreadd", { kernelThread: true })];
    expect(filterAndSortTasks(withRss, "", { column: "rss", descending: true }).map((t) => t.pid)).toEqual([3, 4, 5, 2]);
    expect(filterAndSortTasks(withRss, "", { column: "rss", descending: false }).map((t) => t.pid)).toEqual([2, 4, 5, 3]);
  });
});

describe("taskMatcher", () => {
  it("matches comm substrings, pids, and key:value words", () => {
    const names = (filter: string) => tasks.filter(taskMatcher(filter)).map((t) => t.comm);
    expect(names("vms")).toEqual(["vms-crasher", "vms-sleeper-1"]);
    expect(names("180")).toEqual(["vms-crasher"]);
    expect(names("state:D")).toEqual(["kworker/u4:2"]);
    expect(names("S:r cpu:1")).toEqual(["swapper/1"]);
    expect(names("ppid:2")).toEqual(["kworker/u4:2"]);
    expect(names("0xffffffffa6c1")).toEqual(["swapper/0"]);
    expect(names("")).toHaveLength(tasks.length);
  });
});

describe("filterAndSortTasks", () => {
  it("sorts by any column either way, ties by pid then address", () => {
    expect(filterAndSortTasks(tasks, "", { column: "pid", descending: false }).map((t) => t.comm).slice(0, 3)).toEqual([
      "swapper/1",
      "swapper/0",
      "init",
    ]);
    expect(filterAndSortTasks(tasks, "", { column: "comm", descending: true })[0]?.comm).toBe("vms-sleeper-1");
    expect(filterAndSortTasks(tasks, "", { column: "address", descending: true })[0]?.comm).toBe("swapper/0");
    expect(filterAndSortTasks(tasks, "vms", { column: "pid", descending: true }).map((t) => t.pid)).toEqual([180, 99]);
  });

  it("filters and sorts 10,000 tasks correctly (time printed, not asserted)", () => {
    const many: Task[] = [];
    for (let i = 0; i < 10_000; i++) many.push(task(i + 1, `worker-${(i * 7919) % 10_000}`, { cpu: i % 64 }));
    const start = performance.now();
    const sorted = filterAndSortTasks(many, "", { column: "comm", descending: false });
    const filtered = filterAndSortTasks(many, "worker-99", { column: "pid", descending: true });
    const elapsed = performance.now() - start;
    expect(sorted).toHaveLength(10_000);
    expect(sorted[0]?.comm).toBe("worker-0");
    expect(filtered.every((t) => t.comm.includes("worker-99"))).toBe(true);
    console.log(`filter and sort of 10,000 tasks: ${elapsed.toFixed(1)} ms`);
  });
});
