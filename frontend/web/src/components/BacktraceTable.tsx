// A backtrace as kernel engineers read it: frame number, function+offset, module, source
// file:line, inline frames marked, and the pc (linking to the hex view). When the server was
// asked for variables, a frame expands to its arguments and locals (what DWARF kept of them).
import { Fragment, useState } from "react";
import { href, Link } from "../app/router";
import type { ApiMethods } from "../protocol/methods";

export type Frame = ApiMethods["tasks/backtrace"]["result"]["frames"][number];
type Variable = NonNullable<Frame["variables"]>[number];

/** The expression that opens a variable in the struct explorer: the object where it lives, or
 * what a pointer value points to. */
function exploreExpression(v: Variable): string | undefined {
  if (v.address) return `*(${v.type} *)${v.address}`;
  if (v.value && v.type.trim().endsWith("*") && !/^0x0+$/.test(v.value) && !v.type.includes("(")) {
    return `*(${v.type})${v.value}`;
  }
  return undefined;
}

function FrameVariables({ variables, dumpId }: { variables: Variable[]; dumpId: string }) {
  if (variables.length === 0) return <p className="muted">No arguments or locals known here.</p>;
  return (
    <table className="grid frame-variables" aria-label="arguments and locals">
      <tbody>
        {variables.map((v, i) => {
          const expr = exploreExpression(v);
          return (
            <tr key={i} className={`variable-${v.kind}`}>
              <td className="muted">{v.kind === "argument" ? "arg" : "local"}</td>
              <td className="mono">{v.type}</td>
              <td className="mono variable-name">{v.name}</td>
              <td className="mono variable-value">
                {v.value ?? (v.bytes !== undefined ? `bytes ${v.bytes}` : <span className="muted">{v.unavailable}</span>)}
              </td>
              <td>
                {expr ? (
                  <Link className="mono" to={href(["dumps", dumpId, "explore"], { expr })}>
                    explore
                  </Link>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
type Trace = Pick<ApiMethods["tasks/backtrace"]["result"], "endReason" | "notes" | "stopped">;

/** Why the unwinder stopped, and its notes (e.g. "switched to the IRQ stack"). */
export function TraceNotes({ trace }: { trace: Trace }) {
  const notes = trace.notes ?? [];
  if (!trace.endReason && notes.length === 0 && !trace.stopped) return null;
  return (
    <div className="trace-notes">
      {trace.endReason ? <div>end: {trace.endReason}</div> : null}
      {trace.stopped ? (
        <div className="v-error">
          stopped: {trace.stopped.message} ({trace.stopped.code})
        </div>
      ) : null}
      {notes.map((n, i) => (
        <div key={i}>note: {n}</div>
      ))}
    </div>
  );
}

export function BacktraceTable({ frames, dumpId }: { frames: Frame[]; dumpId: string }) {
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  if (frames.length === 0) return <p className="muted">No frames.</p>;
  const toggle = (i: number) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(i)) next.delete(i);
      else next.add(i);
      return next;
    });
  return (
    <table className="grid backtrace" aria-label="backtrace">
      <thead>
        <tr>
          <th className="num">#</th>
          <th>function</th>
          <th>module</th>
          <th>file:line</th>
          <th>pc</th>
        </tr>
      </thead>
      <tbody>
        {frames.map((frame, i) => (
          <Fragment key={i}>
          <tr className={frame.inline ? "frame-inline" : undefined}>
            <td className="num">
              {frame.variables ? (
                <button
                  type="button"
                  className="frame-toggle"
                  aria-expanded={open.has(i)}
                  aria-label={`${open.has(i) ? "hide" : "show"} arguments and locals of frame ${i}`}
                  onClick={() => toggle(i)}
                >
                  {open.has(i) ? "▾" : "▸"}
                </button>
              ) : null}
              {i}
            </td>
            <td className="mono frame-function" data-function={frame.function ?? ""} title={frame.interrupted ? "interrupted here (an exception or IRQ frame)" : undefined}>
              {frame.function ?? "??"}
              {frame.offset !== undefined && frame.offset !== null ? (
                <span className="muted">+0x{frame.offset.toString(16)}</span>
              ) : null}
              {frame.inline ? <span className="badge" title="inlined into the next frame">inline</span> : null}
              {frame.interrupted ? <span className="badge">interrupted</span> : null}
              {frame.userMode ? <span className="badge">user</span> : null}
            </td>
            <td className="mono">{frame.module ?? ""}</td>
            <td className="mono">{frame.file ? `${frame.file}${frame.line ? `:${frame.line}` : ""}` : ""}</td>
            <td className="mono">
              <Link to={href(["dumps", dumpId, "memory"], { addr: frame.pc })}>{frame.pc}</Link>
            </td>
          </tr>
          {frame.variables && open.has(i) ? (
            <tr className="frame-variables-row">
              <td />
              <td colSpan={4}>
                <FrameVariables variables={frame.variables} dumpId={dumpId} />
              </td>
            </tr>
          ) : null}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
