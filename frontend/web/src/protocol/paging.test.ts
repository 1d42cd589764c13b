import { describe, expect, it } from "vitest";
import { fakeApi } from "../test/fakeApi";
import { loadAllTasks, loadWholeLog } from "./paging";

describe("loadAllTasks", () => {
  it("stops on a page that makes no progress instead of looping", async () => {
    const api = fakeApi({
      "tasks/list": (p) => ({
        tasks: Number(p.offset) === 0 ? [{ pid: 1, tgid: 1, ppid: 0, comm: "init", state: "S", cpu: 0, address: "0x1" }] : [],
        total: 5,
        offset: p.offset,
        partial: Number(p.offset) > 0,
        problems: [],
      }),
    });
    const result = await loadAllTasks(api.client, "d");
    expect(result.tasks).toHaveLength(1);
    expect(api.calls).toHaveLength(2);
  });
});

describe("loadWholeLog", () => {
  it("follows nextSeq while the server says more, and stops when nextSeq does not advance", async () => {
    const api = fakeApi({
      "log/read": (p) => ({
        records: [{ seq: Number(p.fromSeq), timestampNs: 0, level: 6, text: `r${String(p.fromSeq)}` }],
        nextSeq: Math.min(Number(p.fromSeq) + 1, 3),
        more: true,
        partial: false,
        problems: [],
      }),
    });
    const result = await loadWholeLog(api.client, "d");
    expect(result.records.map((r) => r.text)).toEqual(["r0", "r1", "r2"]);
    expect(api.calls.map((c) => c.params.fromSeq)).toEqual([0, 1, 2, 3]);
  });
});
