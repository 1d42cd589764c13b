#!/usr/bin/env node
// Generates src/protocol/generated.ts — the TypeScript types of every method, result,
// notification and error code — from protocol-spec/openrpc.json, the single source of truth.
//
//   node scripts/generate-client.mjs           write the file
//   node scripts/generate-client.mjs --check   exit 1 when the committed file is stale
//   … --spec PATH                              read this document instead (e.g. the committed
//                                              one while the working tree holds a half-edit)
//   … --out PATH                               write (or check) PATH instead (the VS Code
//                                              extension generates its copy with this script)
//
// The translation is a small, deterministic walk over the JSON Schema subset the document
// uses ($ref to components, type (also as a list), enum, const, properties/required,
// additionalProperties, items, oneOf/anyOf/allOf). Anything else becomes `unknown`, never a
// guess, so the client can only be as precise as the spec.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const specFlag = process.argv.indexOf("--spec");
const specPath = specFlag > 0 && process.argv[specFlag + 1] ? resolve(process.argv[specFlag + 1]) : resolve(here, "../../../protocol-spec/openrpc.json");
const outFlag = process.argv.indexOf("--out");
const outPath = outFlag > 0 && process.argv[outFlag + 1] ? resolve(process.argv[outFlag + 1]) : resolve(here, "../src/protocol/generated.ts");

