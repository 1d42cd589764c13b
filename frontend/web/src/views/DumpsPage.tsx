// The catalog: the dumps the server holds open, live. Opening a dump file by path asks for
// $/progress under a token of ours; progress of every client's work arrives on the push
// channel too, so a dump a bot is opening shows up here with its bar, and the list reloads
// when any work ends or a dump notification arrives.
import { useCallback, useRef, useState, type FormEvent } from "react";
import { useApi, useNotifications, useRpc } from "../app/api";
import { href, Link, navigate, useQuery } from "../app/router";
import { ErrorView } from "../components/ErrorView";
import { ProgressBar } from "../components/ProgressBar";
import { Loading } from "../components/Loading";
import { asError } from "../protocol/errors";
import { isNotification } from "../protocol/events";
import type { ProgressToken } from "../protocol/generated";

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
    } else if (n.method.startsWith("dump")) {
      reload();
    }
  });

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
      <section className="panel">
        <h2>Open dumps</h2>
        <Loading state={list} what="the dump list">
          {(data) =>
            data.dumps.length === 0 ? (
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
                  {data.dumps.map((d) =>
                    d.source !== "received" ? (
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
                    ) : (
                      <tr key={`received:${d.receivedId}`} className="received-dump">
                        <td>
                          {d.dumpId ? <Link to={href(["dumps", d.dumpId])}>{d.dumpId}</Link> : <span className="muted">not open</span>}
                        </td>
                        <td>{d.release}</td>
                        <td title={d.reason ?? undefined}>
                          received from {d.host} ({d.address}): {d.status}
                          {d.reason ? ` — ${d.reason}` : ""}
                          {d.panicTitle ? ` — ${d.panicTitle}` : ""}
                        </td>
                        <td className="mono">{d.vmcore}</td>
                        <td>
                          pages {d.pages.received}/{d.pages.total}
                          {d.pages.missing > 0 ? `, ${d.pages.missing} missing` : ""}
                        </td>
                        <td>
                          {d.started}
                          {d.finished ? ` – ${d.finished}` : ""}
                        </td>
                        <td>
                          {d.dumpId ? (
                            <button type="button" className="small" onClick={() => void close(d.dumpId!)}>
                              close
                            </button>
                          ) : null}
                        </td>
                      </tr>
                    ),
                  )}
                </tbody>
              </table>
            )
          }
        </Loading>
      </section>

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
