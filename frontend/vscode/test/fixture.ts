// The real server and the real fixture dump for the tests: VMSCOPE_BIN (default
// <repo>/build/bin/vmscope) and VMSCOPE_FIXTURES (default /var/cache/vmscope/fixtures/current).
// Nothing is skipped: a missing binary or fixture fails the run with what is missing.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { StdioClient } from "../src/stdio/client";

const repoRoot = resolve(__dirname, "../../..");

function need(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`${what} is missing: ${path}`);
  return path;
}

export function fixture() {
  const bin = process.env.VMSCOPE_BIN ?? "build/bin/vmscope";
  const binary = need(isAbsolute(bin) ? bin : resolve(repoRoot, bin), "the vmscope binary (VMSCOPE_BIN)");
  const dir = need(process.env.VMSCOPE_FIXTURES ?? "/var/cache/vmscope/fixtures/current", "the fixture directory (tests/fixtures/make-fixtures)");
  const manifest = JSON.parse(readFileSync(need(join(dir, "manifest.json"), "the fixture manifest"), "utf8")) as {
    kernel: { vmlinux: string; debug_dir: string };
  };
  const core = realpathSync(need(join(dir, "vmcore.elf"), "the fixture's vmcore.elf"));
  const vmlinux = realpathSync(need(manifest.kernel.vmlinux, "the fixture's vmlinux"));
  const debugDir = realpathSync(need(manifest.kernel.debug_dir, "the fixture's debug dir"));
  return { binary, core, vmlinux, debugDir };
}

/** A server allowed to open the fixture's files, and its stderr lines. */
export function startClient(f = fixture()): { client: StdioClient; log: string[] } {
  const log: string[] = [];
  const client = new StdioClient({ binary: f.binary, allowDirs: [dirname(f.core), dirname(f.debugDir), dirname(f.vmlinux)], log: (l) => log.push(l) });
  return { client, log };
}
