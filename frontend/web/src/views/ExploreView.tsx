// The struct explorer: an expression (`init_task`, `*(struct task_struct *)0x…`, `jiffies`)
// evaluates to a typed value tree that expands lazily — inline children first, then pages
// from value/children by handle. A non-null typed pointer links to the object it points to
// (a new expression, so a URL), every address links to the hex view, and an unreadable value
// shows its own error in place while the rest of the tree renders.
import { useEffect, useState, type FormEvent } from "react";
import { useApi, useRpc } from "../app/api";
import { href, Link, navigate, useQuery } from "../app/router";
import { ErrorView } from "../components/ErrorView";
import { RpcError, asError } from "../protocol/errors";
import type { ApiMethods } from "../protocol/methods";
import { entryExpression, walkList, type ListWalk } from "./listWalk";

type ValueNode = ApiMethods["value/evaluate"]["result"];
// Children per value/children request (the server's most). A node opened with at most
// AUTO_LOAD children gets all of them at once (a struct's 244 members, as crash's `p` shows
// them); larger arrays page on with "more".
const PAGE = 1000;
const AUTO_LOAD = 1000;

/** The expression that dereferences a pointer node, or undefined when it cannot be followed. */
export function pointeeExpression(node: Pick<ValueNode, "kind" | "type"> & { value?: { display?: string } }): string | undefined {
  if (node.kind !== "pointer") return undefined;
  const display = node.value?.display ?? "";
  if (!/^0x[0-9a-f]+$/i.test(display) || /^0x0+$/i.test(display)) return undefined;
  const type = node.type.trim();
  if (!type.endsWith("*") || /^(const\s+)?void\s*\*$/.test(type) || type.includes("(")) return undefined;
  return `*(${type})${display}`;
}

function NodeValue({ node, dumpId }: { node: ValueNode; dumpId: string }) {
  const pointee = pointeeExpression(node);
  const v = node.value;
  return (
    <span className="node-value">
      {v?.string !== undefined ? <span className="v-string">{JSON.stringify(v.string)}</span> : null}
      {v?.display !== undefined && v.string === undefined ? (
        pointee ? (
          <Link className="v-pointer" to={href(["dumps", dumpId, "explore"], { expr: pointee })} title={`open ${pointee}`}>
            {v.display}
          </Link>
        ) : (
          <span className="v-display">{v.display}</span>
        )
      ) : null}
      {v?.symbol ? <span className="v-symbol"> &lt;{v.symbol}&gt;</span> : null}
      {node.error ? (
        <span className="v-error" title={JSON.stringify(node.error.data ?? {})}>
          {" "}
          ⚠ {node.error.message}
        </span>
      ) : null}
    </span>
  );
}

function ListWalkPanel({ dumpId, head, containerType, member, depth }: { dumpId: string; head: string; containerType?: string | undefined; member: string; depth: number }) {
  const { client } = useApi();
  const [entries, setEntries] = useState<string[]>([]);
  const [end, setEnd] = useState<ListWalk["end"] | "walking">("walking");
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    walkList(client, dumpId, head, { signal: controller.signal, onProgress: setEntries }).then(
      (walk) => {
        setEntries(walk.entries);
        setEnd(walk.end);
      },
      (e: unknown) => {
        if (!controller.signal.aborted) setError(asError(e));
      },
    );
    return () => controller.abort();
  }, [client, dumpId, head]);
  const endText = {
    walking: "walking…",
    head: "back at the head",
    limit: "stopped at the limit",
    loop: "stopped: a loop that does not pass through the head",
    null: "stopped: a NULL next pointer",
  }[end];
  return (
    <li className="list-walk" style={{ paddingLeft: (depth + 1) * 16 }} aria-label={`list ${member}`}>
      <div className="muted">
        {entries.length} entr{entries.length === 1 ? "y" : "ies"} — {endText}
        {containerType ? ` — as ${containerType}.${member}` : ""}
      </div>
      {error ? <ErrorView error={error} dumpId={dumpId} context="walking the list" /> : null}
      <ol className="list-entries">
        {entries.map((address) => {
          const expr = entryExpression(address, containerType, member);
          return (
            <li key={address}>
              <Link to={href(["dumps", dumpId, "explore"], { expr })} className="mono">
                {address}
              </Link>
            </li>
          );
        })}
      </ol>
    </li>
  );
}

