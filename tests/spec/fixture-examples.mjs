// Which spec examples the coverage run checks exactly, and how their fixture-dependent values
// are filled in. The fixture's addresses move whenever it is rebuilt (KASLR), so the examples
// in protocol-spec/openrpc.json show one build's values; here each example that can be checked
// exactly gets its params and expected result from the oracle recordings (crash, drgn, binutils'
// nm of the same vmlinux) — never from vmscope itself. `ignore` lists keys removed (at any depth)
// from both sides before comparing: values no oracle records (a value handle, a search cursor,
// sizes nm does not print). Handles are session state, so `session` gives the live ones.
//
// An example not listed here is checked as @open-rpc/test-coverage checks it: equal, or else its
// result must validate against the method's result schema. Add an entry to make one exact.
//
// Each entry: "method|example name": ({oracle, session}) => ({params?, result?, ignore?}) where
// params (by name) and result replace the example's.

import { readFileSync } from "node:fs";
import path from "node:path";

const hex = (n) => "0x" + n.toString(16);

function memberOffset(oracle, structure, member) {
  const m = oracle.layouts.structs[structure].members.find((x) => x.name === member);
  if (!m) throw new Error(`${structure}.${member} is not in layouts.json`);
  return BigInt(m.bit_offset / 8);
}

