import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { at, fakeApi, renderWithApi } from "../test/fakeApi";
import { ExploreView, pointeeExpression } from "./ExploreView";

const root = {
  name: "init_task",
  type: "struct task_struct",
  address: "0xffffffffa6c1aa40",
  kind: "struct",
  hasChildren: true,
  childCount: 3,
  handle: 7,
  children: [
    { name: "pid", type: "pid_t", kind: "scalar", value: { display: "0" }, address: "0xffffffffa6c1af10" },
    {
      name: "comm",
      type: "char [16]",
      kind: "array",
      value: { display: "…", string: "swapper/0" },
      hasChildren: true,
      childCount: 16,
      handle: 8,
    },
  ],
};

describe("pointeeExpression", () => {
  it("follows typed, non-null pointers only", () => {
    const node = { name: "p", type: "struct task_struct *", kind: "pointer" as const, value: { display: "0xffff8d77026aa0c0" } };
    expect(pointeeExpression(node)).toBe("*(struct task_struct *)0xffff8d77026aa0c0");
    expect(pointeeExpression({ ...node, value: { display: "0x0" } })).toBeUndefined();
    expect(pointeeExpression({ ...node, type: "void *" })).toBeUndefined();
    expect(pointeeExpression({ ...node, type: "void (*)(int)" })).toBeUndefined();
    expect(pointeeExpression({ ...node, kind: "scalar" as const })).toBeUndefined();
  });
});

describe("ExploreView", () => {
  it("evaluates the URL's expression, shows inline children and loads the rest of a struct", async () => {
    at("/dumps/d1/explore?expr=init_task");
    const api = fakeApi({
      "value/evaluate": () => root,
      "value/children": (p) => ({
        total: 3,
        children: [
          {
            name: "parent",
            type: "struct task_struct *",
            kind: "pointer",
            value: { display: "0xffffffffa6c1aa40", symbol: "init_task" },
          },
        ].slice(0, 3 - Number(p.offset)),
        offset: p.offset,
      }),
    });
    const { container } = renderWithApi(<ExploreView dumpId="d1" />, api);
    await screen.findByText('"swapper/0"');
    expect(api.calls[0]).toEqual({ method: "value/evaluate", params: { dumpId: "d1", expression: "init_task" } });
    const pointer = await screen.findByRole("link", { name: "0xffffffffa6c1aa40" });
    expect(pointer.getAttribute("href")).toBe("/dumps/d1/explore?expr=*%28struct+task_struct+*%290xffffffffa6c1aa40");
    expect(api.calls[1]).toEqual({ method: "value/children", params: { dumpId: "d1", handle: 7, offset: 2, limit: 1000 } });
    expect(container.textContent).toContain("<init_task>");
  });

  it("pages a large array with 'more' instead of loading it all", async () => {
    at("/dumps/d1/explore?expr=big");
    const element = (i: number) => ({ name: `[${i}]`, type: "int", kind: "scalar", value: { display: String(i) }, hasChildren: false, childCount: 0 });
    const api = fakeApi({
      "value/evaluate": () => ({
        name: "big",
        type: "int [5000]",
        kind: "array",
        value: { display: "[5000]" },
        hasChildren: true,
        childCount: 5000,
        handle: 3,
        children: Array.from({ length: 100 }, (_, i) => element(i)),
      }),
      "value/children": (p) => ({
        offset: p.offset,
        total: 5000,
        // A short page (a server may answer fewer than asked), so jsdom renders few nodes.
        children: Array.from({ length: 10 }, (_, i) => element(Number(p.offset) + i)),
      }),
    });
    renderWithApi(<ExploreView dumpId="d1" />, api);
    const more = await screen.findByRole("button", { name: "4900 more…" });
    expect(api.calls.filter((c) => c.method === "value/children")).toHaveLength(0);
    act(() => {
      fireEvent.click(more);
    });
    await screen.findByRole("button", { name: "4890 more…" });
    expect(api.calls.find((c) => c.method === "value/children")?.params).toEqual({ dumpId: "d1", handle: 3, offset: 100, limit: 1000 });
  });

  it("points at the failing column of a bad expression", async () => {
    at("/dumps/d1/explore?expr=init_task.");
    const api = fakeApi({
      "value/evaluate": () => {
        throw { code: -32031, message: "expected a member name", data: { kind: "syntax-error", column: 11 } };
      },
    });
    const { container } = renderWithApi(<ExploreView dumpId="d1" />, api);
    await waitFor(() => expect(container.querySelector(".error-caret")).not.toBeNull());
    expect(container.querySelector(".error-caret")?.textContent).toBe("init_task.\n          ^");
    expect(screen.getByRole("alert").textContent).toContain("SyntaxError (-32031) from value/evaluate");
  });
});

describe("ExploreView list walk", () => {
  it("walks a list_head member and links each entry as its container", async () => {
    at("/dumps/d1/explore?expr=init_task");
    const task = {
      name: "init_task",
      type: "struct task_struct",
      address: "0xffffffffa6c1aa40",
      kind: "struct",
      value: { display: "{...}" },
      hasChildren: true,
      childCount: 1,
      children: [
        { name: "tasks", type: "struct list_head", kind: "struct", address: "0xffffffffa6c1af10", value: { display: "{...}" }, hasChildren: true, childCount: 2 },
      ],
    };
    const next: Record<string, string> = { "0xffffffffa6c1af10": "0xffff8d77011fa950", "0xffff8d77011fa950": "0xffffffffa6c1af10" };
    const api = fakeApi({
      "value/evaluate": (p) => {
        const m = /^\(\(struct list_head \*\)(0x[0-9a-f]+)\)->next$/.exec(String(p.expression));
        if (!m) return task;
        return { name: "next", type: "struct list_head *", kind: "pointer", value: { display: next[m[1]!] }, hasChildren: true, childCount: 1 };
      },
    });
    renderWithApi(<ExploreView dumpId="d1" />, api);
    const walk = await screen.findByRole("button", { name: "walk list" });
    act(() => {
      fireEvent.click(walk);
    });
    await screen.findByText(/1 entry — back at the head — as struct task_struct.tasks/);
    const link = new URL(screen.getByRole("link", { name: "0xffff8d77011fa950" }).getAttribute("href")!, "http://x");
    expect(link.pathname).toBe("/dumps/d1/explore");
    expect(link.searchParams.get("expr")).toBe("*container_of((struct list_head *)0xffff8d77011fa950, struct task_struct, tasks)");
  });
});
