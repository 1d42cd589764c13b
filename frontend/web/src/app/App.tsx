// The app: a header (name, connection state) and the view the URL names. Routes:
//   /dumps                          catalog of open dumps; open a dump file
//   /dumps/:id                      overview (the triage report)
//   /dumps/:id/tasks                all tasks
//   /dumps/:id/tasks/:pid           one task's backtrace
//   /dumps/:id/log                  kernel log
//   /dumps/:id/explore?expr=…       struct explorer
//   /dumps/:id/symbols?q=…          symbol search
//   /dumps/:id/memory?addr=…        hex view
//   /hosts/:host/log                live netconsole/syslog lines of a host (all: every host)
import { useEffect, type ReactNode } from "react";
import { ErrorBoundary } from "../components/ErrorBoundary";
import { DumpLayout, type DumpTab } from "../views/DumpLayout";
import { DumpsPage } from "../views/DumpsPage";
import { ExploreView } from "../views/ExploreView";
import { HostLogView } from "../views/HostLogView";
import { LogView } from "../views/LogView";
import { MemoryView } from "../views/MemoryView";
import { OverviewView } from "../views/OverviewView";
import { SymbolsView } from "../views/SymbolsView";
import { TasksView } from "../views/TasksView";
import { TaskView } from "../views/TaskView";
import { useConnectionState, useNotifications } from "./api";
import { Link, matchPath, navigate, useLocation } from "./router";

interface Resolved {
  tab?: DumpTab;
  dumpId?: string;
  title: string;
  view: ReactNode;
}

export function resolveRoute(pathname: string): Resolved | "redirect" {
  if (pathname === "/" || pathname === "") return "redirect";
  if (matchPath("/dumps", pathname)) return { title: "dumps", view: <DumpsPage /> };
  let m = matchPath("/dumps/:id", pathname);
  if (m) return { tab: "overview", dumpId: m.id!, title: "overview", view: <OverviewView dumpId={m.id!} /> };
  m = matchPath("/dumps/:id/tasks", pathname);
  if (m) return { tab: "tasks", dumpId: m.id!, title: "tasks", view: <TasksView dumpId={m.id!} /> };
  m = matchPath("/dumps/:id/tasks/:pid", pathname);
  if (m) return { tab: "tasks", dumpId: m.id!, title: `task ${m.pid}`, view: <TaskView dumpId={m.id!} pid={m.pid!} /> };
  m = matchPath("/dumps/:id/log", pathname);
  if (m) return { tab: "log", dumpId: m.id!, title: "log", view: <LogView dumpId={m.id!} /> };
  m = matchPath("/dumps/:id/explore", pathname);
  if (m) return { tab: "explore", dumpId: m.id!, title: "explore", view: <ExploreView dumpId={m.id!} /> };
  m = matchPath("/dumps/:id/symbols", pathname);
  if (m) return { tab: "symbols", dumpId: m.id!, title: "symbols", view: <SymbolsView dumpId={m.id!} /> };
  m = matchPath("/dumps/:id/memory", pathname);
  if (m) return { tab: "memory", dumpId: m.id!, title: "memory", view: <MemoryView dumpId={m.id!} /> };
  m = matchPath("/hosts/:host/log", pathname);
  if (m) return { title: `live log of ${m.host}`, view: <HostLogView key={m.host!} host={m.host!} /> };
  return {
    title: "not found",
    view: (
      <div className="error-view" role="alert">
        <div className="error-title">no view at {pathname}</div>
        <div className="error-message">
          See <Link to="/dumps">/dumps</Link>.
        </div>
      </div>
    ),
  };
}

function ConnectionBadge() {
  const state = useConnectionState();
  // Keeps the push channel open on every page, so the badge tells whether it is live.
  useNotifications(() => undefined);
  const text = state === "open" ? "live" : state === "connecting" ? "connecting…" : "offline";
  return (
    <span className={`conn conn-${state}`} title="push channel (GET /events)">
      ● {text}
    </span>
  );
}

export function App() {
  const { pathname, search } = useLocation();
  const resolved = resolveRoute(pathname);

  const title =
    resolved === "redirect" ? "" : resolved.dumpId ? `${resolved.title} · ${resolved.dumpId} · vmscope` : `${resolved.title} · vmscope`;
  useEffect(() => {
    if (resolved === "redirect") navigate("/dumps", { replace: true });
    else document.title = title;
  }, [resolved === "redirect", title]);

  if (resolved === "redirect") return null;
  const body =
    resolved.dumpId !== undefined && resolved.tab !== undefined ? (
      <DumpLayout dumpId={resolved.dumpId} tab={resolved.tab}>
        {resolved.view}
      </DumpLayout>
    ) : (
      resolved.view
    );
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/dumps" className="brand">
          vmscope
        </Link>
        <span className="topbar-path">{pathname}</span>
        <ConnectionBadge />
      </header>
      <main className="main">
        <ErrorBoundary resetKey={pathname + search}>{body}</ErrorBoundary>
      </main>
    </div>
  );
}
