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
    const api = fakeApi({ "tasks/list": () => ({ tasks: tasks(10_000) }) });
    const { container } = renderWithApi(<TasksView dumpId="d1" />, api);
    await screen.findByText("10000 tasks");
    expect(api.calls[0]).toEqual({ method: "tasks/list", params: { dumpId: "d1" } });
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
