import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { at, fakeApi, renderWithApi } from "../test/fakeApi";
import { TaskView } from "./TaskView";

const tasks = [
  { pid: 0, tgid: 0, ppid: 0, comm: "swapper/0", state: "R", cpu: 0, address: "0xffffffffa6c1aa40" },
  { pid: 0, tgid: 0, ppid: 0, comm: "swapper/1", state: "R", cpu: 1, address: "0xffff8d7701260000" },
  { pid: 180, tgid: 180, ppid: 1, comm: "vms-crasher", state: "R", cpu: 0, address: "0xffff8d77026aa0c0" },
];
const frames = [
  { pc: "0xffffffffa5c10e3d", function: "context_switch", offset: 845, file: "kernel/sched/core.c", line: 5257, inline: true },
  { pc: "0xffffffffa5c10e3d", function: "__schedule", offset: 845, file: "kernel/sched/core.c", line: 6584 },
  { pc: "0x460a63" },
];

describe("TaskView", () => {
  it("shows the task's facts and its frames: function+offset, inline, file:line, pc link", async () => {
    at("/dumps/d1/tasks/180");
    const api = fakeApi({ "tasks/list": () => ({ tasks }), "tasks/backtrace": () => ({ frames }) });
    const { container } = renderWithApi(<TaskView dumpId="d1" pid="180" />, api);
    await screen.findByText("vms-crasher");
    await screen.findByText("kernel/sched/core.c:5257");
    expect(api.calls.find((c) => c.method === "tasks/backtrace")?.params).toEqual({ dumpId: "d1", pid: 180 });
    const cells = [...container.querySelectorAll("td.frame-function")].map((c) => c.textContent);
    expect(cells).toEqual(["context_switch+0x34dinline", "__schedule+0x34d", "??"]);
    expect(screen.getByRole("link", { name: "0x460a63" }).getAttribute("href")).toBe("/dumps/d1/memory?addr=0x460a63");
    expect(screen.getByRole("link", { name: "task_struct 0xffff8d77026aa0c0" })).toBeTruthy();
  });

  it("asks by task address for an idle task (pid 0)", async () => {
    at("/dumps/d1/tasks/0?address=0xffff8d7701260000");
    const api = fakeApi({ "tasks/list": () => ({ tasks }), "tasks/backtrace": () => ({ frames: [] }) });
    renderWithApi(<TaskView dumpId="d1" pid="0" />, api);
    await screen.findByText("swapper/1");
    expect(api.calls.find((c) => c.method === "tasks/backtrace")?.params).toEqual({ dumpId: "d1", address: "0xffff8d7701260000" });
  });
});
