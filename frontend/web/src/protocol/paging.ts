// Whole lists from paged methods: every task (tasks/list pages by offset/limit with a
// total) and the whole kernel log (log/read pages by sequence number with `more`). Each loop
// is bounded: it stops on a page that makes no progress and after a fixed number of pages.
import type { RpcClient } from "./client";
import type { ApiMethods } from "./methods";

type TasksResult = ApiMethods["tasks/list"]["result"];
type LogResult = ApiMethods["log/read"]["result"];

const PAGE = 100_000; // the servers' largest page: one request for any real machine
const MAX_PAGES = 1000;

function signalOption(signal: AbortSignal | undefined) {
  return signal ? { signal } : {};
}

/** Every task, in one result: the pages' tasks concatenated, their problems merged. */
export async function loadAllTasks(client: RpcClient, dumpId: string, signal?: AbortSignal): Promise<TasksResult> {
  const first = await client.call("tasks/list", { dumpId, offset: 0, limit: PAGE }, signalOption(signal));
  const tasks = [...first.tasks];
  const problems = [...(first.problems ?? [])];
  let partial = first.partial;
  for (let page = 1; tasks.length < first.total && page < MAX_PAGES; page++) {
    const next = await client.call("tasks/list", { dumpId, offset: tasks.length, limit: PAGE }, signalOption(signal));
    if (next.tasks.length === 0) break;
    tasks.push(...next.tasks);
    problems.push(...(next.problems ?? []));
    partial = partial || next.partial;
  }
  return { ...first, tasks, offset: 0, partial, problems };
}

/** The whole log, in one result. */
export async function loadWholeLog(client: RpcClient, dumpId: string, signal?: AbortSignal): Promise<LogResult> {
  const first = await client.call("log/read", { dumpId, fromSeq: 0, limit: PAGE }, signalOption(signal));
  const records = [...first.records];
  let last = first;
  for (let page = 1; last.more && page < MAX_PAGES; page++) {
    const next = await client.call("log/read", { dumpId, fromSeq: last.nextSeq, limit: PAGE }, signalOption(signal));
    if (next.records.length === 0 || next.nextSeq <= last.nextSeq) break;
    records.push(...next.records);
    last = next;
  }
  return { ...last, records };
}
