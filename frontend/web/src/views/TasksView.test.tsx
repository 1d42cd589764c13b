import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { at, fakeApi, renderWithApi } from "../test/fakeApi";
import { TasksView } from "./TasksView";

function tasks(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    pid: i + 1,
    tgid: i + 1,
    ppid: 1,
    comm: i === 4242 ? "vms-crasher" : `task-${i + 1}`,
    state: i % 10 === 0 ? "D" : "S",
    cpu: i % 2,
    address: `0xffff8d77${(i + 1).toString(16).padStart(8, "0")}`,
  }));
}

describe("TasksView", () => {
  it("renders 10,000 tasks virtualized, filters through the URL and opens a task with Enter", async () => {
    at("/dumps/d1/tasks");
    const all = tasks(10_000);
    const api = fakeApi({
      "tasks/list": (p) => {
        const offset = Number(p.offset ?? 0);
        return { tasks: all.slice(offset, offset + 6000), total: all.length, offset, partial: false, problems: [] };
      },
    });
    const { container } = renderWithApi(<TasksView dumpId="d1" />, api);
    await screen.findByText("10000 tasks");
    expect(api.calls.map((c) => c.params)).toEqual([
      { dumpId: "d1", offset: 0, limit: 100000 },
      { dumpId: "d1", offset: 6000, limit: 100000 },
    ]);
    expect(container.querySelectorAll(".vtable-row").length).toBeLessThan(80);

    const filter = screen.getByLabelText("filter tasks");
    act(() => {
      fireEvent.change(filter, { target: { value: "crasher" } });
    });
    expect(window.location.search).toBe("?q=crasher");
    await screen.findByText("1 of 10000 tasks");
    expect(container.querySelector(".vtable-row")?.getAttribute("data-pid")).toBe("4243");

    act(() => {
      fireEvent.keyDown(filter, { key: "Enter" });
    });
    expect(window.location.pathname).toBe("/dumps/d1/tasks/4243");
  });

  it("sorts by a column header, descending on the second click", async () => {
    at("/dumps/d1/tasks");
    const api = fakeApi({ "tasks/list": () => ({ tasks: tasks(30) }) });
    const { container } = renderWithApi(<TasksView dumpId="d1" />, api);
    await screen.findByText("30 tasks");
    act(() => {
      fireEvent.click(screen.getByRole("button", { name: "pid ▲" }));
    });
    await waitFor(() => expect(container.querySelector(".vtable-row")?.getAttribute("data-pid")).toBe("30"));
    expect(window.location.search).toBe("?sort=-pid");
  });

  it("warns when the server could read only part of the task list", async () => {
    at("/dumps/d1/tasks");
    const api = fakeApi({
      "tasks/list": () => ({
        tasks: tasks(3),
        total: 3,
        offset: 0,
        partial: true,
        problems: [{ code: -32011, message: "page excluded at 0xffff8d7702000000", data: { kind: "page-excluded", address: "0xffff8d7702000000" } }],
      }),
    });
    const { container } = renderWithApi(<TasksView dumpId="d1" />, api);
    await screen.findByText("3 tasks");
    const problems = container.querySelector(".problems")!;
    expect(problems.textContent).toContain("the task list is partial: 1 problem");
    expect(problems.textContent).toContain("PageExcluded (-32011) page excluded at 0xffff8d7702000000");
    expect(problems.textContent).toContain("address=0xffff8d7702000000");
  });

  it("shows the server's error instead of a table", async () => {
    at("/dumps/d1/tasks");
    const api = fakeApi({});
    renderWithApi(<TasksView dumpId="d1" />, api);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("MethodNotFound (-32601) from tasks/list");
  });
});

describe("TasksView cache", () => {
  it("fetches a dump's tasks once for every view that shows them", async () => {
    at("/dumps/d1/tasks");
    const api = fakeApi({ "tasks/list": () => ({ tasks: tasks(5) }) });
    const first = renderWithApi(<TasksView dumpId="d1" />, api);
    await screen.findByText("5 tasks");
    first.unmount();
    renderWithApi(<TasksView dumpId="d1" />, api);
    await screen.findByText("5 tasks");
    expect(api.calls.filter((c) => c.method === "tasks/list")).toHaveLength(1);
  });
});
