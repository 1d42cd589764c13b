// The extension in a real VS Code: code-server 4.100.3 (VS Code 1.100) runs the packaged
// .vsix against the real `vmscope serve --stdio` and the real fixture dump, driven by Debian's
// Chromium through playwright-core. From the command palette: "vmscope: Open Dump" (the path
// typed into VS Code's own file dialog), then the "Kernel structs" tree shows init_task, which
// expands to comm = "swapper/0"; "vmscope: Evaluate Expression" adds a root.
//   VMSCOPE_CODE_SERVER_DIR  where e2e/install-code-server put code-server and vsce
//   VMSCOPE_CHROMIUM         the browser (default /usr/bin/chromium)
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture } from "../test/fixture";

const f = fixture();
const extensionRoot = resolve(__dirname, "..");
const tools = process.env.VMSCOPE_CODE_SERVER_DIR ?? "/var/cache/vmscope/code-server";
const codeServer = join(tools, "node_modules/.bin/code-server");
const vsce = join(tools, "node_modules/.bin/vsce");
const browserPath = process.env.VMSCOPE_CHROMIUM ?? "/usr/bin/chromium";
// As the web e2e tests: the tracked docs/screenshots only when asked to update it
// (VMSCOPE_UPDATE_SCREENSHOTS=1), else a directory outside the tree, so a run leaves it clean.
const screenshots = process.env.VMSCOPE_SCREENSHOTS
  ? resolve(process.env.VMSCOPE_SCREENSHOTS)
  : process.env.VMSCOPE_UPDATE_SCREENSHOTS === "1"
    ? resolve(extensionRoot, "../../docs/screenshots")
    : join(tmpdir(), "vmscope-e2e-screenshots");

let work: string;
let server: ChildProcess | undefined;
let serverLog = "";
let browser: Browser;
let page: Page;

function need(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`${what} is missing: ${path}`);
  return path;
}

beforeAll(async () => {
  need(codeServer, "code-server (run e2e/install-code-server)");
  need(vsce, "vsce (run e2e/install-code-server)");
  need(browserPath, "Debian's Chromium (apt-get install chromium)");
  need(join(extensionRoot, "out/src/extension.js"), "the compiled extension (npm run compile)");
  work = mkdtempSync(join(tmpdir(), "vmscope-code-server-"));
  const vsix = join(work, "vmscope.vsix");
  execFileSync(vsce, ["package", "--no-dependencies", "--allow-missing-repository", "--skip-license", "-o", vsix], { cwd: extensionRoot, stdio: "pipe" });
  const userData = join(work, "user-data");
  const extensions = join(work, "extensions");
  const folder = join(work, "workspace");
  mkdirSync(join(userData, "User"), { recursive: true });
  mkdirSync(folder);
  writeFileSync(
    join(userData, "User/settings.json"),
    JSON.stringify({
      "vmscope.serverPath": f.binary,
      "vmscope.vmlinux": f.vmlinux,
      "vmscope.debugDir": f.debugDir,
      "security.workspace.trust.enabled": false,
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "files.simpleDialog.enable": true,
      "telemetry.telemetryLevel": "off",
      // Typing in a focused tree goes to the matching row: how the test finds `comm` among
      // task_struct's members without scrolling a virtualized list.
      "workbench.list.defaultFindMode": "filter",
    }),
  );
  const common = ["--user-data-dir", userData, "--extensions-dir", extensions];
  execFileSync(codeServer, [...common, "--install-extension", vsix], { stdio: "pipe", env: { ...process.env, TMPDIR: join(tools, "tmp") } });

  server = spawn(codeServer, [...common, "--bind-addr", "127.0.0.1:0", "--auth", "none", "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust", folder], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start within 60 s:\n${serverLog}`)), 60_000);
    const take = (chunk: Buffer) => {
      serverLog += chunk.toString();
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serverLog);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[1]!);
      }
    };
    server!.stdout!.on("data", take);
    server!.stderr!.on("data", take);
    server!.on("exit", (code) => reject(new Error(`code-server exited (${code}):\n${serverLog}`)));
  });
  browser = await chromium.launch({
    executablePath: browserPath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
  // The view shows once the extension's contributions are loaded; open it, fold the folder's.
  const structs = page.locator(".pane-header", { hasText: /kernel structs/i });
  await structs.waitFor({ timeout: 120_000 });
  if ((await structs.getAttribute("aria-expanded")) !== "true") await structs.click();
  const folderPane = page.locator(".pane-header", { hasText: /^workspace$/i });
  if ((await folderPane.getAttribute("aria-expanded")) === "true") await folderPane.click();
});

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once("exit", r));
    server.kill("SIGTERM");
    await exited;
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

async function runCommand(title: string): Promise<void> {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor({ timeout: 60_000 });
  await page.keyboard.press("Enter");
}

describe("the extension in code-server", () => {
  it("opens the fixture dump from the palette and expands init_task to comm = \"swapper/0\"", async () => {
    await runCommand("vmscope: Open Dump");
    // VS Code's own file dialog (the simple one in the browser): type the path, accept.
    const input = page.locator(".quick-input-widget input");
    await input.waitFor();
    for (let i = 0; i < 100 && !(await input.inputValue()).startsWith("/"); i++) await page.waitForTimeout(100);
    // On a loaded machine the dialog may still be filling in its folder when the path is typed
    // (and overwrite it): type, check, accept, and again while the dialog stays open.
    for (let attempt = 0; attempt < 5; attempt++) {
      await input.fill(f.core);
      await page.waitForTimeout(500); // the dialog validates the typed path as it changes
      if ((await input.inputValue()) !== f.core) continue;
      await page.keyboard.press("Enter");
      const closed = await page
        .locator(".quick-input-widget")
        .waitFor({ state: "hidden", timeout: 5_000 })
        .then(() => true, () => false);
      if (closed) break;
    }

    const pane = page.locator(".pane", { hasText: /kernel structs/i });
    const root = pane.locator(".monaco-list-row", { hasText: /^init_task/ }).first();
    await root.waitFor({ timeout: 120_000 });
    expect(await root.innerText()).toContain("struct task_struct");
    // The extension reveals the new root expanded and focused; expand it only if it is not.
    for (let i = 0; i < 50 && (await root.getAttribute("aria-expanded")) !== "true"; i++) await page.waitForTimeout(100);
    if ((await root.getAttribute("aria-expanded")) !== "true") await root.click();
    await pane.locator(".monaco-list-row", { hasText: /^thread_info/ }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.type("comm");
    const comm = pane.locator(".monaco-list-row", { hasText: /^comm\b/ }).first();
    await comm.waitFor({ timeout: 30_000 });
    expect(await comm.innerText()).toContain('"swapper/0"');
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, "vscode-structs.png") });
  });

  it("adds a root with Evaluate Expression", async () => {
    await runCommand("vmscope: Evaluate Expression");
    const input = page.locator(".quick-input-widget input");
    await input.waitFor();
    await input.fill("init_task.pid");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Escape"); // clear the tree's filter
    const row = page.locator(".pane", { hasText: /kernel structs/i }).locator(".monaco-list-row", { hasText: /^init_task\.pid/ }).first();
    await row.waitFor({ timeout: 30_000 });
    expect(await row.innerText()).toMatch(/^init_task\.pid\s*0\s+\(pid_t\)/); // the idle task is pid 0
  });
});
