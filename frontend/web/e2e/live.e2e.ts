// The push channel, live in the browser: while the dumps page is open, another client (a
// bot, here this test over plain HTTP) runs a slow request with a workDoneToken; its
// $/progress notifications reach the page over GET /events and show as a progress bar that
// moves and then completes, without a reload. The server runs with --test-methods for
// `test/sleep`, a request that is slow on demand.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { config, expectText, launchBrowser, screenshot, startServer, type Server } from "./harness";

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startServer([config.fixtures], ["--test-methods"]);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 560 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("live updates from the push channel", () => {
  it("shows another client's progress as it happens, then completes", async () => {
    await page.goto(`${server.url}/dumps`);
    await expectText(page, ".conn", "live", "the push channel connects");

    const milliseconds = 4000;
    const bot = fetch(`${server.url}/rpc`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "test/sleep", params: { milliseconds, steps: 8, workDoneToken: "bot-sleep" } }),
    });
    const bar = page.getByRole("progressbar", { name: /another client/ });
    await bar.waitFor({ timeout: 5_000 });
    // It moves while the request runs: some value strictly between 0 and 100.
    await page.waitForFunction(
      () => {
        const value = Number(document.querySelector('[role="progressbar"]')?.getAttribute("aria-valuenow"));
        return value > 0 && value < 100;
      },
      undefined,
      { timeout: milliseconds },
    );
    await screenshot(page, "dumps-live-progress");
    const response = (await (await bot).json()) as { result?: { sleptMs: number } };
    expect(response.result?.sleptMs).toBeGreaterThanOrEqual(milliseconds); // it measures real time
    await page.waitForFunction(() => document.querySelector('[role="progressbar"]')?.getAttribute("aria-valuenow") === "100", undefined, {
      timeout: 5_000,
    });
    expect(await page.locator(".progress-done").count()).toBe(1);
  });
});
