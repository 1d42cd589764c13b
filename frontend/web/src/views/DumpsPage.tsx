// The catalog: the dumps the server holds open, live. Opening a dump file by path asks for
// $/progress under a token of ours; progress of every client's work arrives on the push
// channel too, so a dump a bot is opening shows up here with its bar, and the list reloads
// when any work ends or a dump notification arrives. A dump the server's receiver is taking
// in (receiver/dump* notifications) shows in its row with a progress bar, and can be opened
// once it has arrived; hosts whose console lines arrive are listed with a link to their live log.
import { useCallback, useRef, useState, type FormEvent } from "react";
import { useApi, useNotifications, useRpc } from "../app/api";
import { href, Link, navigate, useQuery } from "../app/router";
import { ErrorView } from "../components/ErrorView";
import { ProgressBar } from "../components/ProgressBar";
import { Loading } from "../components/Loading";
import { asError } from "../protocol/errors";
import { isNotification } from "../protocol/events";
import type { ProgressToken, ReceivedDump } from "../protocol/generated";
import { ALL_HOSTS } from "./HostLogView";
import { arrivalEnded, receivedPercentage, type Arrival } from "./received";

interface Work {
  token: ProgressToken;
  title: string;
  message?: string | undefined;
  percentage?: number | undefined;
  done: boolean;
  failed?: boolean;
  mine: boolean;
}

const storageKey = "vmscope.open-form";

function savedForm(): { core: string; vmlinux: string; debugDir: string } {
  try {
    const parsed = JSON.parse(localStorage.getItem(storageKey) ?? "{}") as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === "string" ? v : "");
    return { core: text(parsed.core), vmlinux: text(parsed.vmlinux), debugDir: text(parsed.debugDir) };
  } catch {
    return { core: "", vmlinux: "", debugDir: "" };
  }
}

