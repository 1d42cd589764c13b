// The method table the client is typed with: the generated one (from the spec), plus —
// only until the spec defines them — the methods issue 6 names, with the minimum fields it
// lists and nothing more (everything beyond them optional).
//
// A method the spec defines always wins (`Omit<PendingMethods, keyof Methods>`), so this file
// never overrides the spec; `npm run check-client` fails while a pending entry is also in the
// spec, so each stopgap is deleted as soon as the real definition lands.
import type { DumpId, HexU64, Methods } from "./generated";

interface PendingTask {
  pid: number;
  tgid: number;
  ppid: number;
  comm: string;
  state: string;
  cpu: number;
  address: HexU64;
  rssBytes?: number;
}

interface PendingFrame {
  pc: HexU64;
  function?: string;
  offset?: number;
  module?: string;
  file?: string;
  line?: number;
  inline?: boolean;
}

interface PendingLogRecord {
  seq: number;
  timestampNs: number;
  level: number;
  text: string;
}

interface PendingSysInfo {
  release: string;
  version: string;
  machine: string;
  cpus: number;
  memoryBytes: number;
  uptimeNs: number;
  panicMessage?: string;
  crashedTask?: { pid: number; comm: string; address: HexU64; cpu: number };
}

interface PendingValueNode {
  name: string;
  type: string;
  address?: HexU64;
  kind: string;
  value?: { display?: string; string?: string; symbol?: string };
  hasChildren?: boolean;
  childCount?: number;
  handle?: string | number;
  children?: PendingValueNode[];
  error?: { code: number; message: string; data?: Record<string, unknown> };
}

interface PendingSymbol {
  name: string;
  address: HexU64;
  size?: number;
  kind?: string;
  module?: string;
}

interface PendingMethods {
  "sys/info": { params: { dumpId: DumpId }; result: PendingSysInfo };
  "tasks/list": { params: { dumpId: DumpId }; result: { tasks: PendingTask[] } };
  "tasks/backtrace": {
    params: { dumpId: DumpId; pid?: number; address?: HexU64 };
    result: { frames: PendingFrame[] };
  };
  "log/read": {
    params: { dumpId: DumpId; start?: number; count?: number; minLevel?: number };
    result: { records: PendingLogRecord[] };
  };
  "symbols/lookup": { params: { dumpId: DumpId; name?: string; address?: HexU64 }; result: PendingSymbol };
  "symbols/search": {
    params: { dumpId: DumpId; query: string; limit?: number };
    result: { symbols: PendingSymbol[] };
  };
  "value/evaluate": { params: { dumpId: DumpId; expression: string }; result: PendingValueNode };
  "value/children": {
    params: { dumpId: DumpId; handle: string | number; start?: number; count?: number };
    result: { children: PendingValueNode[]; total?: number };
  };
  "triage/report": {
    params: { dumpId: DumpId };
    result: {
      title: string;
      culprit?: { function?: string; module?: string; file?: string; line?: number };
      bucket: string;
      sys?: PendingSysInfo;
      crashedTask?: { pid: number; comm: string; address: HexU64; cpu: number; frames?: PendingFrame[] };
      log?: PendingLogRecord[];
      blockedTasks?: PendingTask[];
    };
  };
}

/** The names listed in PendingMethods, for check-client. */
export const PENDING_METHOD_NAMES: readonly string[] = [
  "sys/info",
  "tasks/list",
  "tasks/backtrace",
  "log/read",
  "symbols/lookup",
  "symbols/search",
  "value/evaluate",
  "value/children",
  "triage/report",
];

export type ApiMethods = Methods & Omit<PendingMethods, keyof Methods>;
export type ApiMethodName = keyof ApiMethods;
