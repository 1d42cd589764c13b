// Symbol search with type-ahead: each keystroke (debounced) cancels the previous search and
// asks symbols/search; arrows pick a result, Enter opens it. A chosen symbol shows its
// address, size and kind, its value (value/evaluate of its name), and links to the explorer
// and the hex view — symbol → address → value.
import { useEffect, useMemo, useState, type KeyboardEvent } from "react";
import { useApi, useRpc } from "../app/api";
import { href, Link, navigate, useQuery } from "../app/router";
import { ErrorView } from "../components/ErrorView";
import { Loading } from "../components/Loading";
import { asError, isCancelled } from "../protocol/errors";
import type { ApiMethods } from "../protocol/methods";

type SymbolInfo = ApiMethods["symbols/search"]["result"]["symbols"][number];
type Mode = NonNullable<ApiMethods["symbols/search"]["params"]["mode"]>;
const MODES: Mode[] = ["prefix", "substring", "regex"];
const LIMIT = 200;
const DEBOUNCE_MS = 120;

function SymbolDetails({ dumpId, name }: { dumpId: string; name: string }) {
  const lookup = useRpc("symbols/lookup", { dumpId, name }, `${dumpId}/${name}`);
  const value = useRpc("value/evaluate", { dumpId, expression: name }, `${dumpId}/${name}`);
  return (
    <section className="panel symbol-details" aria-label="symbol">
      <Loading state={lookup} what={`symbol ${name}`} dumpId={dumpId}>
        {(s) => (
          <dl className="facts">
            <div>
              <dt>name</dt>
              <dd className="mono">{s.name}</dd>
            </div>
            <div>
              <dt>address</dt>
              <dd className="mono">
                <Link to={href(["dumps", dumpId, "memory"], { addr: s.address })}>{s.address}</Link>
              </dd>
            </div>
            {s.size !== undefined ? (
              <div>
                <dt>size</dt>
                <dd>{s.size}</dd>
              </div>
            ) : null}
            {s.kind ? (
              <div>
                <dt>kind</dt>
                <dd>{s.kind}</dd>
              </div>
            ) : null}
            {s.module ? (
              <div>
                <dt>module</dt>
                <dd>{s.module}</dd>
              </div>
            ) : null}
            <div>
              <dt>value</dt>
              <dd className="mono">
                {value.status === "ok" ? (
                  <>
                    <span className="muted">{value.data.type} </span>
                    {value.data.value?.string !== undefined
                      ? JSON.stringify(value.data.value.string)
                      : (value.data.value?.display ?? "{…}")}{" "}
                    <Link to={href(["dumps", dumpId, "explore"], { expr: name })}>explore</Link>
                  </>
                ) : value.status === "error" ? (
                  <span className="v-error">{value.error.message}</span>
                ) : (
                  "…"
                )}
              </dd>
            </div>
          </dl>
        )}
      </Loading>
    </section>
  );
}

export function SymbolsView({ dumpId }: { dumpId: string }) {
  const { client } = useApi();
  const query = useQuery();
  const q = query.get("q") ?? "";
  const chosen = query.get("name");
  const [text, setText] = useState(q);
  const modeText = query.get("mode");
  const mode: Mode = MODES.includes(modeText as Mode) ? (modeText as Mode) : "prefix";
  const [results, setResults] = useState<SymbolInfo[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [error, setError] = useState<Error | null>(null);
  const [selected, setSelected] = useState(0);

  useEffect(() => {
    const needle = text.trim();
    if (!needle) {
      setResults(null);
      setError(null);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      client.call("symbols/search", { dumpId, query: needle, mode, limit: LIMIT }, { signal: controller.signal }).then(
        (r) => {
          setResults(r.symbols);
          setCursor(r.nextCursor);
          setError(null);
          setSelected(0);
        },
        (e: unknown) => {
          if (!controller.signal.aborted && !isCancelled(e)) setError(asError(e));
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [client, dumpId, text, mode]);

  const more = async () => {
    if (!cursor) return;
    try {
      const r = await client.call("symbols/search", { dumpId, query: text.trim(), mode, limit: LIMIT, cursor });
      setResults((previous) => [...(previous ?? []), ...r.symbols]);
      setCursor(r.nextCursor);
    } catch (e) {
      setError(asError(e));
    }
  };

  const choose = (symbol: SymbolInfo | undefined) => {
    if (symbol) navigate(href(["dumps", dumpId, "symbols"], { q: text.trim(), mode: mode === "prefix" ? undefined : mode, name: symbol.name }));
  };
  const onKey = (event: KeyboardEvent) => {
    if (!results) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const delta = event.key === "ArrowDown" ? 1 : -1;
      setSelected((s) => Math.max(0, Math.min(results.length - 1, s + delta)));
    } else if (event.key === "Enter") {
      event.preventDefault();
      choose(results[selected]);
    }
  };
  const shown = useMemo(() => results ?? [], [results]);

  return (
    <div className="symbols">
      <div className="toolbar">
        <input
          data-search
          className="filter mono"
          aria-label="search symbols"
          placeholder="symbol name or prefix  (/ to focus, ↑↓ Enter)"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          autoFocus
        />
        <select
          aria-label="match mode"
          value={mode}
          onChange={(e) =>
            navigate(href(["dumps", dumpId, "symbols"], { q: text.trim(), mode: e.target.value === "prefix" ? undefined : e.target.value }), {
              replace: true,
            })
          }
        >
          {MODES.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        <span className="muted count">{results ? `${results.length}${cursor ? "+" : ""} matches` : ""}</span>
      </div>
      <div className="split">
        <div className="symbol-results">
          {error ? <ErrorView error={error} dumpId={dumpId} context="searching symbols" /> : null}
          <ul className="list" role="listbox" aria-label="symbols">
            {shown.map((s, i) => (
              <li
                key={`${s.name}@${s.address}`}
                role="option"
                aria-selected={i === selected}
                className={i === selected ? "selected" : undefined}
                onClick={() => choose(s)}
              >
                <span className="mono">{s.name}</span>
                <span className="muted mono"> {s.address}</span>
                {s.kind ? <span className="badge">{s.kind}</span> : null}
                {s.module ? <span className="badge">{s.module}</span> : null}
              </li>
            ))}
          </ul>
          {cursor ? (
            <button type="button" className="small more" onClick={() => void more()}>
              more…
            </button>
          ) : null}
        </div>
        {chosen ? <SymbolDetails key={chosen} dumpId={dumpId} name={chosen} /> : null}
      </div>
    </div>
  );
}