export const fills = {
  "memory/read|read 8 bytes": ({ oracle }) => {
    const comm = BigInt(oracle.values["&init_task"]) + memberOffset(oracle, "task_struct", "comm");
    const text = Buffer.from(oracle.values["init_task.comm"].padEnd(16, "\0")).subarray(0, 8);
    return {
      params: { address: hex(comm), length: 8 },
      result: { address: hex(comm), data: text.toString("hex") },
    };
  },
  "memory/translate|a kernel text address": ({ oracle }) => {
    const entry = oracle.vtop.addresses.find((a) => a.kind === "kernel-symbol" && !a.error);
    return {
      params: { address: entry.address },
      result: { address: entry.address, physical: entry.physical },
      ignore: ["pageSize"],
    };
  },
  "symbols/lookup|by name": ({ oracle }) => ({
    params: { name: "init_task" },
    result: {
      name: "init_task",
      address: oracle.values["&init_task"],
      size: oracle.layouts.structs.task_struct.size,
      kind: "object",
      binding: "global",
    },
  }),
  "symbols/lookup|by address": ({ oracle }) => {
    const s = oracle.symbols.symbols.find((x) => x.lookup.name === x.name && x.lookup.offset > 0);
    return {
      params: { address: s.probe },
      result: {
        name: s.name,
        address: s.address,
        size: s.size,
        kind: s.kind,
        binding: s.binding,
        offset: s.lookup.offset,
        text: `${s.name}+0x${s.lookup.offset.toString(16)}`,
      },
    };
  },
  "symbols/search|a prefix, first page": ({ oracle }) => {
    const names = [...oracle.nm.keys()].filter((n) => n.startsWith("jiffies")).sort(byteOrder);
    return {
      params: { query: "jiffies", limit: 2 },
      result: {
        symbols: names.slice(0, 2).map((name) => ({ name, address: oracle.nm.get(name) })),
        nextCursor: "",
      },
      ignore: ["size", "kind", "binding", "nextCursor"],
    };
  },
  "types/get|a struct": ({ oracle }) => ({
    result: {
      name: "struct list_head",
      kind: "struct",
      complete: true,
      size: oracle.layouts.structs.list_head.size,
      members: oracle.layouts.structs.list_head.members.map((m) => ({
        name: m.name,
        type: m.type,
        offset: m.bit_offset / 8,
        bitOffset: m.bit_offset,
      })),
    },
  }),
  "types/get|a typedef": () => ({}),  // C facts of this kernel: the spec's values as written
  "value/evaluate|a char array": ({ oracle }) => ({
    result: {
      name: "init_task.comm",
      type: "char [16]",
      kind: "array",
      address: hex(BigInt(oracle.values["&init_task"]) + memberOffset(oracle, "task_struct", "comm")),
      value: { display: JSON.stringify(oracle.values["init_task.comm"]), string: oracle.values["init_task.comm"] },
      hasChildren: true,
      childCount: 16,
    },
    ignore: ["handle"],
  }),
  "value/evaluate|a scalar": ({ oracle }) => ({
    result: {
      name: "jiffies",
      type: "volatile unsigned long",
      kind: "scalar",
      address: oracle.nm.get("jiffies"),
      value: { display: String(oracle.values.jiffies) },
      hasChildren: false,
      childCount: 0,
    },
  }),
  "value/evaluate|a pointer": ({ oracle }) => ({
    result: {
      name: "init_task.tasks.next",
      type: "struct list_head *",
      kind: "pointer",
      address: hex(BigInt(oracle.values["&init_task"]) + memberOffset(oracle, "task_struct", "tasks")),
      value: { display: oracle.values["init_task.tasks.next"] },
      hasChildren: true,
      childCount: 1,
    },
    ignore: ["handle", "children"],
  }),
  "value/children|the first member of init_task": ({ oracle, session }) => ({
    params: { handle: session.initTaskHandle, offset: 0, limit: 1 },
    result: {
      offset: 0,
      total: oracle.layouts.structs.task_struct.members.length,
      children: [
        {
          name: "thread_info",
          type: "struct thread_info",
          kind: "struct",
          address: oracle.values["&init_task"],
          value: { display: "{...}" },
          hasChildren: true,
          childCount: oracle.layouts.structs.thread_info.members.length,
        },
      ],
    },
    ignore: ["handle"],
  }),
  // The next ten crash commands, from crash's recordings of the same dump (oracle/crash/*.txt).
  "kernel/runQueues|run queues of the fixture": () => ({
    result: { cpus: crashRunq().map(({ cpu, runqueue, current, rtPrioArray, rt, cfsRoot, cfs }) =>
      ({ cpu, runqueue, current, rtPrioArray, rt, cfsRoot, cfs })), partial: false, problems: [] },
    ignore: ["online", "depth", "dlRoot", "dl"],
  }),
  "kernel/mounts|mounts of the fixture": () => ({
    result: {
      mounts: crashRows("mount.txt", /^([0-9a-f]{16}) ([0-9a-f]{16}) +(\S+) +(\S+) +(\S+)/).map(
        ([mount, superBlock, type, devname, dirname]) =>
          ({ mount: "0x" + mount, superBlock: "0x" + superBlock, type, devname, dirname })),
      partial: false,
      problems: [],
    },
    ignore: ["mntNamespace"],
  }),
  "tasks/files|files of pid 104": () => {
    const text = crashRecording("files.txt").split("\n\n")[0];
    const [, pid, task, cpu, comm] = text.match(/PID: (\d+) +TASK: ([0-9a-f]+) +CPU: (\d+) +COMMAND: "(.*)"/);
    const [, root, cwd] = text.match(/ROOT: (\S+) +CWD: (\S+)/);
    const files = [...text.matchAll(/^ *(\d+) ([0-9a-f]{16}) ([0-9a-f]{16}) ([0-9a-f]{16}) (\S+) +(.*)$/gm)].map(
      ([, fd, file, dentry, inode, type, path]) =>
        ({ fd: Number(fd), file: "0x" + file, dentry: "0x" + dentry, inode: "0x" + inode, type, path: path.trim() }));
    return {
      params: { pid: Number(pid) },
      result: { task: { pid: Number(pid), comm, address: "0x" + task, cpu: Number(cpu) }, root, cwd, files, partial: false, problems: [] },
      ignore: ["active", "filesStruct", "maxFds"],
    };
  },
  "tasks/memoryMap|memory map of pid 106": () => {
    const text = crashRecording("vm.txt").split("\n\n")[0];
    const [, pid, task, cpu, comm] = text.match(/PID: (\d+) +TASK: ([0-9a-f]+) +CPU: (\d+) +COMMAND: "(.*)"/);
    const [, mm, pgd] = text.match(/^([0-9a-f]{16}) +([0-9a-f]{16}) /m);
    const areas = [...text.matchAll(/^([0-9a-f]{16}) +([0-9a-f]+) +([0-9a-f]+) +([0-9a-f]+) ?(.*)$/gm)].map(
      ([, vma, start, end, flags, path]) =>
        ({ vma: "0x" + vma, start: "0x" + start, end: "0x" + end, flags: "0x" + flags, path: path.trim() || null }));
    return {
      params: { pid: Number(pid) },
      result: { task: { pid: Number(pid), comm, address: "0x" + task, cpu: Number(cpu) }, mm: "0x" + mm, pgd: "0x" + pgd, areas, partial: false, problems: [] },
      ignore: ["active", "file"],
    };
  },
  "kernel/netDevices|network devices of the fixture": () => ({
    result: {
      devices: crashRows("net.txt", /^([0-9a-f]{16}) +(\S+) *(.*)$/).map(([address, name, ips]) => {
        const all = ips.split(",").map((x) => x.trim()).filter((x) => x);
        return { address: "0x" + address, name, ipv4: all.filter((x) => !x.includes(":")), ipv6: all.filter((x) => x.includes(":")) };
      }),
      partial: false,
      problems: [],
    },
  }),
  "memory/summary|memory summary of the fixture": () => {
    const pages = new Map(crashRows("kmem-i.txt", /^ *([A-Z][A-Z ]+?) +(\d+) /));
    const at = (label) => Number(pages.get(label));
    return {
      result: {
        totalPages: at("TOTAL MEM"), freePages: at("FREE"), usedPages: at("USED"), sharedPages: at("SHARED"),
        bufferPages: at("BUFFERS"), cachedPages: at("CACHED"), slabPages: at("SLAB"),
        hugeTotalPages: at("TOTAL HUGE"), hugeFreePages: at("HUGE FREE"),
        swapTotalPages: at("TOTAL SWAP"), swapFreePages: at("SWAP FREE"), swapUsedPages: at("SWAP USED"),
        commitLimitPages: at("COMMIT LIMIT"), committedPages: at("COMMITTED"),
        partial: false, problems: [],
      },
      ignore: ["pageSize"],
    };
  },
  "kernel/irqs|IRQs of the fixture": () => {
    const rows = crashRows("irq.txt", /^ *(\d+) +([0-9a-f]{16}|\(unused\)) /);
    return {
      result: {
        nrIrqs: rows.length,
        irqs: rows.filter(([, desc]) => desc !== "(unused)").map(([irq, desc]) => ({ irq: Number(irq), desc: "0x" + desc })),
        partial: false,
        problems: [],
      },
      ignore: ["actions"],  // crash prints the first action of a shared line only
    };
  },
  "kernel/devices|devices of the fixture": () => {
    const [chr, blk] = crashRecording("dev.txt").split("BLKDEV");
    const rows = (text) => [...text.matchAll(/^ *(\d+) +(\S+) +([0-9a-f]{16}|\(none\)) *(\S*) *$/gm)].map(
      ([, major, name, address, ops]) => ({ major: Number(major), name, address: address === "(none)" ? null : "0x" + address, operationsName: ops || null }));
    return {
      result: {
        charDevices: rows(chr).map(({ address, ...r }) => ({ ...r, cdev: address })),
        blockDevices: rows(blk).map(({ address, ...r }) => ({ ...r, gendisk: address })),
        partial: false,
        problems: [],
      },
      ignore: ["region", "baseMinor", "minorCount", "operations", "majorName", "disks"],
    };
  },
  "percpu/read|runqueues": ({ oracle }) => ({
    params: { name: "runqueues", length: 8 },
    result: {
      name: "runqueues",
      type: "struct rq",
      size: oracle.layouts.structs.rq.size,
      copies: crashRunq().map(({ cpu, runqueue }) => ({ cpu, address: runqueue })),
      partial: false,
      problems: [],
    },
    ignore: ["linkAddress", "data"],
  }),
};

