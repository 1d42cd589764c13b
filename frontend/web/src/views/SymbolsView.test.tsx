import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { at, fakeApi, renderWithApi } from "../test/fakeApi";
import { SymbolsView } from "./SymbolsView";

const catalog = ["init_task", "init_task_struct_x", "init_uts_ns", "jiffies"].map((name, i) => ({
  name,
  address: `0xffffffffa6c1${(0xaa40 + i * 0x100).toString(16)}`,
  size: 9728,
  kind: "object" as const,
}));

describe("SymbolsView", () => {
  it("searches as you type, picks with the keyboard, and shows address and value", async () => {
    at("/dumps/d1/symbols");
    const api = fakeApi({
      "symbols/search": (p) => ({ symbols: catalog.filter((s) => s.name.startsWith(String(p.query))) }),
      "symbols/lookup": (p) => catalog.find((s) => s.name === p.name),
      "value/evaluate": (p) => ({
        name: p.expression,
        type: "struct task_struct",
        kind: "struct",
        value: { display: "{...}" },
        hasChildren: true,
        childCount: 200,
      }),
    });
    renderWithApi(<SymbolsView dumpId="d1" />, api);
    const input = screen.getByLabelText("search symbols");
    act(() => {
      fireEvent.change(input, { target: { value: "init_t" } });
    });
    await screen.findByText("2 matches");
    expect(api.calls.filter((c) => c.method === "symbols/search").map((c) => c.params)).toEqual([
      { dumpId: "d1", query: "init_t", mode: "prefix", limit: 200 },
    ]);
    act(() => {
      fireEvent.keyDown(input, { key: "ArrowDown" });
      fireEvent.keyDown(input, { key: "ArrowUp" });
      fireEvent.keyDown(input, { key: "Enter" });
    });
    expect(window.location.search).toBe("?q=init_t&name=init_task");
  });

  it("shows the chosen symbol from the URL with links to memory and the explorer", async () => {
    at("/dumps/d1/symbols?q=init&name=init_task");
    const api = fakeApi({
      "symbols/search": () => ({ symbols: catalog }),
      "symbols/lookup": (p) => catalog.find((s) => s.name === p.name),
      "value/evaluate": () => ({ name: "init_task", type: "struct task_struct", kind: "struct", value: { display: "{...}" }, hasChildren: true, childCount: 1 }),
    });
    renderWithApi(<SymbolsView dumpId="d1" />, api);
    const address = await screen.findByRole("link", { name: "0xffffffffa6c1aa40" });
    expect(address.getAttribute("href")).toBe("/dumps/d1/memory?addr=0xffffffffa6c1aa40");
    await waitFor(() => expect(screen.getByRole("link", { name: "explore" }).getAttribute("href")).toBe("/dumps/d1/explore?expr=init_task"));
  });

  it("pages on with the cursor", async () => {
    at("/dumps/d1/symbols?mode=substring");
    const api = fakeApi({
      "symbols/search": (p) => (p.cursor ? { symbols: catalog.slice(2) } : { symbols: catalog.slice(0, 2), nextCursor: "c2" }),
    });
    renderWithApi(<SymbolsView dumpId="d1" />, api);
    act(() => {
      fireEvent.change(screen.getByLabelText("search symbols"), { target: { value: "i" } });
    });
    await screen.findByText("2+ matches");
    act(() => {
      fireEvent.click(screen.getByRole("button", { name: "more…" }));
    });
    await screen.findByText("4 matches");
    expect(api.calls.map((c) => c.params.mode)).toEqual(["substring", "substring"]);
    expect(api.calls[1]?.params.cursor).toBe("c2");
  });
});
