// The frame around every view of one dump: what the dump is (file, format, release) and the
// tabs, each a URL, each with a one-key shortcut (o t l e s m; d back to the dumps; "/"
// focuses the view's search box) active whenever the focus is not in a text field.
import { useEffect, type ReactNode } from "react";
import { useRpc } from "../app/api";
import { href, Link, navigate } from "../app/router";

export type DumpTab = "overview" | "tasks" | "log" | "explore" | "symbols" | "memory";

const tabs: { tab: DumpTab; label: string; key: string; path: string[] }[] = [
  { tab: "overview", label: "Overview", key: "o", path: [] },
  { tab: "tasks", label: "Tasks", key: "t", path: ["tasks"] },
  { tab: "log", label: "Log", key: "l", path: ["log"] },
  { tab: "explore", label: "Explore", key: "e", path: ["explore"] },
  { tab: "symbols", label: "Symbols", key: "s", path: ["symbols"] },
  { tab: "memory", label: "Memory", key: "m", path: ["memory"] },
];

export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}

export function DumpLayout({ dumpId, tab, children }: { dumpId: string; tab: DumpTab; children: ReactNode }) {
  const list = useRpc("dump/list", {}, "list");
// An open received dump is listed twice (opened, with its receivedId, and received, with its
  // dumpId): the opened row has the facts of the open file.
  const info =
    list.status === "ok"
      ? (list.data.dumps.find((d) => d.dumpId === dumpId && d.source !== "received") ??
        list.data.dumps.find((d) => d.dumpId === dumpId))
      : undefined;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTypingTarget(event.target)) return;
      if (event.key === "/") {
        const search = document.querySelector<HTMLInputElement>("[data-search]");
        if (search) {
          event.preventDefault();
          search.focus();
          search.select();
        }
        return;
      }
      if (event.key === "d") {
        navigate("/dumps");
        return;
      }
      const target = tabs.find((t) => t.key === event.key);
      if (target) navigate(href(["dumps", dumpId, ...target.path]));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [dumpId]);

  return (
    <div className="dump-layout">
      <div className="dump-header">
        <span className="dump-id">{dumpId}</span>
        {info ? (
          <>
            <span className="dump-fact">{info.release ?? "release unknown"}</span>
            {info.source !== "received" ? (
              <>
                <span className="dump-fact">{info.format}</span>
                <span className="dump-fact mono" title="canonical path of the dump file">
                  {info.core}
                </span>
              </>
            ) : (
              <>
                <span className="dump-fact">received from {info.host}</span>
                <span className="dump-fact">{info.status}</span>
                <span className="dump-fact mono" title="path of the received vmcore">
                  {info.vmcore}
                </span>
              </>
            )}
          </>
        ) : list.status === "ok" ? (
          <span className="dump-missing" role="alert">
            this server has no open dump {dumpId} — <Link to="/dumps">open it from the dumps page</Link>
          </span>
        ) : null}
      </div>
      <nav className="tabs" aria-label="dump views">
        {tabs.map((t) => (
          <Link
            key={t.tab}
            to={href(["dumps", dumpId, ...t.path])}
            className={`tab ${t.tab === tab ? "tab-active" : ""}`}
            aria-current={t.tab === tab ? "page" : undefined}
            title={`${t.label} (key ${t.key})`}
          >
            {t.label}
            <kbd>{t.key}</kbd>
          </Link>
        ))}
      </nav>
      <section className="view">{children}</section>
    </div>
  );
}
