// The protocol document against the live server. Steps, each counted as checks:
//  1. protocol-spec/openrpc.json is a valid OpenRPC document (@open-rpc/schema-utils-js), and
//     every example's params and result, as written, validate against their schemas (ajv);
//  2. `vmscope serve --http 127.0.0.1:0` is started, the fixture dump opened as dump-1, and a
//     copy of the document is written with servers[0].url set, params by name, dump/close run
//     last, and the fixture-dependent examples filled from the oracle (fixture-examples.mjs);
//  3. @open-rpc/test-coverage runs every example of the copy against the server: examples in
//     fixture-examples.mjs must be equal (less their `ignore` keys) and schema-valid; the others
//     equal, or else schema-valid, as test-coverage itself judges.
// Prints one line per check, then `spec-coverage: N passed, N failed`; exits 1 on any failure.
//
// Usage: node spec-coverage.mjs --vmscope PATH [--fixture DIR] [--keep DIR]
import { spawn, execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { fills, byteOrder } from "./fixture-examples.mjs";

const require = createRequire(import.meta.url);
const coverage = require("@open-rpc/test-coverage").default;
const ExamplesRule = require("@open-rpc/test-coverage/build/rules/examples-rule").default;
const { parseOpenRPCDocument, validateOpenRPCDocument } = require("@open-rpc/schema-utils-js");
const Ajv = require("ajv");
const isEqual = require("lodash/isEqual");

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const args = parseArgs(process.argv.slice(2));
const fixture = args.fixture || process.env.VMSCOPE_FIXTURES || "/var/cache/vmscope/fixtures/current";

let passed = 0;
let failed = 0;
function check(ok, what, why = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok || !why ? "" : "\n       " + why}`);
}

function parseArgs(list) {
  const out = {};
  for (let i = 0; i < list.length; i += 2) {
    if (!list[i].startsWith("--") || i + 1 >= list.length) throw new Error(`bad argument ${list[i]}`);
    out[list[i].slice(2)] = list[i + 1];
  }
  return out;
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

// Removes `keys` at any depth (for comparisons that ignore values no oracle records).
function without(value, keys) {
  if (Array.isArray(value)) return value.map((v) => without(v, keys));
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) if (!keys.includes(k)) out[k] = without(v, keys);
    return out;
  }
  return value;
}

// --- 1. the document itself
async function checkDocument(file) {
  const raw = readJson(file);
  const valid = validateOpenRPCDocument(raw);
  check(valid === true, "openrpc.json is a valid OpenRPC document", valid === true ? "" : String(valid));
  const doc = await parseOpenRPCDocument(file);  // dereferenced
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const method of doc.methods) {
    for (const example of method.examples || []) {
      const name = `${method.name} example "${example.name}"`;
      const problems = [];
      for (const p of example.params) {
        const param = method.params.find((x) => x.name === p.name);
        if (!param) problems.push(`unknown param ${p.name}`);
        else if (!ajv.validate(param.schema, p.value)) problems.push(`param ${p.name}: ${ajv.errorsText()}`);
      }
      for (const param of method.params) {
        if (param.required && !example.params.some((p) => p.name === param.name)) problems.push(`required param ${param.name} missing`);
      }
      if (!ajv.validate(method.result.schema, example.result.value)) problems.push(`result: ${ajv.errorsText()}`);
      check(problems.length === 0, `${name} validates against its schemas`, problems.join("; "));
    }
  }
  return doc;
}

// --- 2. the server, the dump, the filled copy
function startServer(vmscope, debugDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(vmscope, ["serve", "--http", "127.0.0.1:0", "--allow-dir", fixture, "--allow-dir", path.dirname(debugDir), "--debug-dir", debugDir], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`vmscope serve did not start: ${stderr}`)), 30000);
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const m = /listening on (http:\/\/[^\s]+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: new URL("rpc", m[1].endsWith("/") ? m[1] : m[1] + "/").toString() });
      }
    });
    child.on("exit", (code) => reject(new Error(`vmscope serve exited ${code}: ${stderr}`)));
  });
}

let nextId = 1;
async function rpc(url, method, params) {
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }) });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

function loadOracle(manifest) {
  const dir = path.join(fixture, "oracle");
  const kaslr = BigInt(readJson(path.join(dir, "symbols.json")).kaslr_offset);
  const nm = new Map();
  const text = execFileSync("nm", ["--defined-only", manifest.kernel.vmlinux], { maxBuffer: 1 << 28 }).toString();
  for (const line of text.split("\n")) {
    const [address, type, name] = line.split(" ");
    if (!name || nm.has(name)) continue;
    const link = BigInt("0x" + address);
    const moves = link >= 0xffffffff80000000n && type !== "A" && type !== "a";
    nm.set(name, "0x" + (moves ? link + kaslr : link).toString(16));
  }
  return {
    values: readJson(path.join(dir, "values.json")),
    layouts: readJson(path.join(dir, "layouts.json")),
    symbols: readJson(path.join(dir, "symbols.json")),
    vtop: readJson(path.join(dir, "vtop.json")),
    nm,
  };
}

function filledCopy(doc, url, oracle, session) {
  const copy = structuredClone(doc);
  copy.servers = [{ name: "test", url }];
  const exact = new Map();
  for (const method of copy.methods) {
    method.paramStructure = "by-name";  // the server takes params by name
    for (const example of method.examples || []) {
      const fill = fills[`${method.name}|${example.name}`];
      if (!fill) continue;
      const { params, result, ignore } = fill({ oracle, session });
      for (const [name, value] of Object.entries(params || {})) {
        const p = example.params.find((x) => x.name === name);
        if (p) p.value = value;
        else example.params.push({ name, value });
      }
      if (result !== undefined) example.result.value = result;
      exact.set(`${method.name}|${example.name}`, ignore || []);
    }
  }
  // test-coverage turns an example's params into an object by position in method.params, so
  // each example's params are laid out in that order, absent optional ones as undefined (which
  // JSON leaves out).
  for (const method of copy.methods) {
    for (const example of method.examples || []) {
      const byName = new Map(example.params.map((p) => [p.name, p.value]));
      let last = -1;
      method.params.forEach((p, i) => {
        if (byName.has(p.name)) last = i;
      });
      example.params = method.params.slice(0, last + 1).map((p) => ({ name: p.name, value: byName.get(p.name) }));
    }
  }
  // dump/close ends the session every other example runs in.
  copy.methods.sort((a, b) => (a.name === "dump/close") - (b.name === "dump/close"));
  return { copy, exact };
}

// --- 3. test-coverage with exactness where the oracle allows it
class FixtureExamplesRule extends ExamplesRule {
  constructor(exact) {
    super();
    this.exact = exact;
    this.ajv = new Ajv({ strict: false, allErrors: true });
  }
  getCalls(doc, method) {
    const calls = super.getCalls(doc, method);
    (method.examples || []).forEach((example, i) => {
      if (calls[i]) calls[i].exampleKey = `${method.name}|${example.name}`;
    });
    return calls;
  }
  validateCall(call) {
    const ignore = this.exact.get(call.exampleKey);
    if (call.error || call.result === undefined) {
      call.valid = false;
      call.reason = `error ${JSON.stringify(call.error)}`;
      return call;
    }
    const schemaValid = this.ajv.validate(call.resultSchema, call.result);
    if (ignore === undefined) {
      // As test-coverage judges an example (equal, or else valid against the result schema),
      // with an ajv that knows the formats the spec uses (its own rejects "date-time").
      call.valid = isEqual(call.expectedResult, call.result) || schemaValid;
      call.matched = isEqual(call.expectedResult, call.result) ? "equal" : "schema only";
      if (!call.valid) call.reason = `got ${JSON.stringify(call.result)}; schema: ${this.ajv.errorsText()}`;
      return call;
    }
    call.matched = "exact";
    const equal = isEqual(without(call.expectedResult, ignore), without(call.result, ignore));
    call.valid = schemaValid && equal;
    if (!call.valid) {
      call.reason = (equal ? "" : `expected ${JSON.stringify(without(call.expectedResult, ignore))}\n       got      ${JSON.stringify(without(call.result, ignore))}`) + (schemaValid ? "" : ` schema: ${this.ajv.errorsText()}`);
    }
    return call;
  }
}

class CheckReporter {
  constructor(exact) {
    this.exact = exact;
  }
  onBegin() {}
  onTestBegin() {}
  onTestEnd() {}
  onEnd(options, calls) {
    for (const call of calls) {
      const how = call.matched || (this.exact.has(call.exampleKey) ? "exact" : "equal or schema");
      check(call.valid, `${call.methodName} example "${call.exampleKey?.split("|")[1]}" against the server (${how})`, call.reason || (call.error ? JSON.stringify(call.error) : ""));
    }
  }
}

async function main() {
  if (!args.vmscope) throw new Error("usage: spec-coverage.mjs --vmscope PATH [--fixture DIR]");
  const specFile = path.join(repo, "protocol-spec/openrpc.json");
  const doc = await checkDocument(specFile);
  const manifest = readJson(path.join(fixture, "manifest.json"));
  const { child, url } = await startServer(args.vmscope, manifest.kernel.debug_dir);
  try {
    const opened = await rpc(url, "dump/open", { core: path.join(fixture, "vmcore.elf"), vmlinux: manifest.kernel.vmlinux });
    check(opened.dumpId === "dump-1", "the fixture opens as dump-1", JSON.stringify(opened));
    const initTask = await rpc(url, "value/evaluate", { dumpId: opened.dumpId, expression: "init_task", depth: 0 });
    const oracle = loadOracle(manifest);
    const { copy, exact } = filledCopy(doc, url, oracle, { initTaskHandle: initTask.handle });
    const keep = args.keep || fs.mkdtempSync(path.join(os.tmpdir(), "vmscope-spec-"));
    fs.writeFileSync(path.join(keep, "openrpc.filled.json"), JSON.stringify(copy, null, 2));
    const rule = new FixtureExamplesRule(exact);
    await coverage({ openrpcDocument: copy, transport: "http", reporters: [new CheckReporter(exact)], rules: [rule] });
    for (const key of Object.keys(fills)) {
      const [method, name] = key.split("|");
      const present = copy.methods.some((m) => m.name === method && (m.examples || []).some((e) => e.name === name));
      if (!present) check(false, `fixture-examples.mjs fills "${key}", which the spec does not have`);
    }
  } finally {
    child.kill("SIGTERM");
  }
}

main()
  .catch((error) => check(false, "spec coverage run", error.stack || String(error)))
  .finally(() => {
    console.log(`spec-coverage: ${passed} passed, ${failed} failed`);
    process.exit(failed === 0 && passed > 0 ? 0 : 1);
  });
