// What can go wrong with a call, as values the UI shows precisely: the server's JSON-RPC
// error (code, message and its structured data: kind, address, page-table level, column,
// name…), or a transport failure (HTTP status, network down, a response that is not
// JSON-RPC). Never just "something went wrong".
import { ERROR_CODES, ERROR_MESSAGES, type ErrorData } from "./generated";

/** The server answered with a JSON-RPC error object. */
export class RpcError extends Error {
  readonly code: number;
  /** The error's `data`: per the spec an ErrorData, but kept as sent. */
  readonly data: (Partial<ErrorData> & Record<string, unknown>) | undefined;
  readonly method: string;

  constructor(method: string, code: number, message: string, data?: unknown) {
    super(message);
    this.name = "RpcError";
    this.method = method;
    this.code = code;
    this.data =
      data !== null && typeof data === "object" && !Array.isArray(data)
        ? (data as Partial<ErrorData> & Record<string, unknown>)
        : data === undefined
          ? undefined
          : { value: data };
  }

  /** The spec's name for this code ("PageExcluded"), or undefined for a code it lacks. */
  get codeName(): string | undefined {
    for (const [name, code] of Object.entries(ERROR_CODES)) if (code === this.code) return name;
    return undefined;
  }

  /** The spec's generic text for this code ("page excluded from the dump"). */
  get specMessage(): string | undefined {
    return ERROR_MESSAGES[String(this.code)];
  }

  is(name: keyof typeof ERROR_CODES): boolean {
    return this.code === ERROR_CODES[name];
  }
}

/** The request did not get a JSON-RPC answer: HTTP error, network failure, bad response. */
export class TransportError extends Error {
  readonly method: string;
  readonly httpStatus: number | undefined;
  readonly body: string | undefined;

  constructor(method: string, message: string, httpStatus?: number, body?: string) {
    super(message);
    this.name = "TransportError";
    this.method = method;
    this.httpStatus = httpStatus;
    this.body = body;
  }
}

export type ClientError = RpcError | TransportError;

/** Any thrown value as a ClientError-or-Error, for display. */
export function asError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === "string" ? value : JSON.stringify(value));
}

/** True when the error means the server lacks the method (an older server, or a spec ahead). */
export function isMethodNotFound(error: unknown): boolean {
  return error instanceof RpcError && error.is("MethodNotFound");
}

/** True when the request was cancelled, by the server or by our own AbortSignal. */
export function isCancelled(error: unknown): boolean {
  if (error instanceof RpcError) return error.is("RequestCancelled");
  return error instanceof DOMException && error.name === "AbortError";
}
