import { describe, expect, it } from "vitest";
import { fakeApi } from "../test/fakeApi";
import { entryExpression, walkList } from "./listWalk";

// A fake memory of list_heads: address -> next.
function listApi(next: Record<string, string>) {
  return fakeApi({
    "value/evaluate": (p) => {
      const match = /^\(\(struct list_head \*\)(0x[0-9a-f]+)\)->next$/.exec(String(p.expression));
      if (!match) throw { code: -32031, message: `unexpected expression ${String(p.expression)}` };
      const value = next[match[1]!];
      if (value === undefined) throw { code: -32010, message: `not mapped: ${match[1]}`, data: { kind: "address-not-mapped", address: match[1] } };
      return { name: "next", type: "struct list_head *", kind: "pointer", value: { display: value }, hasChildren: true, childCount: 1 };
    },
  });
}

describe("walkList", () => {
  it("follows next pointers until they return to the head", async () => {
    const api = listApi({ "0x100": "0x200", "0x200": "0x300", "0x300": "0x100" });
    expect(await walkList(api.client, "d", "0x100")).toEqual({ entries: ["0x200", "0x300"], end: "head" });
    expect(api.calls[0]?.params).toEqual({ dumpId: "d", expression: "((struct list_head *)0x100)->next", depth: 0 });
  });

  it("stops at a loop that skips the head, at NULL and at the limit", async () => {
    expect(await walkList(listApi({ "0x100": "0x200", "0x200": "0x300", "0x300": "0x200" }).client, "d", "0x100")).toEqual({
      entries: ["0x200", "0x300"],
      end: "loop",
    });
    expect(await walkList(listApi({ "0x100": "0x200", "0x200": "0x0" }).client, "d", "0x100")).toEqual({ entries: ["0x200"], end: "null" });
    const ring: Record<string, string> = {};
    for (let i = 1; i <= 50; i++) ring[`0x${(i * 16).toString(16)}`] = `0x${(((i % 50) + 1) * 16).toString(16)}`;
    expect((await walkList(listApi(ring).client, "d", "0x10", { limit: 10 })).end).toBe("limit");
  });

  it("fails with the server's error when a next pointer cannot be read", async () => {
    await expect(walkList(listApi({ "0x100": "0x200" }).client, "d", "0x100")).rejects.toMatchObject({ code: -32010 });
  });
});

describe("entryExpression", () => {
  it("uses container_of when the list_head's container is known", () => {
    expect(entryExpression("0xffff8d77011fa950", "struct task_struct", "tasks")).toBe(
      "*container_of((struct list_head *)0xffff8d77011fa950, struct task_struct, tasks)",
    );
    expect(entryExpression("0x10", undefined, "modules")).toBe("*(struct list_head *)0x10");
    expect(entryExpression("0x10", "struct list_head [4]", "x")).toBe("*(struct list_head *)0x10");
  });
});
