// A small typed JSON-RPC 2.0 client over HTTP (`POST /rpc`), the one every view uses.
//
// Method names, params and results are the types generated from protocol-spec/openrpc.json
// (generated.ts), so a call the spec does not define, or a field it does not have, is a type
// error. Params go by name. Aborting a call's AbortSignal sends `$/cancelRequest` for it (the
// server then answers RequestCancelled, or the result if it had finished) and rejects at once
// with an AbortError. Requests carry an X-Vmscope-Client header so the server scopes our ids.
import { RpcError, TransportError } from "./errors";
import type { ApiMethods, ApiMethodName } from "./methods";
import type { ProgressToken } from "./generated";

export type ParamsOf<M extends ApiMethodName> = ApiMethods[M]["params"];
export type ResultOf<M extends ApiMethodName> = ApiMethods[M]["result"];

export interface CallOptions {
  signal?: AbortSignal;
  /** Asks the server for $/progress notifications under this token. */
  workDoneToken?: ProgressToken;
}

export interface RpcClientOptions {
  endpoint?: string;
  fetch?: typeof fetch;
  clientId?: string;
}

interface ResponseEnvelope {
  jsonrpc?: unknown;
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
}

function randomClientId(): string {
  return `web-${Math.random().toString(36).slice(2, 10)}`;
}

export class RpcClient {
  private readonly endpoint: string;
  private readonly fetchImpl: typeof fetch;
  readonly clientId: string;
  private nextId = 1;

  constructor(options: RpcClientOptions = {}) {
    this.endpoint = options.endpoint ?? "/rpc";
    // Bound: fetch called unbound as a method throws "Illegal invocation" in browsers.
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.clientId = options.clientId ?? randomClientId();
  }

  async call<M extends ApiMethodName>(
    method: M,
    params: ParamsOf<M>,
    options: CallOptions = {},
  ): Promise<ResultOf<M>> {
    const id = this.nextId++;
    const body: Record<string, unknown> = { jsonrpc: "2.0", id, method };
    const allParams: Record<string, unknown> = { ...(params as Record<string, unknown>) };
    if (options.workDoneToken !== undefined) allParams.workDoneToken = options.workDoneToken;
    if (Object.keys(allParams).length > 0) body.params = allParams;

    const { signal } = options;
    signal?.throwIfAborted();
    const onAbort = () => {
      void this.notify("$/cancelRequest", { id }).catch(() => undefined);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const response = await this.post(method, JSON.stringify(body), signal);
      return this.unwrap(method, id, response) as ResultOf<M>;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Sends a notification (no response is due). */
  async notify(method: string, params: Record<string, unknown>): Promise<void> {
    await this.post(method, JSON.stringify({ jsonrpc: "2.0", method, params }));
  }

  private async post(method: string, body: string, signal?: AbortSignal): Promise<ResponseEnvelope | null> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Vmscope-Client": this.clientId },
        body,
        signal: signal ?? null,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      const why = error instanceof Error ? error.message : String(error);
      throw new TransportError(method, `cannot reach the server at ${this.endpoint}: ${why}`);
    }
    if (response.status === 204) return null;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const envelope =
      parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
        ? (parsed as ResponseEnvelope)
        : undefined;
    // A JSON-RPC error can come with a non-200 status (413 with LimitExceeded): keep it.
    if (envelope?.error !== undefined) return envelope;
    if (!response.ok) {
      throw new TransportError(
        method,
        `HTTP ${response.status} ${response.statusText}`.trim(),
        response.status,
        text.slice(0, 2000),
      );
    }
    if (envelope === undefined) {
      throw new TransportError(method, "the server's response is not a JSON-RPC object", response.status, text.slice(0, 2000));
    }
    return envelope;
  }

  private unwrap(method: string, id: number, envelope: ResponseEnvelope | null): unknown {
    if (envelope === null) throw new TransportError(method, "the server sent no response (HTTP 204) to a request");
    if (envelope.error !== undefined) {
      const { code, message, data } = envelope.error;
      throw new RpcError(
        method,
        typeof code === "number" ? code : Number.NaN,
        typeof message === "string" ? message : "error without a message",
        data,
      );
    }
    if (envelope.id !== id) {
      throw new TransportError(method, `response id ${JSON.stringify(envelope.id)} does not match request id ${id}`);
    }
    if (!("result" in envelope)) throw new TransportError(method, "response has neither result nor error");
    return envelope.result;
  }
}
