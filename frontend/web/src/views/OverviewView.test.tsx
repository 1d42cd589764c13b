import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { at, fakeApi, renderWithApi } from "../test/fakeApi";
import { OverviewView } from "./OverviewView";

describe("OverviewView", () => {
  it("shows the triage report: title, panic, crashed task with frames, log, D-state tasks", async () => {
    at("/dumps/d1");
    const api = fakeApi({
      "triage/report": () => ({
        title: "sysrq triggered crash in sysrq_handle_crash",
        bucket: "5f1c2a",
        culprit: { function: "sysrq_handle_crash", module: null, file: "drivers/tty/sysrq.c", line: 154 },
        panicMessage: "sysrq triggered crash",
        sys: {
          release: "6.1.0-57-cloud-amd64",
          version: "#1 SMP",
          machine: "x86_64",
          cpus: 2,
          memoryBytes: 536870912,
          uptimeNs: 14e9,
          panicMessage: "sysrq triggered crash",
          crashedTask: null,
        },
        crashedTask: { pid: 180, comm: "vms-crasher", address: "0xffff8d77026aa0c0", cpu: 0, source: "panic_cpu" },
        backtrace: {
          frames: [
            { pc: "0xffffffffa5001000", function: "panic", offset: 0x10a, module: null, file: null, line: null, inline: false },
            {
              pc: "0xffffffffa5002000",
              function: "sysrq_handle_crash",
              offset: 0x16,
              module: null,
              file: "drivers/tty/sysrq.c",
              line: 154,
              inline: false,
            },
          ],
          endReason: "user mode",
          notes: [],
        },
        culpritTask: null,
        culpritBacktrace: null,
        log: [{ seq: 392, timestampNs: 13857113423, level: 0, text: "---[ end Kernel panic - not syncing: sysrq triggered crash ]---" }],
        blockedTasks: [{ pid: 120, comm: "kworker/u4:2", address: "0xffff8d7700001000", cpu: 1, crashState: "UN", functions: ["schedule", "io_schedule"] }],
        partial: false,
        problems: [],
      }),
    });
    renderWithApi(<OverviewView dumpId="d1" />, api);
    expect((await screen.findByTestId("panic-message")).textContent).toBe("sysrq triggered crash");
    expect(screen.getByTestId("crash-title").textContent).toBe("sysrq triggered crash in sysrq_handle_crash");
    expect(screen.getByRole("link", { name: "180 vms-crasher" }).getAttribute("href")).toBe("/dumps/d1/tasks/180");
    expect(screen.getByText("drivers/tty/sysrq.c:154")).toBeTruthy();
    expect(screen.getByText("512 MiB")).toBeTruthy();
    expect(screen.getByRole("link", { name: "120 kworker/u4:2" })).toBeTruthy();
    expect(screen.getByText("schedule ← io_schedule")).toBeTruthy();
    expect(screen.getByText("end: user mode")).toBeTruthy();
    expect(screen.getByText(/end Kernel panic/)).toBeTruthy();
  });
});
