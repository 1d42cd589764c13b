// What the server could not read while still answering (a partial task list, a backtrace
// that stopped, an unreadable log record): shown as a warning with each problem's code,
// message and data, folded when there are many.
import { ERROR_MESSAGES } from "../protocol/generated";
import { RpcError } from "../protocol/errors";

interface Problem {
  code: number;
  message: string;
  // The spec's ErrorData (an interface without an index signature) or any object of facts.
  data?: object | undefined;
}

export function Problems({ problems, partial, what }: { problems: Problem[] | undefined; partial?: boolean | undefined; what: string }) {
  const list = problems ?? [];
  if (list.length === 0 && !partial) return null;
  return (
    <details className="problems" open={list.length <= 3}>
      <summary>
        {partial ? `${what} is partial` : what}: {list.length} problem{list.length === 1 ? "" : "s"}
      </summary>
      <ul>
        {list.map((p, i) => {
          const name = new RpcError("", p.code, p.message).codeName;
          return (
            <li key={i}>
              <span className="problem-code">
                {name ?? ERROR_MESSAGES[String(p.code)] ?? "error"} ({p.code})
              </span>{" "}
              <span className="mono">{p.message}</span>
              {p.data
                ? Object.entries(p.data)
                    .filter(([k]) => k !== "kind")
                    .map(([k, v]) => (
                      <span key={k} className="muted mono">
                        {" "}
                        {k}={typeof v === "string" ? v : JSON.stringify(v)}
                      </span>
                    ))
                : null}
            </li>
          );
        })}
      </ul>
    </details>
  );
}
