import { describe, expect, it } from "vitest";
import { arrivalEnded, receivedPercentage } from "./received";

const progress = { dumpable: 0, received: 0, zero: 0, unavailable: 0, missing: 0, dataPackets: 0, groupsRecovered: 0, groupsLost: 0, fileBytes: 0 };

describe("receivedPercentage", () => {
  it("is unknown until the sender said how many pages it accounts for", () => {
    expect(receivedPercentage(progress)).toBeUndefined();
  });
  it("counts stored, zero and unreadable pages, rounding down", () => {
    expect(receivedPercentage({ ...progress, dumpable: 1000, received: 300, zero: 100, unavailable: 9 })).toBe(40);
    expect(receivedPercentage({ ...progress, dumpable: 130862, received: 120000, zero: 10862 })).toBe(100);
  });
  it("never leaves 0..100", () => {
    expect(receivedPercentage({ ...progress, dumpable: 10, received: 50 })).toBe(100);
  });
});

describe("arrivalEnded", () => {
  it("ends on completed and failed only", () => {
    const event = { receivedId: "a", host: "h", address: "127.0.0.1", hostId: "0x1", sessionId: "0x2", state: "receiving" as const, release: "", progress };
    expect(arrivalEnded({ event, method: "receiver/dumpProgress" })).toBe(false);
    expect(arrivalEnded({ event, method: "receiver/dumpCompleted" })).toBe(true);
    expect(arrivalEnded({ event, method: "receiver/dumpFailed" })).toBe(true);
  });
});
