import { describe, expect, it } from "vitest";
import { EventChannel, isNotification, parseNotification, type ConnectionState, type Notification } from "./events";

class FakeEventSource {
  readyState = 0;
  closed = false;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: ((e: { data: string; lastEventId: string }) => void) | null = null;
  constructor(readonly url: string) {}
  close() {
    this.closed = true;
  }
}

describe("parseNotification", () => {
  it("accepts JSON-RPC notifications and rejects anything else", () => {
    expect(parseNotification('{"jsonrpc":"2.0","method":"$/progress","params":{"token":"a"}}', "7")).toEqual({
      method: "$/progress",
      params: { token: "a" },
      eventId: "7",
    });
    expect(parseNotification("not json")).toBeUndefined();
    expect(parseNotification('{"id":1,"result":{}}')).toBeUndefined();
    expect(parseNotification("null")).toBeUndefined();
  });
});

describe("EventChannel", () => {
  it("opens one EventSource for all listeners and fans notifications out", () => {
    const sources: FakeEventSource[] = [];
    const channel = new EventChannel("/events", (url) => {
      const s = new FakeEventSource(url);
      sources.push(s);
      return s as unknown as EventSource;
    });
    const states: ConnectionState[] = [];
    channel.onState((s) => states.push(s));
    const a: Notification[] = [];
    const b: Notification[] = [];
    const stopA = channel.subscribe((n) => a.push(n));
    channel.subscribe((n) => b.push(n));
    expect(sources).toHaveLength(1);
    expect(sources[0]?.url).toBe("/events");

    const source = sources[0]!;
    source.onopen?.();
    source.onmessage?.({ data: '{"jsonrpc":"2.0","method":"notifications/dropped","params":{"dropped":3}}', lastEventId: "4" });
    source.onmessage?.({ data: "garbage", lastEventId: "" });
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    const first = a[0]!;
    expect(isNotification(first, "notifications/dropped") && first.params.dropped).toBe(3);

    stopA();
    source.onmessage?.({ data: '{"jsonrpc":"2.0","method":"x","params":{}}', lastEventId: "5" });
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(2);

    source.readyState = 0;
    source.onerror?.();
    source.readyState = 2;
    source.onerror?.();
    channel.close();
    expect(source.closed).toBe(true);
    expect(states).toEqual(["closed", "connecting", "open", "connecting", "closed"]);
  });
});
