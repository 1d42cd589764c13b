// A backtrace as kernel engineers read it: frame number, function+offset, module, source
// file:line, inline frames marked, and the pc (linking to the hex view).
import { href, Link } from "../app/router";
import type { ApiMethods } from "../protocol/methods";

export type Frame = ApiMethods["tasks/backtrace"]["result"]["frames"][number];

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
            <td className="mono frame-function" data-function={frame.function ?? ""}>
              {frame.function ?? "??"}
              {frame.offset !== undefined && frame.offset !== null ? (
                <span className="muted">+0x{frame.offset.toString(16)}</span>
              ) : null}
              {frame.inline ? <span className="badge" title="inlined into the next frame">inline</span> : null}
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