function TreeNode({
  node,
  dumpId,
  depth,
  initiallyOpen,
  parentType,
}: {
  node: ValueNode;
  dumpId: string;
  depth: number;
  initiallyOpen: boolean;
  parentType?: string;
}) {
  const { client } = useApi();
  const [open, setOpen] = useState(initiallyOpen);
  const [children, setChildren] = useState<ValueNode[]>(node.children ?? []);
  const [total, setTotal] = useState<number | undefined>(node.childCount);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [walking, setWalking] = useState(false);
  const isListHead = node.type === "struct list_head" && node.address !== undefined;
  const expandable = node.hasChildren === true || (node.children?.length ?? 0) > 0;

  const loadMore = async () => {
    if (node.handle === undefined) return;
    setLoading(true);
    setError(null);
    try {
      const page = await client.call("value/children", { dumpId, handle: node.handle, offset: children.length, limit: PAGE });
      setChildren((c) => [...c, ...page.children]);
      setTotal(page.total);
    } catch (e) {
      setError(asError(e));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    if (!open || !expandable || node.handle === undefined || loading || error) return;
    const all = total ?? node.childCount;
    if (children.length === 0 || (children.length < all && all <= AUTO_LOAD)) void loadMore();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const remaining = total !== undefined ? total - children.length : 0;
  return (
    <li className="tree-node" role="treeitem" aria-expanded={expandable ? open : undefined} data-name={node.name}>
      <div className="tree-row" style={{ paddingLeft: depth * 16 }}>
        {expandable ? (
          <button type="button" className="toggle" aria-label={`${open ? "collapse" : "expand"} ${node.name}`} onClick={() => setOpen(!open)}>
            {open ? "▾" : "▸"}
          </button>
        ) : (
          <span className="toggle-space" />
        )}
        <span className="node-name">{node.name}</span>
        <span className="node-type">{node.type}</span>
        <span className="node-eq">=</span>
        <NodeValue node={node} dumpId={dumpId} />
        {node.address ? (
          <Link className="node-address" to={href(["dumps", dumpId, "memory"], { addr: node.address })} title="hex view">
            @{node.address}
          </Link>
        ) : null}
        {isListHead ? (
          <button type="button" className="small" onClick={() => setWalking(!walking)} aria-pressed={walking}>
            {walking ? "hide list" : "walk list"}
          </button>
        ) : null}
      </div>
      {walking && node.address ? (
        <ul role="group">
          <ListWalkPanel dumpId={dumpId} head={node.address} containerType={parentType} member={node.name} depth={depth} />
        </ul>
      ) : null}
      {open && expandable ? (
        <ul role="group">
          {children.map((child, i) => (
            <TreeNode key={`${i}:${child.name}`} node={child} dumpId={dumpId} depth={depth + 1} initiallyOpen={false} parentType={node.type} />
          ))}
          {loading ? <li className="muted" style={{ paddingLeft: (depth + 1) * 16 }}>loading…</li> : null}
          {error ? (
            <li style={{ paddingLeft: (depth + 1) * 16 }}>
              <ErrorView error={error} dumpId={dumpId} context={`expanding ${node.name}`} />
            </li>
          ) : null}
          {!loading && remaining > 0 && node.handle !== undefined ? (
            <li style={{ paddingLeft: (depth + 1) * 16 }}>
              <button type="button" className="small" onClick={() => void loadMore()}>
                {remaining} more…
              </button>
            </li>
          ) : null}
        </ul>
      ) : null}
    </li>
  );
}

export function ExploreView({ dumpId }: { dumpId: string }) {
  const expr = useQuery().get("expr") ?? "";
  const [text, setText] = useState(expr);
  useEffect(() => setText(expr), [expr]);
  const result = useRpc("value/evaluate", expr ? { dumpId, expression: expr } : null, `${dumpId}/${expr}`);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(href(["dumps", dumpId, "explore"], { expr: text.trim() }));
  };
  return (
    <div className="explore">
      <form className="toolbar" onSubmit={submit}>
        <input
          data-search
          className="filter mono"
          aria-label="expression"
          placeholder="expression: init_task   *(struct task_struct *)0x…   jiffies   (/ to focus, Enter)"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit">evaluate</button>
      </form>
      {result.status === "loading" ? <div className="loading">evaluating…</div> : null}
      {result.status === "error" ? (
        <ErrorView
          error={result.error}
          dumpId={dumpId}
          expression={expr}
          context={result.error instanceof RpcError ? `evaluating ${expr}` : undefined}
        />
      ) : null}
      {result.status === "ok" ? (
        <ul className="tree" role="tree" aria-label="value tree">
          <TreeNode key={expr} node={result.data} dumpId={dumpId} depth={0} initiallyOpen />
        </ul>
      ) : null}
      {result.status === "idle" ? (
        <p className="muted">Type a C expression over the kernel's symbols and types, then Enter.</p>
      ) : null}
    </div>
  );
}
