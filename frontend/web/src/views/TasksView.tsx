// Every task of the dump in a virtualized table: filter (see taskFilter.ts), sort by any
// column, keyboard selection (arrows, PageUp/PageDown, Home/End, Enter opens the task).
// The filter and sort live in the URL (?q=…&sort=…), so a filtered view is a link too.
import { useMemo, useState, type KeyboardEvent } from "react";
import { useLoader } from "../app/api";
import { href, Link, navigate, useQuery } from "../app/router";
import { Loading } from "../components/Loading";
import { Problems } from "../components/Problems";
import { loadAllTasks } from "../protocol/paging";
import { VirtualList } from "../components/VirtualList";
import { formatBytes } from "../format";
import { filterAndSortTasks, type Task, type TaskColumn, type TaskSort } from "./taskFilter";

const ROW_HEIGHT = 22;
const columns: { column: TaskColumn; label: string; numeric?: boolean }[] = [
  { column: "pid", label: "pid", numeric: true },
  { column: "ppid", label: "ppid", numeric: true },
  { column: "tgid", label: "tgid", numeric: true },
  { column: "comm", label: "comm" },
  { column: "state", label: "state" },
  { column: "cpu", label: "cpu", numeric: true },
  { column: "rss", label: "RSS", numeric: true },
  { column: "address", label: "task_struct" },
];

function parseSort(text: string | null): TaskSort {
  const descending = text?.startsWith("-") ?? false;
  const name = (descending ? text!.slice(1) : text) as TaskColumn;
  return columns.some((c) => c.column === name) ? { column: name, descending } : { column: "pid", descending: false };
}

function TaskTable({ dumpId, tasks }: { dumpId: string; tasks: Task[] }) {
  const query = useQuery();
  const filter = query.get("q") ?? "";
  const sort = parseSort(query.get("sort"));
  const [selected, setSelected] = useState(0);
  const rows = useMemo(() => filterAndSortTasks(tasks, filter, sort), [tasks, filter, sort.column, sort.descending]);

  const setQuery = (q: string, s: TaskSort) => {
    navigate(href(["dumps", dumpId, "tasks"], { q, sort: s.column === "pid" && !s.descending ? undefined : `${s.descending ? "-" : ""}${s.column}` }), {
      replace: true,
    });
  };
  const open = (task: Task | undefined) => {
    if (task) navigate(href(["dumps", dumpId, "tasks", task.pid], task.pid === 0 ? { address: task.address } : {}));
  };
  const onKey = (event: KeyboardEvent) => {
    const page = 20;
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    if (event.key in moves) {
      event.preventDefault();
      setSelected((s) => Math.max(0, Math.min(rows.length - 1, s + moves[event.key]!)));
    } else if (event.key === "Home" && event.target === event.currentTarget) {
      setSelected(0);
    } else if (event.key === "End" && event.target === event.currentTarget) {
      setSelected(rows.length - 1);
    } else if (event.key === "Enter") {
      open(rows[selected]);
    }
  };
  const gridTemplate = "70px 70px 70px minmax(160px, 1fr) 60px 50px 90px 170px";

  return (
    <div className="tasks" onKeyDown={onKey}>
      <div className="toolbar">
        <input
          data-search
          className="filter"
          aria-label="filter tasks"
          placeholder="filter: comm, pid, state:D, cpu:1, ppid:2, 0xaddr   (/ to focus, ↑↓ Enter)"
          value={filter}
          onChange={(e) => {
            setSelected(0);
            setQuery(e.target.value, sort);
          }}
        />
        <span className="muted count" data-testid="task-count">
          {rows.length === tasks.length ? `${tasks.length} tasks` : `${rows.length} of ${tasks.length} tasks`}
        </span>
      </div>
      <div className="vtable" role="grid" aria-label="tasks" aria-rowcount={rows.length}>
        <div className="vtable-head" role="row" style={{ gridTemplateColumns: gridTemplate }}>
          {columns.map((c) => (
            <HeaderCell key={c.column} label={c.label} column={c.column} numeric={c.numeric} sort={sort} onSort={(s) => setQuery(filter, s)} />
          ))}
        </div>
        <VirtualList
          count={rows.length}
          rowHeight={ROW_HEIGHT}
          activeIndex={selected}
          className="vtable-body"
          renderRow={(i) => {
            const t = rows[i]!;
            return (
              <div
                role="row"
                className={`vtable-row ${i === selected ? "selected" : ""} state-${t.state}`}
                style={{ gridTemplateColumns: gridTemplate }}
                onClick={() => setSelected(i)}
                onDoubleClick={() => open(t)}
                data-pid={t.pid}
              >
                <div role="gridcell" className="num">
                  <Link to={href(["dumps", dumpId, "tasks", t.pid], t.pid === 0 ? { address: t.address } : {})}>{t.pid}</Link>
                </div>
                <div role="gridcell" className="num">{t.ppid}</div>
                <div role="gridcell" className="num">{t.tgid}</div>
                <div role="gridcell" className="mono comm">{t.comm}</div>
                <div role="gridcell" className="state">{t.state}</div>
                <div role="gridcell" className="num">{t.cpu}</div>
                <div role="gridcell" className="num rss" title={t.rssBytes !== undefined ? `${t.rssBytes} bytes` : undefined}>
                  {t.kernelThread ? "" : formatBytes(t.rssBytes)}
                </div>
                <div role="gridcell" className="mono">{t.address}</div>
              </div>
            );
          }}
        />
      </div>
    </div>
  );
}

function HeaderCell({
  label,
  column,
  numeric,
  sort,
  onSort,
}: {
  label: string;
  column: TaskColumn;
  numeric?: boolean | undefined;
  sort: TaskSort;
  onSort: (s: TaskSort) => void;
}) {
  const active = sort.column === column;
  return (
    <div role="columnheader" className={numeric ? "num" : undefined} aria-sort={active ? (sort.descending ? "descending" : "ascending") : "none"}>
      <button type="button" className="sort" onClick={() => onSort({ column, descending: active ? !sort.descending : false })}>
        {label}
        {active ? (sort.descending ? " ▼" : " ▲") : ""}
      </button>
    </div>
  );
}

/** Every task of the dump, shared by the views that show tasks. */
export function useAllTasks(dumpId: string) {
  return useLoader(dumpId, (client, signal) => loadAllTasks(client, dumpId, signal), { cacheKey: `tasks ${dumpId}` });
}

export function TasksView({ dumpId }: { dumpId: string }) {
  const list = useAllTasks(dumpId);
  return (
    <Loading state={list} what="the tasks" dumpId={dumpId}>
      {(data) => (
        <>
          <Problems problems={data.problems} partial={data.partial} what="the task list" />
          <TaskTable dumpId={dumpId} tasks={data.tasks} />
        </>
      )}
    </Loading>
  );
}
