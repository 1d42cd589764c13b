import { describe, expect, it, vi } from "vitest";
import { RpcClient } from "./client";
import { RpcError, TransportError, isCancelled, isMethodNotFound } from "./errors";

type Handler = (body: Record<string, unknown>) => { status?: number; body?: string };

function fakeFetch(handler: Handler) {
  const requests: Record<string, unknown>[] = [];
  const headers: Record<string, string>[] = [];
  const impl = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    init?.signal?.throwIfAborted();
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    requests.push(body);
    headers.push(init?.headers as Record<string, string>);
    const answer = handler(body);
    return new Response(answer.status === 204 ? null : (answer.body ?? ""), { status: answer.status ?? 200 });
  });
  return { impl: impl as unknown as typeof fetch, requests, headers };
}

const reply = (id: unknown, result: unknown) => ({ body: JSON.stringify({ jsonrpc: "2.0", id, result }) });

describe("RpcClient", () => {
  it("sends a JSON-RPC 2.0 request with params by name and returns the result", async () => {
    const f = fakeFetch((b) => reply(b.id, { dumps: [] }));
    const client = new RpcClient({ fetch: f.impl, clientId: "t1" });
    await expect(client.call("dump/list", {})).resolves.toEqual({ dumps: [] });
    await client.call("memory/read", { dumpId: "dump-1", address: "0xffffffff81000000", length: 8 });
    expect(f.requests[0]).toEqual({ jsonrpc: "2.0", id: 1, method: "dump/list" });
    expect(f.requests[1]).toEqual({
      jsonrpc: "2.0",
      id: 2,
      method: "memory/read",
      params: { dumpId: "dump-1", address: "0xffffffff81000000", length: 8 },
    });
    expect(f.headers[0]?.["X-Vmscope-Client"]).toBe("t1");
    expect(f.headers[0]?.["Content-Type"]).toBe("application/json");
  });

  it("adds workDoneToken to the params when asked for progress", async () => {
    const f = fakeFetch((b) => reply(b.id, {}));
    const client = new RpcClient({ fetch: f.impl });
    await client.call("dump/open", { core: "/x" }, { workDoneToken: "open-7" });
    expect(f.requests[0]?.params).toEqual({ core: "/x", workDoneToken: "open-7" });
  });

  it("turns a JSON-RPC error into an RpcError carrying code, message and data", async () => {
    const f = fakeFetch((b) => ({
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: b.id,
        error: { code: -32011, message: "page excluded at 0xffff888000000000", data: { kind: "page-excluded", address: "0xffff888000000000" } },
      }),
    }));
    const client = new RpcClient({ fetch: f.impl });
    const error = await client.call("memory/read", { dumpId: "d", address: "0xffff888000000000" }).catch((e) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect(error.code).toBe(-32011);
    expect(error.codeName).toBe("PageExcluded");
    expect(error.specMessage).toBe("page excluded from the dump");
    expect(error.message).toBe("page excluded at 0xffff888000000000");
    expect(error.data).toEqual({ kind: "page-excluded", address: "0xffff888000000000" });
    expect(error.method).toBe("memory/read");
    expect(error.is("PageExcluded")).toBe(true);
  });

  it("keeps a JSON-RPC error sent with a non-200 status (413 LimitExceeded)", async () => {
    const f = fakeFetch(() => ({
      status: 413,
      body: JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32020, message: "message too large" } }),
    }));
    const error = await new RpcClient({ fetch: f.impl }).call("dump/list", {}).catch((e) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect(error.codeName).toBe("LimitExceeded");
    expect(error.data).toBeUndefined();
  });

  it("reports HTTP failures, network failures and non-JSON-RPC bodies as TransportError", async () => {
    const http = await new RpcClient({ fetch: fakeFetch(() => ({ status: 401, body: "token required" })).impl })
      .call("dump/list", {})
      .catch((e) => e);
    expect(http).toBeInstanceOf(TransportError);
    expect(http.httpStatus).toBe(401);
    expect(http.body).toBe("token required");

    const down = await new RpcClient({
      fetch: (async () => {
        throw new TypeError("Failed to fetch");
      }) as unknown as typeof fetch,
    })
      .call("dump/list", {})
      .catch((e) => e);
    expect(down).toBeInstanceOf(TransportError);
    expect(down.message).toMatch(/cannot reach the server at \/rpc: Failed to fetch/);

    const html = await new RpcClient({ fetch: fakeFetch(() => ({ body: "<html>" })).impl })
      .call("dump/list", {})
      .catch((e) => e);
    expect(html).toBeInstanceOf(TransportError);
    expect(html.message).toMatch(/not a JSON-RPC object/);

    const wrongId = await new RpcClient({ fetch: fakeFetch(() => reply(99, {})).impl })
      .call("dump/list", {})
      .catch((e) => e);
    expect(wrongId.message).toMatch(/does not match request id 1/);
  });

  it("says which method is missing on an older server", async () => {
    const f = fakeFetch((b) => ({
      body: JSON.stringify({ jsonrpc: "2.0", id: b.id, error: { code: -32601, message: "method not found: tasks/list" } }),
    }));
    const error = await new RpcClient({ fetch: f.impl }).call("tasks/list", { dumpId: "d" }).catch((e) => e);
    expect(isMethodNotFound(error)).toBe(true);
  });

  it("cancels: aborting sends $/cancelRequest with the request id", async () => {
    const requests: Record<string, unknown>[] = [];
    let release: (() => void) | undefined;
    const impl = (async (_u: RequestInfo | URL, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
      requests.push(body);
      if (body.method === "$/cancelRequest") return new Response(null, { status: 204 });
      return new Promise<Response>((resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
        release = () => resolve(new Response(JSON.stringify({ jsonrpc: "2.0", id: body.id, result: {} })));
      });
    }) as unknown as typeof fetch;
    const client = new RpcClient({ fetch: impl });
    const controller = new AbortController();
    const pending = client.call("dump/list", {}, { signal: controller.signal });
    controller.abort();
    const error = await pending.catch((e) => e);
    expect(isCancelled(error)).toBe(true);
    await vi.waitFor(() => expect(requests.some((r) => r.method === "$/cancelRequest")).toBe(true));
    expect(requests.find((r) => r.method === "$/cancelRequest")).toEqual({
      jsonrpc: "2.0",
      method: "$/cancelRequest",
      params: { id: 1 },
    });
    expect(release).toBeDefined();
  });

  it("does not send a request whose signal is already aborted", async () => {
    const f = fakeFetch((b) => reply(b.id, {}));
    const controller = new AbortController();
    controller.abort();
    await expect(new RpcClient({ fetch: f.impl }).call("dump/list", {}, { signal: controller.signal })).rejects.toThrow();
    expect(f.requests).toHaveLength(0);
  });
});
