// A backtrace as kernel engineers read it: frame number, function+offset, module, source
// file:line, inline frames marked, and the pc (linking to the hex view).
import { href, Link } from "../app/router";
import type { ApiMethods } from "../protocol/methods";

export type Frame = ApiMethods["tasks/backtrace"]["result"]["frames"][number];
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
  if (frames.length === 0) return <p className="muted">No frames.</p>;
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
          <tr key={i} className={frame.inline ? "frame-inline" : undefined}>
            <td className="num">{i}</td>
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
        ))}
      </tbody>
    </table>
  );
}
