// The end-to-end environment: the real server binary serving the built frontend (dist/),
// the real fixture dump with its manifest and oracle recordings, and Debian's Chromium.
//
//   VMSCOPE_BIN          the vmscope binary (default: <repo>/build/bin/vmscope)
//   VMSCOPE_FIXTURES     the fixture directory (default: /var/cache/vmscope/fixtures/current)
//   VMSCOPE_CHROMIUM     the browser (default: /usr/bin/chromium)
//   VMSCOPE_SCREENSHOTS  where screenshots go (default: $TMPDIR/vmscope-e2e-screenshots, so a
//                        run leaves the tree clean; VMSCOPE_UPDATE_SCREENSHOTS=1, or
//                        run-tests --update-screenshots, writes the tracked docs/screenshots)
//
// Nothing is skipped: a missing binary, fixture or browser fails the run with what is missing.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const webRoot = resolve(here, "..");
export const repoRoot = resolve(webRoot, "../..");

function fromRepo(path: string): string {
  return isAbsolute(path) ? path : resolve(repoRoot, path);
}

// Where the e2e run writes screenshots: the tracked docs/screenshots only when asked to update
// them, else a temporary directory outside the tree (every run would otherwise rewrite the
// tracked PNGs and leave the checkout dirty).
export function screenshotDirectory(env: Record<string, string | undefined>): string {
  if (env.VMSCOPE_SCREENSHOTS) return fromRepo(env.VMSCOPE_SCREENSHOTS);
  if (env.VMSCOPE_UPDATE_SCREENSHOTS === "1") return fromRepo("docs/screenshots");
  return join(tmpdir(), "vmscope-e2e-screenshots");
}

export const config = {
  binary: fromRepo(process.env.VMSCOPE_BIN ?? "build/bin/vmscope"),
  fixtures: process.env.VMSCOPE_FIXTURES ?? "/var/cache/vmscope/fixtures/current",
  chromium: process.env.VMSCOPE_CHROMIUM ?? "/usr/bin/chromium",
  screenshots: screenshotDirectory(process.env),
  dist: join(webRoot, "dist"),
};

export interface Manifest {
  kernel: { version: string; dir: string; vmlinux: string; debug_dir: string };
  planted: {
    tasks: string[];
    kmsg_text: string[];
    crash: { task: string; how: string };
  };
}

export interface Oracle {
  crashed: { pid: number; comm: string; task: string; panic_message: string; panic_line: string };
  tasks: { tasks: { pid: number; tgid: number; ppid: number; comm: string; task: string; cpu: number }[] };
  stacks: { stacks: { pid: number; comm: string; task: string; frames: { function: string; inline: boolean }[] }[] };
  dmesg: { records: { seq: number; level: number; text: string }[] };
  values: Record<string, unknown>;
  layouts: { structs: Record<string, { size: number; members: { name: string; bit_offset: number; type: string }[] }> };
}

function need(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`e2e: ${what} is missing: ${path}`);
  return path;
}

function readJson<T>(path: string, what: string): T {
  return JSON.parse(readFileSync(need(path, what), "utf8")) as T;
}

export function loadFixture(): { manifest: Manifest; oracle: Oracle; core: string } {
  need(config.fixtures, "the fixture directory (VMSCOPE_FIXTURES; build it with tests/fixtures/make-fixtures)");
  const manifest = readJson<Manifest>(join(config.fixtures, "manifest.json"), "the fixture manifest");
  const o = (name: string) => readJson<never>(join(config.fixtures, "oracle", name), `oracle/${name}`);
  const oracle: Oracle = {
    crashed: o("crashed.json"),
    tasks: o("tasks.json"),
    stacks: o("stacks.json"),
    dmesg: o("dmesg.json"),
    values: o("values.json"),
    layouts: o("layouts.json"),
  };
  return { manifest, oracle, core: need(join(config.fixtures, "vmcore.elf"), "the fixture's vmcore.elf") };
}

export interface Server {
  url: string;
  process: ChildProcess;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Starts `vmscope serve` on a free loopback port, serving dist/, allowed to open the fixture. */
export async function startServer(allowDirs: string[], extraArgs: string[] = []): Promise<Server> {
  need(config.binary, "the vmscope binary (VMSCOPE_BIN)");
  need(join(config.dist, "index.html"), "the built frontend (run `npm run build`)");
  const args = ["serve", "--http", "127.0.0.1:0", "--web-root", config.dist, ...extraArgs];
  for (const dir of allowDirs) args.push("--allow-dir", dir);
  const child = spawn(config.binary, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`e2e: the server did not say where it listens within 20 s; stderr:\n${stderr}`)), 20_000);
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      stderr += chunk;
      const match = /listening on (http:\/\/[^\s/]+)\//.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match[1]!);
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`e2e: ${config.binary} serve exited (${code ?? signal}) before listening; stderr:\n${stderr}`));
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return {
    url,
    process: child,
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolvePromise();
        });
        child.kill("SIGTERM");
      }),
  };
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchBrowser(): Promise<Browser> {
  need(config.chromium, "Debian's Chromium (apt-get install chromium; or set VMSCOPE_CHROMIUM)");
  return chromium.launch({ executablePath: config.chromium, headless: true, args: CHROMIUM_ARGS });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(config.screenshots, { recursive: true });
  await page.screenshot({ path: join(config.screenshots, `${name}.png`) });
}

/**
 * Waits for `selector` to show `text`. Fails at once when the page shows an error view
 * instead (e.g. "MethodNotFound (-32601) from tasks/list"), and on timeout says what the
 * page shows.
 */
export async function expectText(page: Page, selector: string, text: string | RegExp, what: string, timeout = 20_000): Promise<void> {
  const locator = page.locator(selector).filter({ hasText: text }).first();
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await locator.isVisible()) return;
    const errors = await page.locator(".error-view").allInnerTexts();
    // The page may have rendered between the two looks: look at the target once more.
    if (errors.length > 0 && (await locator.isVisible())) return;
    if (errors.length > 0 || Date.now() > deadline) {
      const shown =
        errors.length > 0
          ? `the page shows the error:\n${errors.join("\n---\n")}`
          : `after ${timeout} ms the page shows:\n${(await page.locator("main").innerText()).slice(0, 1500)}`;
      throw new Error(`${what}: no ${selector} with ${String(text)} at ${page.url()}; ${shown}`);
    }
    await page.waitForTimeout(100);
  }
}
