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
  bucketId: "5c0ffee1d2e3f4a5",
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
    // A received dump that is not open: its host, status and missing pages; an incomplete
    // one can be opened (its missing pages read as absent).
    const row = await waitFor(() => document.querySelector(`[data-received-id="${received.receivedId}"]`)!);
    expect(row.textContent).toContain("received from web-7 (10.0.0.7): incomplete — lost-packets");
    expect(row.textContent).toContain("bucket 5c0ffee1d2e3f4a5");
    expect(screen.getByText("pages 990/1000, 10 missing")).toBeTruthy();
    expect(screen.getByRole("button", { name: `open ${received.receivedId}` })).toBeTruthy();
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

  it("shows a dump arriving at the receiver with a moving bar, then opens it by receivedId", async () => {
    at("/dumps");
    const arriving = { ...received, status: "receiving" as const, reason: undefined, finished: undefined, pages: { total: 0, received: 0, missing: 0 } };
    let dumps: unknown[] = [];
    const api = fakeApi({ "dump/list": () => ({ dumps }), "dump/open": () => ({ ...dump, dumpId: "dump-2", receivedId: received.receivedId }) });
    renderWithApi(<DumpsPage />, api);
    await screen.findByText(/No dump is open/);
    const source = api.sources[0]!;
    const progress = { dumpable: 1000, received: 0, zero: 0, unavailable: 0, missing: 0, dataPackets: 0, groupsRecovered: 0, groupsLost: 0, fileBytes: 0 };
    const event = { receivedId: received.receivedId, host: "web-7", address: "10.0.0.7", hostId: "0x1", sessionId: "0x2", release: received.release };
    dumps = [arriving];
    act(() => source.emit("receiver/dumpStarted", { ...event, state: "receiving", progress, dump: arriving }));
    act(() => source.emit("receiver/dumpProgress", { ...event, state: "receiving", progress: { ...progress, received: 250, zero: 50 } }));
    const bar = await screen.findByRole("progressbar", { name: "web-7" });
    await waitFor(() => expect(bar.getAttribute("aria-valuenow")).toBe("30"));
    const complete = { ...arriving, status: "complete" as const, pages: { total: 1000, received: 1000, missing: 0 } };
    dumps = [complete];
    act(() => source.emit("receiver/dumpCompleted", { ...event, state: "complete", progress: { ...progress, received: 900, zero: 100 }, dump: complete }));
    await waitFor(() => expect(screen.getByRole("progressbar", { name: "web-7" }).getAttribute("aria-valuenow")).toBe("100"));
    await screen.findByText("complete");
    act(() => {
      fireEvent.click(screen.getByRole("button", { name: `open ${received.receivedId}` }));
    });
    await waitFor(() => expect(window.location.pathname).toBe("/dumps/dump-2"));
    expect(api.calls.find((c) => c.method === "dump/open")!.params).toEqual({ receivedId: received.receivedId });
  });

  it("lists hosts whose console lines arrive, linking to their live log", async () => {
    at("/dumps");
    const api = fakeApi({ "dump/list": () => ({ dumps: [] }) });
    renderWithApi(<DumpsPage />, api);
    await screen.findByText(/No dump is open/);
    const line = { host: "10.0.0.9", port: 6665, source: "netconsole", transport: "udp", text: "hello", line: "hello" };
    act(() => api.sources[0]!.emit("receiver/logLine", line));
    act(() => api.sources[0]!.emit("receiver/logLine", line));
    const link = await screen.findByRole("link", { name: "10.0.0.9" });
    expect(link.getAttribute("href")).toBe("/hosts/10.0.0.9/log");
    expect(screen.getByText("2 lines since this page opened")).toBeTruthy();
  });
});