export function byteOrder(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

// A crash recording of the fixture (oracle/crash/<name>), for the next-ten examples.
function crashRecording(name) {
  const dir = process.env.VMSCOPE_FIXTURES || "/var/cache/vmscope/fixtures/current";
  return readFileSync(path.join(dir, "oracle", "crash", name), "utf8");
}

// The capture groups of every line of a crash recording that matches `re`.
function crashRows(name, re) {
  return crashRecording(name).split("\n").map((line) => line.match(re)).filter((m) => m).map((m) => m.slice(1));
}

// crash's runq: per CPU its run queue, current task, RT array and CFS root, and the queued tasks.
function crashRunq() {
  const task = (m) => ({ pid: Number(m[1]), address: "0x" + m[2], comm: m[3] });
  return crashRecording("runq.txt").split(/\n(?=CPU \d+ RUNQUEUE)/).map((block) => {
    const [, cpu, runqueue] = block.match(/CPU (\d+) RUNQUEUE: ([0-9a-f]+)/);
    const current = task(block.match(/CURRENT: PID: (\d+) +TASK: ([0-9a-f]+) +COMMAND: "(.*)"/));
    const [rtPart, cfsPart] = block.split("CFS RB_ROOT");
    const queued = (text) => [...text.matchAll(/\[ *(\d+)\] PID: (\d+) +TASK: ([0-9a-f]+) +COMMAND: "(.*)"/g)].map(
      (m) => ({ ...task(m.slice(1)), prio: Number(m[1]) }));
    return {
      cpu: Number(cpu),
      runqueue: "0x" + runqueue,
      current,
      rtPrioArray: "0x" + block.match(/RT PRIO_ARRAY: ([0-9a-f]+)/)[1],
      rt: queued(rtPart),
      cfsRoot: "0x" + block.match(/CFS RB_ROOT: ([0-9a-f]+)/)[1],
      cfs: queued(cfsPart),
    };
  });
}
