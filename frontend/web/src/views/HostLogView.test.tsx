import { act, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { at, fakeApi, renderWithApi } from "../test/fakeApi";
import { appendBounded, HostLogView } from "./HostLogView";

const base = { port: 6665, transport: "udp", line: "" };

describe("HostLogView", () => {
  it("shows the host's lines as they arrive, and no other host's", async () => {
    at("/hosts/10.0.0.5/log");
    const api = fakeApi({});
    renderWithApi(<HostLogView host="10.0.0.5" />, api);
    await screen.findByText(/Nothing received from 10\.0\.0\.5/);
    const source = api.sources[0]!;
    act(() =>
      source.emit("receiver/logLine", { ...base, host: "10.0.0.5", source: "netconsole", extended: true, level: 3, seq: 7, timestamp: "12.345678", text: "sysrq: Trigger a crash" }),
    );
    act(() => source.emit("receiver/logLine", { ...base, host: "10.0.0.6", source: "netconsole", text: "from another host" }));
    act(() => source.emit("receiver/logLine", { ...base, host: "10.0.0.5", source: "syslog", transport: "tcp", level: 4, text: "disk almost full" }));
    const first = await screen.findByText("sysrq: Trigger a crash");
    expect(first.closest(".log-line")!.className).toContain("lvl-3");
    expect(first.closest(".log-line")!.textContent).toContain("[   12.345678]");
    expect(screen.getByText("disk almost full").closest(".log-line")!.textContent).toContain("syslog/tcp");
    expect(screen.queryByText("from another host")).toBeNull();
    expect(screen.getByTestId("host-log-count").textContent).toMatch(/^2 lines/);
  });
});

describe("appendBounded", () => {
  it("keeps the newest lines only", () => {
    expect(appendBounded([1, 2, 3], 4, 3)).toEqual([2, 3, 4]);
    expect(appendBounded([1], 2, 3)).toEqual([1, 2]);
  });
});
