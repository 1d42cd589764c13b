// The "Kernel structs" tree data against the real server and the real fixture dump: expand
// init_task to its members, find comm = "swapper/0", follow a pointer, page a long array.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StdioClient } from "../src/stdio/client";
import { PAGE, ValueTreeData, type ValueTreeNode } from "../src/tree/valueTree";
import { fixture, startClient } from "./fixture";

const f = fixture();
let client: StdioClient;
let dumpId: string;

beforeAll(async () => {
  client = startClient(f).client;
  dumpId = (await client.call("dump/open", { core: f.core, vmlinux: f.vmlinux, debugDir: f.debugDir })).dumpId;
});

afterAll(async () => {
  await client?.dispose();
});

async function child(data: ValueTreeData, node: ValueTreeNode, name: string): Promise<ValueTreeNode> {
  const children = await data.getChildren(node);
  const found = children.find((c) => c.value.name === name);
  if (!found) throw new Error(`${node.value.name} has no child ${name}: ${children.map((c) => c.value.name).join(", ")}`);
  return found;
}

describe("ValueTreeData on the real fixture dump", () => {
  it("expands init_task to comm = \"swapper/0\"", async () => {
    const data = new ValueTreeData(client);
    const root = await data.addRoot(dumpId, "init_task");
    expect(await data.getChildren()).toEqual([root]);
    const rootItem = data.getItem(root);
    expect(rootItem.label).toBe("init_task");
    expect(rootItem.description).toContain("struct task_struct");
    expect(rootItem.collapsible).toBe("collapsed");
    expect(rootItem.contextValue).toBe("root");

    const comm = await child(data, root, "comm");
    const item = data.getItem(comm);
    expect(item.label).toBe("comm");
    expect(item.description.startsWith('"swapper/0"')).toBe(true);
    expect(item.description).toMatch(/\(char ?\[16\]\)$/);
    expect(item.contextValue).toBe("value");
    expect(data.getParent(comm)).toBe(root);
  });

  it("follows a pointer member to its target's members", async () => {
    const data = new ValueTreeData(client);
    const root = await data.addRoot(dumpId, "init_task");
    // The idle task is its own parent: real_parent -> * -> comm is swapper/0 again.
    const parent = await child(data, root, "real_parent");
    expect(parent.value.kind).toBe("pointer");
    expect(data.getItem(parent).description).toContain(root.value.address!.replace(/^0x/, ""));
    const target = await child(data, parent, "*");
    expect(target.value.type).toMatch(/struct task_struct/);
    expect(data.getItem(await child(data, target, "comm")).description.startsWith('"swapper/0"')).toBe(true);
  });

  it("pages a long array behind a '… N more' node", async () => {
    const data = new ValueTreeData(client);
    const root = await data.addRoot(dumpId, "__per_cpu_offset");
    const total = root.value.childCount;
    expect(total).toBeGreaterThan(PAGE); // NR_CPUS elements
    const first = await data.getChildren(root);
    expect(first.length).toBe(PAGE + 1);
    const more = first[PAGE]!;
    expect(data.getItem(more).label).toBe(`… ${total - PAGE} more`);
    const second = await data.getChildren(more);
    expect(second[0]!.value.name).toBe(`[${PAGE}]`);
    expect(data.getParent(second[0]!)).toBe(more);
  });

  it("refuses a bad expression with the server's error, adding no root", async () => {
    const data = new ValueTreeData(client);
    await expect(data.addRoot(dumpId, "no_such_symbol_xyz")).rejects.toThrow(/from value\/evaluate/);
    expect(data.rootNodes.length).toBe(0);
  });
});
