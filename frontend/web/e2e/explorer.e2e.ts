// The web crash explorer on the real fixture dump, driven through Debian's Chromium like a
// person would: open the dump, read the overview, find a planted task and its backtrace,
// expand init_task, read the planted /dev/kmsg lines, look a symbol up, read memory, and see
// a precise error. Every expected value comes from the fixture's manifest and the oracle
// recordings (crash 8.0.6 / drgn 0.0.31), never from this file. Each view is screenshotted
// into docs/screenshots/.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { config, expectText, launchBrowser, loadFixture, screenshot, startServer, type Server } from "./harness";

const fixture = loadFixture();
const { manifest, oracle } = fixture;

let server: Server;
let browser: Browser;
let page: Page;
let dumpId = "";
const pageErrors: string[] = [];

function url(path: string): string {
  return server.url + path;
}

function dumpPath(...rest: string[]): string {
  if (!dumpId) throw new Error("no dump was opened (the first test failed)");
  return `/dumps/${encodeURIComponent(dumpId)}${rest.length ? "/" + rest.join("/") : ""}`;
}

beforeAll(async () => {
  // The server opens dumps and debug files only inside its --allow-dir directories.
  server = await startServer([config.fixtures, manifest.kernel.dir]);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("web crash explorer on the real fixture dump", () => {
  it("opens the fixture dump from the dumps page", async () => {
    const query = new URLSearchParams({ core: fixture.core, vmlinux: manifest.kernel.vmlinux, debugDir: manifest.kernel.debug_dir });
    await page.goto(url(`/dumps?${query}`));
    await expectText(page, "h2", "Open a dump file", "the dumps page");
    await page.getByRole("button", { name: "open", exact: true }).click();
    const opened = page.waitForURL(/\/dumps\/[^/?]+$/, { timeout: 50_000 }).then(() => "opened");
    const failed = page.locator(".error-view").first().waitFor({ timeout: 50_000 }).then(() => "failed");
    const outcome = await Promise.race([opened, failed]).catch(() => "timed out");
    if (outcome !== "opened") {
      const errors = await page.locator(".error-view").allInnerTexts();
      throw new Error(`dump/open ${outcome}; the page shows: ${errors.join("\n") || "no error"}`);
    }
    dumpId = decodeURIComponent(new URL(page.url()).pathname.split("/")[2]!);
    await page.goto(url("/dumps"));
    await expectText(page, ".dumps-table tr", dumpId, "the dump list lists the opened dump");
    await expectText(page, ".dumps-table tr", manifest.kernel.version, "the dump list shows the kernel release");
    await screenshot(page, "dumps");
  });

  it("the overview shows the fixture's panic message", async () => {
    await page.goto(url(dumpPath()));
    await expectText(page, "[data-testid=panic-message]", oracle.crashed.panic_message, "the overview's panic message");
    await expectText(page, ".overview", oracle.crashed.comm, "the overview names the crashed task");
    await screenshot(page, "overview");
  });

  it("the tasks table finds a named fixture task", async () => {
    const comm = manifest.planted.crash.task;
    const expected = oracle.tasks.tasks.find((t) => t.comm === comm);
    expect(expected, `oracle/tasks.json has a task named ${comm}`).toBeDefined();
    await page.goto(url(dumpPath("tasks")));
    await expectText(page, "[data-testid=task-count]", `${oracle.tasks.tasks.length} tasks`, "the task count equals the oracle's");
    await page.getByLabel("filter tasks").fill(comm);
    await expectText(page, ".vtable-row", comm, `the filtered table shows ${comm}`);
    const row = page.locator(".vtable-row").filter({ hasText: comm }).first();
    expect(await row.getAttribute("data-pid")).toBe(String(expected!.pid));
    // Its RSS is crash's (ps: RSS in KiB, on the line of its task_struct address).
    const rssKib = crashPsRssKib(expected!.task);
    expect(await row.locator(".rss").getAttribute("title")).toBe(`${rssKib * 1024} bytes`);
    await page.getByLabel("filter tasks").fill("vms-");
    await expectText(page, "[data-testid=task-count]", "of", "the prefix filter narrows the table");
    for (const planted of manifest.planted.tasks) await expectText(page, ".vtable-row", planted, `planted task ${planted} is listed`);
    await screenshot(page, "tasks");
  });

  it("a planted task's backtrace shows the oracle's functions", async () => {
    const comm = manifest.planted.crash.task;
    const stack = oracle.stacks.stacks.find((s) => s.comm === comm);
    expect(stack, `oracle/stacks.json has the stack of ${comm}`).toBeDefined();
    await page.goto(url(dumpPath("tasks") + `?q=${encodeURIComponent(comm)}`));
    await expectText(page, ".vtable-row", comm, `the task table shows ${comm}`);
    await page.locator(".vtable-row").filter({ hasText: comm }).first().getByRole("link").click();
    await page.waitForURL(new RegExp(`/tasks/${stack!.pid}`));
    const kernelFunctions = stack!.frames.map((f) => f.function).filter((f) => !/^0x[0-9a-f]+$/.test(f));
    await expectText(page, "table.backtrace td.frame-function", kernelFunctions[kernelFunctions.length - 1]!, "the backtrace table");
    const shown = await page.locator("table.backtrace td.frame-function").evaluateAll((cells) =>
      cells.map((c) => c.getAttribute("data-function") ?? ""),
    );
    expect(shown.filter((f) => !/^0x[0-9a-f]+$/.test(f) && f !== "")).toEqual(kernelFunctions);
    await screenshot(page, "task-backtrace");
  });

  it("a frame of the crashing task expands to its arguments: the sysrq key of `echo c`", async () => {
    // The planted crash is `echo c > /proc/sysrq-trigger` (manifest.planted.crash.how): the key
    // __handle_sysrq was given is 'c', the server reads it from the frame's DWARF location.
    const how = manifest.planted.crash.how;
    const key = /echo (\w) > \/proc\/sysrq-trigger/.exec(how)?.[1];
    expect(key, `a sysrq key in "${how}"`).toBeDefined();
    const stack = oracle.stacks.stacks.find((s) => s.comm === manifest.planted.crash.task);
    await page.goto(url(dumpPath("tasks", String(stack!.pid))));
    const row = page.locator("table.backtrace tr").filter({ has: page.locator('td.frame-function[data-function="__handle_sysrq"]') });
    await row.locator("button.frame-toggle").click();
    const keyRow = page.locator("table.frame-variables tr").filter({ has: page.locator("td.variable-name", { hasText: /^key$/ }) });
    await expectText(page, "table.frame-variables td.variable-name", "key", "__handle_sysrq's arguments");
    expect(await keyRow.locator("td.variable-value").textContent()).toBe("0x" + key!.charCodeAt(0).toString(16));
    await screenshot(page, "task-frame-variables");
  });

  it("the explorer expands init_task to comm = the oracle's value", async () => {
    const comm = oracle.values["init_task.comm"] as string;
    await page.goto(url(dumpPath("explore") + "?expr=init_task"));
    await expectText(page, '.tree-node[data-name="comm"] .v-string', JSON.stringify(comm), "init_task.comm in the value tree");
    await page.locator('.tree-node[data-name="comm"]').first().evaluate((el) => el.scrollIntoView({ block: "center" }));
    await screenshot(page, "explore");
  });

  it("walks init_task.tasks: the first entry and the count agree with the oracle", async () => {
    await page.goto(url(dumpPath("explore") + "?expr=init_task"));
    await expectText(page, '.tree-node[data-name="tasks"] button', "walk list", "init_task.tasks has a walk action");
    await page.locator('.tree-node[data-name="tasks"] > .tree-row button', { hasText: "walk list" }).click();
    await expectText(page, ".list-walk", "back at the head", "the walk ends back at init_task.tasks");
    const entries = await page.locator(".list-walk .list-entries a").allInnerTexts();
    expect(entries[0], "the first entry is init_task.tasks.next").toBe(oracle.values["init_task.tasks.next"]);
    // init_task.tasks links every thread-group leader but init_task itself (and no CPU's idle task).
    const leaders = oracle.tasks.tasks.filter((t) => t.pid === t.tgid && t.pid !== 0);
    expect(entries.length, "entries on init_task.tasks").toBe(leaders.length);
    await screenshot(page, "explore-list-walk");
  });

  it("the log shows the fixture's /dev/kmsg lines with their levels", async () => {
    await page.goto(url(dumpPath("log") + "?q=vmscope-fixture"));
    const planted = oracle.dmesg.records.filter((r) => manifest.planted.kmsg_text.includes(r.text));
    expect(planted.length, "oracle/dmesg.json holds the planted /dev/kmsg lines").toBe(manifest.planted.kmsg_text.length);
    for (const record of planted) {
      await expectText(page, ".log-line", record.text, `log line "${record.text}"`);
      const line = page.locator(".log-line").filter({ hasText: record.text }).first();
      expect(await line.getAttribute("class"), `level of "${record.text}"`).toContain(`lvl-${record.level}`);
    }
    await page.goto(url(dumpPath("log")));
    await expectText(page, "[data-testid=log-count]", `${oracle.dmesg.records.length} records`, "the log has every record");
    await screenshot(page, "log");
  });

  it("symbol type-ahead finds init_task at the oracle's address", async () => {
    const address = oracle.values["&init_task"] as string;
    await page.goto(url(dumpPath("symbols")));
    await page.getByLabel("search symbols").fill("init_task");
    await expectText(page, "[role=option]", "init_task", "the type-ahead results");
    await page.locator("[role=option]").filter({ hasText: /^init_task\s/ }).first().click();
    await expectText(page, ".symbol-details", address, "init_task's address");
    await screenshot(page, "symbols");
  });

  it("the hex view shows init_task's comm bytes", async () => {
    const task = oracle.layouts.structs.task_struct;
    const member = task?.members.find((m) => m.name === "comm");
    expect(member, "oracle/layouts.json has task_struct.comm").toBeDefined();
    const address = BigInt(oracle.values["&init_task"] as string) + BigInt(member!.bit_offset / 8);
    await page.goto(url(dumpPath("memory") + `?addr=0x${address.toString(16)}`));
    await expectText(page, ".hex-ascii", String(oracle.values["init_task.comm"]), "comm's text in the ASCII column");
    await screenshot(page, "memory");
  });

  it("a failing read shows the server's error precisely", async () => {
    await page.goto(url(dumpPath("memory") + "?addr=0x10"));
    await expectText(page, ".error-title", "AddressNotMapped (-32010) from memory/read", "the error's code and method");
    await expectText(page, ".error-data", "address-not-mapped", "the error's data");
    await screenshot(page, "error");
  });

  it("raised no uncaught script error on any page", () => {
    expect(pageErrors).toEqual([]);
  });
});

/** The RSS column (KiB) of crash's `ps` for the task at `address`. */
function crashPsRssKib(address: string): number {
  const want = address.toLowerCase().replace(/^0x/, "");
  for (const line of readFileSync(join(config.fixtures, "oracle/crash/ps.txt"), "utf8").split("\n")) {
    const m = /^[> ]\s*\d+\s+\d+\s+\d+\s+([0-9a-f]+)\s+\S+\s+[\d.]+\s+\d+\s+(\d+)\s/.exec(line);
    if (m && m[1] === want) return Number(m[2]);
  }
  throw new Error(`oracle/crash/ps.txt has no task ${address}`);
}
