import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { at, fakeApi, renderWithApi } from "../test/fakeApi";
import { DumpsPage } from "./DumpsPage";

const dump = {
  dumpId: "dump-1",
  core: "/var/crash/vmcore",
  format: "elf",
  openedAt: "2026-11-29T15:00:00Z",
  release: "6.1.0-57-cloud-amd64",
  kernelOffset: "0x24200000",
  fiveLevelPaging: false,
};

const received = {
  source: "received" as const,
  receivedId: "10.0.0.7-2026-11-29-14:58:03",
  host: "web-7",
  address: "10.0.0.7",
  hostId: "0x1",
  sessionId: "0x2",
  status: "incomplete" as const,
  reason: "lost-packets",
  started: "2026-11-29T14:58:03Z",
  finished: "2026-11-29T14:58:40Z",
  bytes: 1048576,
  pages: { total: 1000, received: 990, missing: 10 },
  release: "6.1.0-57-cloud-amd64",
  panicTitle: "Kernel panic - not syncing: sysrq triggered crash",
  bucketId: null,
  directory: "/var/crash/10.0.0.7-2026-11-29-14:58:03",
  vmcore: "/var/crash/10.0.0.7-2026-11-29-14:58:03/vmcore-incomplete",
};

describe("DumpsPage", () => {
  it("lists open dumps and shows live progress of another client's work", async () => {
    at("/dumps");
    let dumps: unknown[] = [];
    const api = fakeApi({ "dump/list": () => ({ dumps }) });
    renderWithApi(<DumpsPage />, api);
    await screen.findByText(/No dump is open/);
    const source = api.sources[0]!;
    act(() => source.emit("$/progress", { token: "bot-1", value: { kind: "begin", title: "Indexing vmlinux", percentage: 0 } }));
    act(() => source.emit("$/progress", { token: "bot-1", value: { kind: "report", message: "types", percentage: 40 } }));
    const bar = await screen.findByRole("progressbar", { name: "[another client] Indexing vmlinux" });
    expect(bar.getAttribute("aria-valuenow")).toBe("40");
    dumps = [{ ...dump, source: "opened" }, received];
    act(() => source.emit("$/progress", { token: "bot-1", value: { kind: "end", message: "indexed" } }));
    await screen.findByText("dump-1");
    expect(bar.getAttribute("aria-valuenow")).toBe("100");
    // A received dump that is not open: its host, status and missing pages, no link.
    await screen.findByText(/received from web-7 \(10\.0\.0\.7\): incomplete — lost-packets/);
    expect(screen.getByText("pages 990/1000, 10 missing")).toBeTruthy();
    expect(screen.getByText("not open")).toBeTruthy();
  });

  it("opens a dump with a progress token and goes to its overview", async () => {
    at("/dumps?core=/var/crash/vmcore&vmlinux=/usr/lib/debug/vmlinux");
    const api = fakeApi({ "dump/list": () => ({ dumps: [] }), "dump/open": () => dump });
    renderWithApi(<DumpsPage />, api);
    expect((screen.getByLabelText("core") as HTMLInputElement).value).toBe("/var/crash/vmcore");
    act(() => {
      fireEvent.click(screen.getByRole("button", { name: "open" }));
    });
    await waitFor(() => expect(window.location.pathname).toBe("/dumps/dump-1"));
    const open = api.calls.find((c) => c.method === "dump/open")!;
    expect(open.params.core).toBe("/var/crash/vmcore");
    expect(open.params.vmlinux).toBe("/usr/lib/debug/vmlinux");
    expect(open.params.debugDir).toBeUndefined();
    expect(String(open.params.workDoneToken)).toMatch(/^open-/);
  });

  it("shows why a dump cannot be opened", async () => {
    at("/dumps?core=/etc/passwd");
    const api = fakeApi({
      "dump/list": () => ({ dumps: [] }),
      "dump/open": () => {
        throw { code: -32006, message: "/etc/passwd is not inside an allowed directory", data: { kind: "permission-denied", name: "/etc/passwd" } };
      },
    });
    renderWithApi(<DumpsPage />, api);
    act(() => {
      fireEvent.click(screen.getByRole("button", { name: "open" }));
    });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("PermissionDenied (-32006) from dump/open");
    expect(alert.textContent).toContain("/etc/passwd is not inside an allowed directory");
    expect(window.location.pathname).toBe("/dumps");
  });
});