export function DumpsPage() {
  const { client } = useApi();
  const query = useQuery();
  const list = useRpc("dump/list", {}, "list");
  const [work, setWork] = useState<Map<string, Work>>(new Map());
  const saved = useRef(savedForm());
  const [core, setCore] = useState(query.get("core") ?? saved.current.core);
  const [vmlinux, setVmlinux] = useState(query.get("vmlinux") ?? saved.current.vmlinux);
  const [debugDir, setDebugDir] = useState(query.get("debugDir") ?? saved.current.debugDir);
  const [opening, setOpening] = useState<string | null>(null);
  const [openError, setOpenError] = useState<Error | null>(null);
  const mine = useRef(new Set<string>());
  const [arrivals, setArrivals] = useState<Map<string, Arrival>>(new Map());
  const [hosts, setHosts] = useState<Map<string, number>>(new Map());
  const reload = list.reload;

  const updateWork = useCallback((token: ProgressToken, change: (w: Work) => Work) => {
    setWork((previous) => {
      const next = new Map(previous);
      const key = String(token);
      const current = next.get(key) ?? { token, title: "work", done: false, mine: mine.current.has(key) };
      next.set(key, change(current));
      return next;
    });
  }, []);

  useNotifications((n) => {
    if (isNotification(n, "$/progress")) {
      const { token, value } = n.params;
      updateWork(token, (w) => ({
        ...w,
        title: value.title ?? w.title,
        message: value.message ?? w.message,
        percentage: value.percentage ?? (value.kind === "end" ? 100 : w.percentage),
        done: value.kind === "end",
      }));
      if (value.kind === "end") reload();
    } else if (
      isNotification(n, "receiver/dumpStarted") ||
      isNotification(n, "receiver/dumpProgress") ||
      isNotification(n, "receiver/dumpCompleted") ||
      isNotification(n, "receiver/dumpFailed")
    ) {
      const arrival: Arrival = { event: n.params, method: n.method };
      setArrivals((previous) => new Map(previous).set(n.params.receivedId, arrival));
      // The catalog row changes status on start and end; progress alone moves the bar.
      if (n.method !== "receiver/dumpProgress") reload();
    } else if (isNotification(n, "receiver/logLine")) {
      const host = n.params.host;
      setHosts((previous) => new Map(previous).set(host, (previous.get(host) ?? 0) + 1));
    } else if (n.method.startsWith("dump")) {
      reload();
    }
  });

  const openReceived = async (receivedId: string) => {
    setOpenError(null);
    try {
      const dump = await client.call("dump/open", { receivedId });
      navigate(href(["dumps", dump.dumpId]));
    } catch (error) {
      setOpenError(asError(error));
      reload();
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!core.trim()) return;
    const token = `open-${Date.now().toString(36)}`;
    mine.current.add(token);
    updateWork(token, (w) => ({ ...w, title: `opening ${core.trim()}`, mine: true }));
    setOpening(token);
    setOpenError(null);
    try {
      localStorage.setItem(storageKey, JSON.stringify({ core, vmlinux, debugDir }));
    } catch {
      // storage may be unavailable (private mode); the form still works
    }
    try {
      const params = {
        core: core.trim(),
        ...(vmlinux.trim() ? { vmlinux: vmlinux.trim() } : {}),
        ...(debugDir.trim() ? { debugDir: debugDir.trim() } : {}),
      };
      const dump = await client.call("dump/open", params, { workDoneToken: token });
      updateWork(token, (w) => ({ ...w, done: true, percentage: 100 }));
      navigate(href(["dumps", dump.dumpId]));
    } catch (error) {
      updateWork(token, (w) => ({ ...w, done: true, failed: true, message: "failed" }));
      setOpenError(asError(error));
    } finally {
      setOpening(null);
      reload();
    }
  };

  const close = async (dumpId: string) => {
    try {
      await client.call("dump/close", { dumpId });
    } catch (error) {
      setOpenError(asError(error));
    }
    reload();
  };

  const activity = [...work.values()].reverse();
  return (
    <div className="dumps-page">
      <Loading state={list} what="the dump list">
        {(data) => {
          const opened = data.dumps.filter((d) => d.source !== "received");
          const received = data.dumps.filter((d): d is ReceivedDump => d.source === "received");
          return (
            <>
              <section className="panel">
                <h2>Open dumps</h2>
                {opened.length === 0 ? (
                  <p className="muted">No dump is open on this server. Open one below.</p>
                ) : (
                  <table className="grid dumps-table">
                    <thead>
                      <tr>
                        <th>id</th>
                        <th>release</th>
                        <th>format</th>
                        <th>file</th>
                        <th>KASLR offset</th>
                        <th>opened</th>
                        <th />
                      </tr>
                    </thead>
                    <tbody>
                      {opened.map((d) => (
                        <tr key={`opened:${d.dumpId}`}>
                          <td>
                            <Link to={href(["dumps", d.dumpId])}>{d.dumpId}</Link>
                          </td>
                          <td>{d.release ?? ""}</td>
                          <td>{d.format}</td>
                          <td className="mono">{d.core}</td>
                          <td className="mono">{d.kernelOffset}</td>
                          <td>{d.openedAt}</td>
                          <td>
                            <button type="button" className="small" onClick={() => void close(d.dumpId)}>
                              close
                            </button>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </section>
              {received.length > 0 ? (
                <section className="panel">
                  <h2>Received dumps</h2>
                  <table className="grid dumps-table received-table">
                    <thead>
                      <tr>
                        <th>dump</th>
                        <th>host and status</th>
                        <th>release</th>
                        <th>pages</th>
                        <th>time (UTC)</th>
                        <th>file</th>
                        <th />
                      </tr>
                    </thead>
                    <tbody>
                      {received.map((d) => (
                        <ReceivedRow
                          key={`received:${d.receivedId}`}
                          dump={d}
                          arrival={arrivals.get(d.receivedId)}
                          onOpen={() => void openReceived(d.receivedId)}
                          onClose={() => void close(d.dumpId!)}
                        />
                      ))}
                    </tbody>
                  </table>
                </section>
              ) : null}
            </>
          );
        }}
      </Loading>

      <section className="panel">
        <h2>Open a dump file</h2>
        <form className="open-form" onSubmit={(e) => void submit(e)}>
          <label>
            <span>core</span>
            <input
              name="core"
              value={core}
              onChange={(e) => setCore(e.target.value)}
              placeholder="/var/crash/vmcore (inside the server's --allow-dir)"
              autoFocus
              required
            />
          </label>
          <label>
            <span>vmlinux</span>
            <input name="vmlinux" value={vmlinux} onChange={(e) => setVmlinux(e.target.value)} placeholder="optional: vmlinux with DWARF" />
          </label>
          <label>
            <span>debug dir</span>
            <input
              name="debugDir"
              value={debugDir}
              onChange={(e) => setDebugDir(e.target.value)}
              placeholder="optional: /usr/lib/debug (Debian -dbg layout)"
            />
          </label>
          <div>
            <button type="submit" disabled={opening !== null}>
              {opening ? "opening…" : "open"}
            </button>
          </div>
        </form>
        {openError ? <ErrorView error={openError} context="opening the dump" /> : null}
      </section>

      {hosts.size > 0 ? (
        <section className="panel">
          <h2>Console lines arriving</h2>
          <ul className="host-list">
            {[...hosts].map(([host, count]) => (
              <li key={host}>
                <Link to={href(["hosts", host, "log"])}>{host}</Link> <span className="muted">{count} lines since this page opened</span>
              </li>
            ))}
            <li>
              <Link to={href(["hosts", ALL_HOSTS, "log"])}>every host</Link>
            </li>
          </ul>
        </section>
      ) : null}

      {activity.length > 0 ? (
        <section className="panel">
          <h2>Activity</h2>
          {activity.map((w) => (
            <ProgressBar
              key={String(w.token)}
              label={`${w.mine ? "" : "[another client] "}${w.title}`}
              message={w.message}
              percentage={w.percentage}
              done={w.done}
              failed={w.failed ?? false}
            />
          ))}
        </section>
      ) : null}
    </div>
  );
}

/** A dump of the receiver's catalog; while it arrives, its bar moves with receiver/dumpProgress. */
function ReceivedRow({
  dump: d,
  arrival,
  onOpen,
  onClose,
}: {
  dump: ReceivedDump;
  arrival: Arrival | undefined;
  onOpen: () => void;
  onClose: () => void;
}) {
  // The catalog row may be older than the last event (progress does not reload the list).
  const status = arrival?.event.dump?.status ?? d.status;
  const ended = arrival ? arrivalEnded(arrival) : d.status !== "receiving";
  const percentage = arrival ? receivedPercentage(arrival.event.progress) : d.pages.total > 0 ? Math.floor((d.pages.received * 100) / d.pages.total) : undefined;
  const openable = !d.dumpId && (status === "complete" || status === "incomplete");
  return (
    <tr className={`received-dump received-${status}`} data-received-id={d.receivedId}>
      <td>
        {d.dumpId ? (
          <Link to={href(["dumps", d.dumpId])}>{d.dumpId}</Link>
        ) : openable ? (
          <button type="button" className="small" onClick={onOpen} aria-label={`open ${d.receivedId}`}>
            open
          </button>
        ) : (
          <span className="muted">not open</span>
        )}
      </td>
      <td title={d.reason ?? undefined}>
        received from {d.host} (<Link to={href(["hosts", d.address, "log"])}>{d.address}</Link>): <span className="received-status">{status}</span>
        {d.reason ? ` — ${d.reason}` : ""}
        {d.panicTitle ? ` — ${d.panicTitle}` : ""}
        {d.bucketId ? <span className="muted mono"> bucket {d.bucketId}</span> : null}
      </td>
      <td>{d.release}</td>
      <td className="received-pages">
        {arrival || status === "receiving" ? (
          <ProgressBar
            label={d.host}
            message={arrival ? `${arrival.event.progress.received + arrival.event.progress.zero}/${arrival.event.progress.dumpable} pages` : undefined}
            percentage={percentage}
            done={ended && status !== "failed"}
            failed={status === "failed"}
          />
        ) : (
          <>
            pages {d.pages.received}/{d.pages.total}
            {d.pages.missing > 0 ? `, ${d.pages.missing} missing` : ""}
          </>
        )}
      </td>
      <td>
        {d.started}
        {d.finished ? ` – ${d.finished}` : ""}
      </td>
      <td className="mono received-file" title={d.vmcore}>{d.vmcore.split("/").slice(-2).join("/")}</td>
      <td>
        {d.dumpId ? (
          <button type="button" className="small" onClick={onClose}>
            close
          </button>
        ) : null}
      </td>
    </tr>
  );
}
