// A typed JSON-RPC 2.0 client of `vmscope serve --stdio`: it spawns the server, frames
// requests (framing.ts), matches responses to requests by id, and hands server notifications
// ($/progress, receiver/*) to listeners. Method names, params and results are the types
// generated from protocol-spec/openrpc.json (generated.ts), so a call the spec does not
// define is a type error. No vscode import: the extension and the tests use it alike.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { encodeMessage, MessageDecoder } from "./framing";
import { ERROR_CODES, type Methods, type MethodName } from "../protocol/generated";

const ERROR_NAMES = new Map<number, string>(Object.entries(ERROR_CODES).map(([name, code]) => [code, name]));

export type ParamsOf<M extends MethodName> = Methods[M]["params"];
export type ResultOf<M extends MethodName> = Methods[M]["result"];

/** An error response of the server: its JSON-RPC code, name (from the spec) and data. */
export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data: unknown,
  ) {
    super(`${ERROR_NAMES.get(code) ?? "Error"} (${code}) from ${method}: ${message}`);
    this.name = "RpcError";
  }
}

export interface ServerOptions {
  /** The vmscope binary. */
  binary: string;
  /** Directories the server may open dumps, vmlinux files and debug dirs from. */
  allowDirs: string[];
  debugDir?: string;
  /** Called with each line the server writes to stderr (its log). */
  log?: (line: string) => void;
}

export type NotificationListener = (method: string, params: unknown) => void;

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class StdioClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly decoder = new MessageDecoder();
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<NotificationListener>();
  private nextId = 1;
  private closed: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(options: ServerOptions) {
    const args = ["serve", "--stdio"];
    for (const dir of options.allowDirs) args.push("--allow-dir", dir);
    if (options.debugDir) args.push("--debug-dir", options.debugDir);
    this.child = spawn(options.binary, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
    let stderr = "";
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (text: string) => {
      stderr += text;
      const lines = stderr.split("\n");
      stderr = lines.pop() ?? "";
      for (const line of lines) options.log?.(line);
    });
    this.exited = new Promise((resolve) => {
      this.child.on("error", (error) => {
        this.fail(new Error(`cannot run ${options.binary}: ${error.message}`));
        resolve();
      });
      this.child.on("exit", (code, signal) => {
        this.fail(new Error(`vmscope serve --stdio exited (${code ?? signal})`));
        resolve();
      });
    });
  }

  /** Whether the server is gone (exited, failed to start, disposed): every call now fails. */
  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    const message: Record<string, unknown> = { jsonrpc: "2.0", id, method };
    if (params !== undefined && Object.keys(params as object).length > 0) message.params = params;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject });
      this.child.stdin.write(encodeMessage(message));
    });
  }

  onNotification(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes the server's stdin (it stops on end of input) and waits for it to exit. */
  async dispose(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin.end();
      const timer = setTimeout(() => this.child.kill("SIGTERM"), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
    this.fail(new Error("the client was disposed"));
  }

  private receive(chunk: Buffer): void {
    let messages: unknown[];
    try {
      messages = this.decoder.push(chunk);
    } catch (error) {
      this.fail(error as Error);
      this.child.kill("SIGTERM");
      return;
    }
    for (const message of messages) this.dispatch(message as Record<string, unknown>);
  }

  private dispatch(message: Record<string, unknown>): void {
    if (typeof message.method === "string" && message.id === undefined) {
      for (const listener of [...this.listeners]) listener(message.method, message.params);
      return;
    }
    const pending = typeof message.id === "number" ? this.pending.get(message.id) : undefined;
    if (!pending) return; // a response to nothing we asked: ignore
    this.pending.delete(message.id as number);
    const error = message.error as { code?: unknown; message?: unknown; data?: unknown } | undefined;
    if (error) {
      pending.reject(new RpcError(pending.method, Number(error.code), String(error.message ?? ""), error.data));
    } else {
      pending.resolve(message.result);
    }
  }

  private fail(error: Error): void {
    this.closed ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}
