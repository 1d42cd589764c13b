// The receiver, live in the browser. The server runs with `--receive DIR` and ephemeral
// netconsole and dump ports (it prints every bound port on stderr) and a host table holding a
// key made by `vmscope keygen`. While the page is open:
//   - netconsole lines sent over UDP as the kernel sends them (extended /dev/kmsg format and
//     plain console format) appear in the host's live log without a reload;
//   - a fixture dump sent with `vmscope send` (paced with --rate so it takes several seconds)
//     shows in the dumps page with a progress bar and a percentage, the row turns complete,
//     and the received dump opens to its overview, which shows the fixture's panic message.
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { config, expectText, launchBrowser, loadFixture, screenshot, startServer, type Server } from "./harness";

const { manifest, oracle } = loadFixture();
// The kdump-compressed fixture (60 MB) rather than the 550 MB ELF: at the paced rate it takes
// seconds, long enough for the bar to be seen moving, short enough for a test.
const core = realpathSync(join(config.fixtures, "vmcore.kdump-lzo"));
const debugDir = realpathSync(manifest.kernel.debug_dir);

let work: string;
let server: Server;
let browser: Browser;
let page: Page;
let ports: { netconsole: number; dumps: number };
let keyFile: string;

/** Waits until the server's stderr announced the receiver listeners' ports. */
async function receiverPorts(s: Server): Promise<{ netconsole: number; dumps: number }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = new Map<string, number>();
    for (const m of s.stderr().matchAll(/receiving (\w+) on (udp|tcp):\/\/\S*:(\d+)\s*$/gm)) found.set(`${m[1]}/${m[2]}`, Number(m[3]));
    const netconsole = found.get("netconsole/udp");
    const dumps = found.get("dumps/udp");
    if (netconsole && dumps) return { netconsole, dumps };
    if (Date.now() > deadline) throw new Error(`e2e: the server did not announce its receiver ports; stderr:\n${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function sendUdp(port: number, payload: string): Promise<void> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve, reject) => socket.send(Buffer.from(payload, "utf8"), port, "127.0.0.1", (e) => (e ? reject(e) : resolve())));
  socket.close();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "vmscope-web-receiver-"));
  // A host key as an operator makes one; the host table names it and the address it sends from.
  execFileSync(config.binary, ["keygen", "--name", "e2ehost", "--dir", work], { stdio: "pipe" });
  keyFile = join(work, "e2ehost.vmscope-key");
  writeFileSync(join(work, "hosts"), `e2ehost ${keyFile} 127.0.0.1\n`);
  server = await startServer(
    [dirname(core), debugDir],
    [
      "--receive",
      join(work, "dumps"),
      "--netconsole-port",
      "0",
      "--syslog-port",
      "off",
      "--dump-port",
      "0",
      "--hosts",
      join(work, "hosts"),
      "--debug-dir",
      debugDir,
    ],
  );
  ports = await receiverPorts(server);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 560 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the receiver, live", () => {
  it("shows netconsole lines sent during the test without a reload", async () => {
    await page.goto(`${server.url}/hosts/127.0.0.1/log`);
    await expectText(page, ".conn", "live", "the push channel connects");
    await expectText(page, ".host-log", /Nothing received from 127\.0\.0\.1/, "the empty live log");
    const stamp = Date.now().toString(36);
    // Extended netconsole (/dev/kmsg format: level,seq,usec,flags;text), as the kernel sends
    // with `netconsole=+…`; then plain console format from another source port.
    const extended = `e2e extended line ${stamp}`;
    const plain = `e2e plain line ${stamp}`;
    await sendUdp(ports.netconsole, `3,42,12345678,-;${extended}\n`);
    await sendUdp(ports.netconsole, `[   13.000001] ${plain}\n`);
    await expectText(page, ".host-log .log-line", extended, "the extended netconsole line");
    await expectText(page, ".host-log .log-line", plain, "the plain netconsole line");
    const extendedRow = page.locator(".host-log .log-line").filter({ hasText: extended });
    expect(await extendedRow.getAttribute("class")).toContain("lvl-3"); // err, as sent
    expect(await extendedRow.innerText()).toContain("12.345678");
    expect(await page.locator(".host-log .log-line").filter({ hasText: plain }).innerText()).toContain("13.000001");
    expect(await page.getByTestId("host-log-count").innerText()).toMatch(/^2 lines/);
    // Still the same page: no reload happened (the URL and the earlier line are intact).
    await sendUdp(ports.netconsole, `6,43,14000000,-;e2e third line ${stamp}\n`);
    await expectText(page, ".host-log .log-line", `e2e third line ${stamp}`, "a third line");
    expect(await page.locator(".host-log .log-line").filter({ hasText: extended }).count()).toBe(1);
    await screenshot(page, "host-live-log");
  });

  it("shows a dump sent with `vmscope send` arriving with a progress bar, then complete, then opens it", async () => {
    await page.goto(`${server.url}/dumps`);
    await expectText(page, ".conn", "live", "the push channel connects");
    const began = Date.now();
    const sender = spawn(config.binary, ["send", "--core", core, "--to", `127.0.0.1:${ports.dumps}`, "--key", keyFile, "--rate", "8"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let senderOutput = "";
    sender.stdout.on("data", (c: Buffer) => (senderOutput += c.toString()));
    sender.stderr.on("data", (c: Buffer) => (senderOutput += c.toString()));
    const senderDone = new Promise<number | null>((resolve) => sender.on("exit", (code) => resolve(code)));

    // The bar appears with a percentage strictly between 0 and 100 while the dump arrives.
    const bar = page.getByRole("progressbar", { name: "e2ehost" });
    await bar.waitFor({ timeout: 20_000 });
    await page.waitForFunction(
      () => {
        const el = document.querySelector('.received-dump [role="progressbar"]');
        const value = Number(el?.getAttribute("aria-valuenow"));
        return el !== null && value > 0 && value < 100;
      },
      undefined,
      { timeout: 30_000 },
    );
    const label = await page.locator(".received-dump .progress-label").innerText();
    expect(label).toMatch(/\d+%/);
    expect(await page.locator(".received-dump .received-status").innerText()).toBe("receiving");
    await screenshot(page, "dumps-receiving");

    const code = await senderDone;
    expect(code, `vmscope send failed:\n${senderOutput}`).toBe(0);
    console.log(`vmscope send of ${core} took ${((Date.now() - began) / 1000).toFixed(1)} s: ${senderOutput.trim()}`);

    // The row turns complete (the bar full and green), still without a reload.
    await expectText(page, ".received-dump .received-status", "complete", "the received dump's status", 60_000);
    await page.waitForFunction(() => document.querySelector('.received-dump [role="progressbar"]')?.getAttribute("aria-valuenow") === "100");
    expect(await page.locator(".received-dump .progress-done").count()).toBe(1);
    expect(await page.locator(".received-dump").innerText()).toContain("received from e2ehost (127.0.0.1)");
    await screenshot(page, "dumps-received");

    // Open it: the overview of the received dump tells the fixture's crash.
    await page.locator(".received-dump button", { hasText: "open" }).click();
    await page.waitForURL(/\/dumps\/[^/]+$/, { timeout: 60_000 });
    await expectText(page, "main", oracle.crashed.panic_message, "the received dump's overview shows the panic message", 120_000);
    await screenshot(page, "received-overview");
  });
});
