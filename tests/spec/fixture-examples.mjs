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
};

export function byteOrder(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
