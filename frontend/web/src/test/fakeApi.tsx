// A fake server for component tests: method handlers behind a real RpcClient (so requests go
// through the same JSON-RPC code as in the app), and an EventChannel whose EventSource the
// test drives. Handlers return a result or throw { code, message, data } for an error.
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { ApiProvider, type Api } from "../app/api";
import { RpcClient } from "../protocol/client";
import { EventChannel } from "../protocol/events";

export type Handler = (params: Record<string, unknown>) => unknown;

export class FakeEventSource {
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: ((e: { data: string; lastEventId: string }) => void) | null = null;
  constructor(readonly url: string) {}
  close() {
    this.readyState = 2;
  }
  emit(method: string, params: unknown) {
    this.onmessage?.({ data: JSON.stringify({ jsonrpc: "2.0", method, params }), lastEventId: "" });
  }
}

export interface FakeApi extends Api {
  calls: { method: string; params: Record<string, unknown> }[];
  sources: FakeEventSource[];
}

export function fakeApi(handlers: Record<string, Handler>): FakeApi {
  const calls: FakeApi["calls"] = [];
  const fetchImpl = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { id?: number; method: string; params?: Record<string, unknown> };
    const params = body.params ?? {};
    calls.push({ method: body.method, params });
    if (body.id === undefined) return new Response(null, { status: 204 });
    const handler = handlers[body.method];
    let payload: Record<string, unknown>;
    if (!handler) {
      payload = { error: { code: -32601, message: `method not found: ${body.method}` } };
    } else {
      try {
        payload = { result: await handler(params) };
      } catch (error) {
        payload = { error };
      }
    }
    return new Response(JSON.stringify({ jsonrpc: "2.0", id: body.id, ...payload }));
  }) as unknown as typeof fetch;
  const sources: FakeEventSource[] = [];
  const events = new EventChannel("/events", (url) => {
    const source = new FakeEventSource(url);
    sources.push(source);
    return source as unknown as EventSource;
  });
  return { client: new RpcClient({ fetch: fetchImpl, clientId: "test" }), events, cache: new Map(), calls, sources };
}

export function renderWithApi(ui: ReactNode, api: Api) {
  return render(<ApiProvider api={api}>{ui}</ApiProvider>);
}

/** Puts the browser at `path` (the router reads window.location). */
export function at(path: string) {
  window.history.replaceState(null, "", path);
}