// "dump/open" -> "DumpOpen", "rpc.discover" -> "RpcDiscover", "$/progress" -> "Progress".
export function pascalName(methodName) {
  return methodName
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join("");
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
function propertyKey(name) {
  return identifier.test(name) ? name : JSON.stringify(name);
}

function docComment(text, indent) {
  if (!text) return "";
  const lines = String(text).replace(/\*\//g, "*\\/").split("\n");
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join("\n")}\n${indent} */\n`;
}

function refName(ref) {
  const match = /^#\/components\/schemas\/([A-Za-z0-9_]+)$/.exec(ref);
  if (!match) throw new Error(`unsupported $ref ${ref}`);
  return match[1];
}

function needsParens(type) {
  return /[|&]/.test(type) && !/^\{[\s\S]*\}$/.test(type);
}

// Translates one schema to a TypeScript type expression. `indent` is the indentation of the
// line the expression starts on, for nested object literals.
export function schemaToType(schema, indent = "") {
  if (schema === true || schema === undefined || schema === null) return "unknown";
  if (schema === false) return "never";
  if (schema.$ref) return refName(schema.$ref);
  if ("const" in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  for (const [key, joiner] of [
    ["oneOf", " | "],
    ["anyOf", " | "],
    ["allOf", " & "],
  ]) {
    if (Array.isArray(schema[key])) {
      const parts = schema[key].map((s) => {
        const t = schemaToType(s, indent);
        return needsParens(t) ? `(${t})` : t;
      });
      return [...new Set(parts)].join(joiner);
    }
  }
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) {
    if (schema.properties || schema.required) return objectType(schema, indent);
    if (schema.items) return arrayType(schema, indent);
    return "unknown";
  }
  const parts = types.map((t) => {
    switch (t) {
      case "string":
        return "string";
      case "integer":
      case "number":
        return "number";
      case "boolean":
        return "boolean";
      case "null":
        return "null";
      case "array":
        return arrayType(schema, indent);
      case "object":
        return objectType(schema, indent);
      default:
        return "unknown";
    }
  });
  return [...new Set(parts)].join(" | ");
}

function arrayType(schema, indent) {
  if (!schema.items || Array.isArray(schema.items)) return "unknown[]";
  const item = schemaToType(schema.items, indent);
  return needsParens(item) ? `(${item})[]` : `${item}[]`;
}

function objectType(schema, indent) {
  const inner = `${indent}  `;
  const required = new Set(schema.required ?? []);
  const properties = schema.properties ?? {};
  const lines = [];
  const names = [...Object.keys(properties)];
  // Required members the schema does not describe are still members.
  for (const name of required) if (!(name in properties)) names.push(name);
  for (const name of names) {
    const sub = properties[name];
    const doc = sub && typeof sub === "object" ? sub.description : undefined;
    const optional = required.has(name) ? "" : "?";
    lines.push(`${docComment(doc, inner)}${inner}${propertyKey(name)}${optional}: ${schemaToType(sub, inner)};`);
  }
  const extra = schema.additionalProperties;
  const describedOnlyByRequired = !schema.properties;
  if (extra && typeof extra === "object") {
    lines.push(`${inner}[key: string]: ${schemaToType(extra, inner)};`);
  } else if (extra === true || (extra === undefined && describedOnlyByRequired)) {
    lines.push(`${inner}[key: string]: unknown;`);
  }
  if (lines.length === 0) return "Record<string, never>";
  return `{\n${lines.join("\n")}\n${indent}}`;
}

function declaration(name, schema, description) {
  const type = schemaToType(schema, "");
  const doc = docComment(description ?? schema?.description, "");
  if (type.startsWith("{\n")) return `${doc}export interface ${name} ${type}\n`;
  return `${doc}export type ${name} = ${type};\n`;
}

function paramsSchema(method) {
  const params = method.params ?? [];
  const properties = {};
  const required = [];
  for (const param of params) {
    const schema = { ...(param.schema ?? {}) };
    if (param.description && !schema.description) schema.description = param.description;
    properties[param.name] = schema;
    if (param.required) required.push(param.name);
  }
  return { type: "object", properties, required, additionalProperties: false };
}

export function generate(spec) {
  const out = [];
  out.push(
    "// Generated by frontend/web/scripts/generate-client.mjs from protocol-spec/openrpc.json.",
    "// Do not edit: change the spec and run `npm run generate-client` (`npm run check-client`",
    "// fails when this file is stale).",
    "/* eslint-disable */",
    "",
    `export const PROTOCOL_VERSION = ${JSON.stringify(spec.info?.version ?? "")};`,
    "",
    "// ---- Shared schemas (components.schemas) ----",
    "",
  );
  const schemas = spec.components?.schemas ?? {};
  for (const name of Object.keys(schemas)) out.push(declaration(name, schemas[name]));

  out.push("// ---- Methods ----", "");
  const methods = spec.methods ?? [];
  const table = [];
  for (const method of methods) {
    const base = pascalName(method.name);
    out.push(declaration(`${base}Params`, paramsSchema(method), `Params of \`${method.name}\`.`));
    const resultSchema = method.result?.schema;
    const summary = [method.summary, method.result?.description].filter(Boolean).join(" ");
    out.push(declaration(`${base}Result`, resultSchema, `Result of \`${method.name}\`. ${summary}`.trim()));
    table.push(
      `  ${JSON.stringify(method.name)}: { params: ${base}Params; result: ${base}Result };`,
    );
  }
  out.push(
    "/** Every method the spec defines: its params (by name) and its result. */",
    `export interface Methods {\n${table.join("\n")}\n}`,
    "",
    "export type MethodName = keyof Methods;",
    "",
    `export const METHOD_NAMES: readonly MethodName[] = ${JSON.stringify(methods.map((m) => m.name))};`,
    "",
  );

  out.push("// ---- Notifications (x-notifications) ----", "");
  const serverTable = [];
  const clientTable = [];
  for (const note of spec["x-notifications"] ?? []) {
    const name = `${pascalName(note.name)}NotificationParams`;
    out.push(declaration(name, note.params, note.summary));
    const row = `  ${JSON.stringify(note.name)}: ${name};`;
    if (note.direction === "client-to-server") clientTable.push(row);
    else serverTable.push(row);
  }
  out.push(
    "/** Notifications the server sends (over stdio, and on GET /events). */",
    `export interface ServerNotifications {\n${serverTable.join("\n")}\n}`,
    "",
    "/** Notifications a client may send. */",
    `export interface ClientNotifications {\n${clientTable.join("\n")}\n}`,
    "",
  );

  out.push("// ---- Errors (components.errors) ----", "");
  const errors = spec.components?.errors ?? {};
  const codeRows = Object.entries(errors).map(([name, e]) => `  ${name}: ${e.code},`);
  const messageRows = Object.entries(errors).map(
    ([, e]) => `  ${JSON.stringify(String(e.code))}: ${JSON.stringify(e.message)},`,
  );
  out.push(
    "/** The JSON-RPC error codes the server uses, by name. */",
    `export const ERROR_CODES = {\n${codeRows.join("\n")}\n} as const;`,
    "",
    "export type ErrorName = keyof typeof ERROR_CODES;",
    "",
    "/** The spec's generic message for each code. */",
    `export const ERROR_MESSAGES: Readonly<Record<string, string>> = {\n${messageRows.join("\n")}\n};`,
    "",
  );
  return out.join("\n");
}

// Names in methods.ts' PENDING_METHOD_NAMES that the spec now defines.
function pendingAlsoInSpec(spec) {
  const methodsFile = readFileSync(resolve(here, "../src/protocol/methods.ts"), "utf8");
  const list = /PENDING_METHOD_NAMES[^=]*=\s*\[([^\]]*)\]/.exec(methodsFile);
  if (!list) return [];
  const pending = [...list[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  const defined = new Set((spec.methods ?? []).map((m) => m.name));
  return pending.filter((name) => defined.has(name));
}

function main() {
  const spec = JSON.parse(readFileSync(specPath, "utf8"));
  const text = generate(spec);
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(outPath, "utf8");
    } catch {
      current = "";
    }
    if (current !== text) {
      console.error(
        `check-client: ${outPath} is stale (it does not match ${specPath}); run \`npm run generate-client\``,
      );
      process.exit(1);
    }
    const stale = pendingAlsoInSpec(spec);
    if (stale.length > 0) {
      console.error(
        `check-client: src/protocol/methods.ts still declares ${stale.join(", ")} as pending, but the spec defines them now; delete the stopgap`,
      );
      process.exit(1);
    }
    console.log("check-client: generated client types match the spec");
    return;
  }
  writeFileSync(outPath, text);
  console.log(`wrote ${outPath}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
