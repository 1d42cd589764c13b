// The live console of a host: every netconsole line and syslog message the server's receiver
// takes in from that host (receiver/logLine on the push channel), as it arrives, without a
// reload. The server keeps no history for this view to fetch (the lines also go to
// <dumpdir>/logs/<host>/ on its disk), so it shows what arrives while it is open. Following
// keeps the newest line in view; untick it to read back while lines arrive. `/hosts/all/log` shows every host.
import { useMemo, useState } from "react";
import { useConnectionState, useNotifications } from "../app/api";
import { href, navigate, useQuery } from "../app/router";
import { VirtualList } from "../components/VirtualList";
import { levelName } from "../format";
import { isNotification } from "../protocol/events";
import type { ReceiverLogLine } from "../protocol/generated";

const ROW_HEIGHT = 18;
/** Lines kept; older ones drop off the top (a chatty host must not grow the page without bound). */
export const KEPT_LINES = 20_000;

export const ALL_HOSTS = "all";

/** Appends `line` to `lines`, keeping at most `limit` (the newest). */
export function appendBounded<T>(lines: readonly T[], line: T, limit = KEPT_LINES): T[] {
  const next = lines.length >= limit ? lines.slice(lines.length - limit + 1) : lines.slice();
  next.push(line);
  return next;
}

function lineTime(line: ReceiverLogLine): string {
  if (!line.timestamp) return "";
  return line.source === "netconsole" ? `[${line.timestamp.padStart(12, " ")}]` : line.timestamp;
}

export function HostLogView({ host }: { host: string }) {
  const query = useQuery();
  const text = query.get("q") ?? "";
  const state = useConnectionState();
  const [lines, setLines] = useState<ReceiverLogLine[]>([]);
  const [follow, setFollow] = useState(true);

  useNotifications((n) => {
    if (!isNotification(n, "receiver/logLine")) return;
    if (host !== ALL_HOSTS && n.params.host !== host) return;
    setLines((previous) => appendBounded(previous, n.params));
  });

  const needle = text.trim().toLowerCase();
  const rows = useMemo(() => (needle ? lines.filter((l) => l.text.toLowerCase().includes(needle)) : lines), [lines, needle]);

  return (
    <div className="log-view host-log">
      <div className="toolbar">
        <h2 className="inline">
          live console of {host === ALL_HOSTS ? "every host" : <span className="mono">{host}</span>}
        </h2>
        <input
          data-search
          className="filter"
          aria-label="search the live log"
          placeholder="search  (/ to focus)"
          value={text}
          onChange={(e) => navigate(href(["hosts", host, "log"], { q: e.target.value }), { replace: true })}
        />
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> follow
        </label>
        <span className="muted count" data-testid="host-log-count">
          {rows.length === lines.length ? `${lines.length} lines` : `${rows.length} of ${lines.length} lines`}
          {state === "open" ? " · waiting for more" : ` · push channel ${state}`}
        </span>
      </div>
      {lines.length === 0 ? (
        <p className="muted panel">
          Nothing received from {host === ALL_HOSTS ? "any host" : host} since this page opened. Lines appear here as netconsole or syslog
          sends them to the server's receiver (<span className="mono">vmscope serve --receive DIR</span>).
        </p>
      ) : null}
      <VirtualList
        count={rows.length}
        rowHeight={ROW_HEIGHT}
        scrollToIndex={follow ? rows.length - 1 : undefined}
        className="log-lines"
        ariaLabel={`live log of ${host}`}
        role="log"
        renderRow={(i) => {
          const l = rows[i]!;
          return (
            <div className={`log-line lvl-${l.level ?? 6}`} title={l.line} data-source={l.source}>
              <span className="log-time">{lineTime(l)}</span>
              <span className="log-level">{l.level !== undefined ? levelName(l.level) : ""}</span>
              {host === ALL_HOSTS ? <span className="log-host">{l.host}</span> : null}
              <span className="log-source">{l.source === "netconsole" ? (l.extended ? "netconsole+" : "netconsole") : `syslog/${l.transport}`}</span>
              <span className="log-text">{l.text}</span>
            </div>
          );
        }}
      />
    </div>
  );
}
