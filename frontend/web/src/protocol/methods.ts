// The method table the client is typed with: the generated one (from the spec), plus —
// only until the spec defines them — the methods issue 6 names, with the minimum fields it
// lists and nothing more (everything beyond them optional).
//
// A method the spec defines always wins (`Omit<PendingMethods, keyof Methods>`), so this file
// never overrides the spec; `npm run check-client` fails while a pending entry is also in the
// spec, so each stopgap is deleted as soon as the real definition lands.
import type { DumpId, HexU64, Methods } from "./generated";

interface PendingProblem {
  code: number;
  message: string;
  data?: Record<string, unknown>;
}

interface PendingTask {
  pid: number;
  tgid: number;
  ppid: number;
  comm: string;
  state: string;
  crashState?: string;
  cpu: number;
  address: HexU64;
  active?: boolean;
  rssBytes?: number;
}

interface PendingTaskRef {
  pid: number;
  comm: string;
  address: HexU64;
  cpu: number;
  active?: boolean;
}

interface PendingFrame {
  pc: HexU64;
  function: string | null;
  offset: number | null;
  module: string | null;
  file: string | null;
  line: number | null;
  inline: boolean;
  interrupted?: boolean;
  userMode?: boolean;
}

interface PendingTrace {
  frames: PendingFrame[];
  complete?: boolean;
  stopped?: PendingProblem | null;
  endReason?: string;
  notes?: string[];
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
  memoryBytes: number | null;
  uptimeNs: number | null;
  panicMessage: string | null;
  crashedTask: (PendingTaskRef & { source?: string }) | null;
}

interface PendingMethods {
  "sys/info": { params: { dumpId: DumpId }; result: PendingSysInfo };
  "tasks/list": {
    params: { dumpId: DumpId; offset?: number; limit?: number };
    result: { tasks: PendingTask[]; total: number; offset: number; partial: boolean; problems: PendingProblem[] };
  };
  "tasks/backtrace": {
    params: { dumpId: DumpId; pid?: number; address?: HexU64 };
    result: PendingTrace & { task: Partial<PendingTaskRef>; partial: boolean; problems: PendingProblem[] };
  };
  "log/read": {
    params: { dumpId: DumpId; fromSeq?: number; limit?: number; maxLevel?: number };
    result: { records: PendingLogRecord[]; nextSeq: number; more: boolean; partial: boolean; problems: PendingProblem[] };
  };
  "triage/report": {
    params: { dumpId: DumpId };
    result: {
      title: string;
      bucket: string;
      culprit: { function: string; module: string | null; file: string | null; line: number | null } | null;
      sys: PendingSysInfo | null;
      panicMessage: string | null;
      crashedTask: (PendingTaskRef & { source?: string }) | null;
      backtrace: PendingTrace | null;
      culpritTask: PendingTaskRef | null;
      culpritBacktrace: PendingTrace | null;
      log: PendingLogRecord[];
      blockedTasks: (PendingTaskRef & { crashState?: string; functions: string[] | null })[];
      partial: boolean;
      problems: PendingProblem[];
    };
  };
}

/** The names listed in PendingMethods, for check-client. */
export const PENDING_METHOD_NAMES: readonly string[] = [
  "sys/info",
  "tasks/list",
  "tasks/backtrace",
  "log/read",
  "triage/report",
];

export type ApiMethods = Methods & Omit<PendingMethods, keyof Methods>;
export type ApiMethodName = keyof ApiMethods;
