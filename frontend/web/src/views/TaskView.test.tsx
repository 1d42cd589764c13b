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
    expect(api.calls.find((c) => c.method === "tasks/backtrace")?.params).toEqual({ dumpId: "d1", pid: 180, variables: true });
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
    expect(api.calls.find((c) => c.method === "tasks/backtrace")?.params).toEqual({ dumpId: "d1", address: "0xffff8d7701260000", variables: true });
  });

  it("expands a frame to its arguments and locals: values, why one is missing, explore links", async () => {
    at("/dumps/d1/tasks/180");
    const withVariables = [
      {
        pc: "0xffffffffa56d1234",
        function: "__handle_sysrq",
        offset: 100,
        variables: [
          { name: "key", kind: "argument", type: "u8", size: 1, bytes: "63", value: "0x63" },
          { name: "check_mask", kind: "argument", type: "bool", size: 1, unavailable: "optimized out (entry value)" },
          { name: "op_p", kind: "local", type: "const struct sysrq_key_op *", size: 8, bytes: "e0d22da6ffffffff", value: "0xffffffffa62dd2e0" },
        ],
      },
      { pc: "0xffffffffa56d5678", function: "write_sysrq_trigger", offset: 4, variables: [] },
    ];
    const api = fakeApi({ "tasks/list": () => ({ tasks }), "tasks/backtrace": () => ({ frames: withVariables }) });
    const { container } = renderWithApi(<TaskView dumpId="d1" pid="180" />, api);
    const toggle = await screen.findByRole("button", { name: "show arguments and locals of frame 0" });
    expect(container.querySelector("table.frame-variables")).toBeNull();
    toggle.click();
    await screen.findByText("optimized out (entry value)");
    const names = [...container.querySelectorAll("table.frame-variables td.variable-name")].map((c) => c.textContent);
    expect(names).toEqual(["key", "check_mask", "op_p"]);
    const values = [...container.querySelectorAll("table.frame-variables td.variable-value")].map((c) => c.textContent);
    expect(values).toEqual(["0x63", "optimized out (entry value)", "0xffffffffa62dd2e0"]);
    const explore = screen.getByRole("link", { name: "explore" });
    const query = new URLSearchParams((explore.getAttribute("href") ?? "").split("?")[1]);
    expect(query.get("expr")).toBe("*(const struct sysrq_key_op *)0xffffffffa62dd2e0");
    (await screen.findByRole("button", { name: "show arguments and locals of frame 1" })).click();
    await screen.findByText("No arguments or locals known here.");
  });
});
