import { act, fireEvent, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { at, fakeApi, renderWithApi } from "../test/fakeApi";
import { filterLog, indexAtTime, LogView } from "./LogView";

const fields = { facility: 0, caller: null, continuation: false, state: "finalized" as const, context: {} };
const records = [
  { seq: 0, timestampNs: 0, level: 5, text: "Linux version 6.1.0", ...fields },
  { seq: 1, timestampNs: 1_500_000_000, level: 3, text: "vmscope-fixture: error line", ...fields },
  { seq: 2, timestampNs: 2_000_000_000, level: 4, text: "vmscope-fixture: warning line", ...fields },
  { seq: 3, timestampNs: 3_250_000_000, level: 7, text: "debug chatter", ...fields },
  { seq: 4, timestampNs: 13_857_113_423, level: 0, text: "Kernel panic - not syncing: sysrq triggered crash", ...fields },
];

describe("log filtering", () => {
  it("filters by text (any case) and maximum level, and finds a time", () => {
    expect(filterLog(records, "VMSCOPE", 7).map((r) => r.seq)).toEqual([1, 2]);
    expect(filterLog(records, "", 3).map((r) => r.seq)).toEqual([1, 4]);
    expect(indexAtTime(records, 2)).toBe(2);
    expect(indexAtTime(records, 99)).toBe(-1);
  });
});

describe("LogView", () => {
  it("shows records with kernel timestamps and level classes, and searches via the URL", async () => {
    at("/dumps/d1/log");
    const api = fakeApi({
      "log/read": (p) => {
        const from = Number(p.fromSeq);
        const page = records.filter((r) => r.seq >= from).slice(0, 3);
        const more = page.length > 0 && page[page.length - 1]!.seq < records[records.length - 1]!.seq;
        return { records: page, nextSeq: page.length ? page[page.length - 1]!.seq + 1 : from, more, partial: false, problems: [] };
      },
    });
    const { container } = renderWithApi(<LogView dumpId="d1" />, api);
    await screen.findByText("5 records");
    expect(api.calls.map((c) => c.params.fromSeq)).toEqual([0, 3]);
    const panic = container.querySelector('[data-seq="4"]');
    expect(panic?.className).toContain("lvl-0");
    expect(panic?.textContent).toContain("[   13.857113]");
    expect(panic?.textContent).toContain("emerg");

    act(() => {
      fireEvent.change(screen.getByLabelText("search the log"), { target: { value: "fixture" } });
    });
    expect(window.location.search).toBe("?q=fixture");
    await screen.findByText("2 of 5 records");
    expect(container.querySelectorAll("mark")).toHaveLength(2);
  });
});
