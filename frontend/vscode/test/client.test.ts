// The stdio client against the real `vmscope serve --stdio` and the real fixture dump.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METHOD_NAMES } from "../src/protocol/generated";
import { RpcError, StdioClient } from "../src/stdio/client";
import { fixture, startClient } from "./fixture";

const f = fixture();
let client: StdioClient;

beforeAll(() => {
  client = startClient(f).client;
});

afterAll(async () => {
  await client?.dispose();
});

describe("StdioClient on the real server", () => {
  it("discovers the methods the extension uses, and only methods its generated client knows", async () => {
    const doc = (await client.call("rpc.discover", {})) as { methods: { name: string }[] };
    const names = doc.methods.map((m) => m.name);
    for (const name of ["dump/open", "value/evaluate", "value/children"]) expect(names).toContain(name);
    // Server == spec is the backend's method table test; here: the client is not behind.
    for (const name of names) expect(METHOD_NAMES as readonly string[]).toContain(name);
  });

  it("opens the fixture dump and evaluates over it, answering concurrent calls by id", async () => {
    const dump = await client.call("dump/open", { core: f.core, vmlinux: f.vmlinux, debugDir: f.debugDir });
    expect(dump.dumpId).toMatch(/./);
    expect(dump.core).toBe(f.core);
    const [comm, pid, info] = await Promise.all([
      client.call("value/evaluate", { dumpId: dump.dumpId, expression: "init_task.comm" }),
      client.call("value/evaluate", { dumpId: dump.dumpId, expression: "init_task.pid" }),
      client.call("sys/info", { dumpId: dump.dumpId }),
    ]);
    expect(comm.value.string).toBe("swapper/0");
    expect(pid.value.display).toBe("0");
    expect(info.release).toBe(dump.release);
  });

  it("rejects with the server's error, named from the spec", async () => {
    const error = await client.call("dump/open", { core: "/etc/passwd" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(-32006);
    expect((error as RpcError).message).toMatch(/^PermissionDenied \(-32006\) from dump\/open: /);
  });

  it("fails pending and later calls once the server is gone", async () => {
    const other = startClient(f).client;
    await other.call("rpc.discover", {});
    expect(other.isClosed).toBe(false);
    await other.dispose();
    expect(other.isClosed).toBe(true);
    await expect(other.call("rpc.discover", {})).rejects.toThrow(/disposed|exited/);
  });

  it("says when the binary cannot run", async () => {
    const broken = new StdioClient({ binary: "/nonexistent/vmscope", allowDirs: [] });
    await expect(broken.call("rpc.discover", {})).rejects.toThrow(/cannot run \/nonexistent\/vmscope/);
    await broken.dispose();
  });
});
