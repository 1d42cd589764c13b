// The kernel log, virtualized: one line per record with its timestamp and level (coloured
// by severity), a text search that filters, a level filter, and a jump to a time. The search
// lives in the URL (?q=…&level=…).
import { useMemo, useState } from "react";
import { useLoader } from "../app/api";
import { href, navigate, useQuery } from "../app/router";
import { Loading } from "../components/Loading";
import { Problems } from "../components/Problems";
import { loadWholeLog } from "../protocol/paging";
import { VirtualList } from "../components/VirtualList";
import { formatKernelTime, LOG_LEVEL_NAMES, levelName } from "../format";
import type { ApiMethods } from "../protocol/methods";

type LogRecord = ApiMethods["log/read"]["result"]["records"][number];
const ROW_HEIGHT = 18;

/** Records whose level is at most `maxLevel` and whose text contains `text` (any case). */
export function filterLog(records: readonly LogRecord[], text: string, maxLevel: number): LogRecord[] {
  const needle = text.trim().toLowerCase();
  return records.filter((r) => r.level <= maxLevel && (needle === "" || r.text.toLowerCase().includes(needle)));
}

/** Index of the first record at or after `seconds`, or -1. */
export function indexAtTime(records: readonly LogRecord[], seconds: number): number {
  const ns = seconds * 1e9;
  return records.findIndex((r) => r.timestampNs >= ns);
}

function Highlight({ text, needle }: { text: string; needle: string }) {
  if (!needle) return <>{text}</>;
  const at = text.toLowerCase().indexOf(needle.toLowerCase());
  if (at < 0) return <>{text}</>;
  return (
    <>
      {text.slice(0, at)}
      <mark>{text.slice(at, at + needle.length)}</mark>
      {text.slice(at + needle.length)}
    </>
  );
}

function LogLines({ dumpId, records }: { dumpId: string; records: LogRecord[] }) {
  const query = useQuery();
  const text = query.get("q") ?? "";
  const levelText = query.get("level");
  const maxLevel = levelText !== null && /^[0-7]$/.test(levelText) ? Number(levelText) : 7;
  const [jump, setJump] = useState("");
  const [scrollTo, setScrollTo] = useState<number | undefined>(undefined);
  const rows = useMemo(() => filterLog(records, text, maxLevel), [records, text, maxLevel]);

  const setQuery = (q: string, level: number) =>
    navigate(href(["dumps", dumpId, "log"], { q, level: level === 7 ? undefined : level }), { replace: true });

  return (
    <div className="log-view">
      <div className="toolbar">
        <input
          data-search
          className="filter"
          aria-label="search the log"
          placeholder="search the log  (/ to focus)"
          value={text}
          onChange={(e) => setQuery(e.target.value, maxLevel)}
        />
        <label>
          levels ≤{" "}
          <select aria-label="maximum level" value={maxLevel} onChange={(e) => setQuery(text, Number(e.target.value))}>
            {LOG_LEVEL_NAMES.map((name, level) => (
              <option key={level} value={level}>
                {level} {name}
              </option>
            ))}
          </select>
        </label>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const seconds = Number(jump);
            if (Number.isFinite(seconds)) setScrollTo(Math.max(0, indexAtTime(rows, seconds)));
          }}
        >
          <input className="short" aria-label="jump to time" placeholder="jump to s" value={jump} onChange={(e) => setJump(e.target.value)} />
        </form>
        <span className="muted count" data-testid="log-count">
          {rows.length === records.length ? `${records.length} records` : `${rows.length} of ${records.length} records`}
        </span>
      </div>
      <VirtualList
        count={rows.length}
        rowHeight={ROW_HEIGHT}
        scrollToIndex={scrollTo}
        className="log-lines"
        ariaLabel="kernel log"
        role="log"
        renderRow={(i) => {
          const r = rows[i]!;
          return (
            <div className={`log-line lvl-${r.level}`} title={r.text} data-seq={r.seq}>
              <span className="log-time">[{formatKernelTime(r.timestampNs)}]</span>
              <span className="log-level">{levelName(r.level)}</span>
              <span className="log-text">
                <Highlight text={r.text} needle={text.trim()} />
              </span>
            </div>
          );
        }}
      />
    </div>
  );
}

export function LogView({ dumpId }: { dumpId: string }) {
  const log = useLoader(dumpId, (client, signal) => loadWholeLog(client, dumpId, signal), { cacheKey: `log ${dumpId}` });
  return (
    <Loading state={log} what="the kernel log" dumpId={dumpId}>
      {(data) => (
        <>
          <Problems problems={data.problems} partial={data.partial} what="the log" />
          <LogLines dumpId={dumpId} records={data.records} />
        </>
      )}
    </Loading>
  );
}
