// Shows what failed, exactly: the JSON-RPC code and its name from the spec, the server's
// message, and every fact in the error's data (kind, address, page-table level, column,
// name); for an expression error with a column, the expression with a caret under it. An
// address in the data links to the hex view when a dump is at hand.
import { RpcError, TransportError } from "../protocol/errors";
import { href, Link } from "../app/router";

interface Props {
  error: Error;
  /** The dump the failing call was about, to link addresses to its hex view. */
  dumpId?: string;
  /** The expression that was evaluated, to point at data.column. */
  expression?: string;
  /** What the UI was doing ("loading the tasks"). */
  context?: string;
}

const addressKeys = new Set(["address", "physical"]);

export function ErrorView({ error, dumpId, expression, context }: Props) {
  let title: string;
  const facts: [string, unknown][] = [];
  let column: number | undefined;
  if (error instanceof RpcError) {
    const name = error.codeName ?? "error";
    title = `${name} (${error.code}) from ${error.method}`;
    for (const [key, value] of Object.entries(error.data ?? {})) facts.push([key, value]);
    if (typeof error.data?.column === "number") column = error.data.column;
  } else if (error instanceof TransportError) {
    title = `transport error on ${error.method}`;
    if (error.httpStatus !== undefined) facts.push(["http status", error.httpStatus]);
    if (error.body) facts.push(["body", error.body]);
  } else {
    title = error.name || "Error";
  }
  return (
    <div className="error-view" role="alert">
      <div className="error-title">
        {context ? <span className="error-context">{context}: </span> : null}
        {title}
      </div>
      <div className="error-message">{error.message}</div>
      {expression !== undefined && column !== undefined ? (
        <pre className="error-caret">
          {expression}
          {"\n"}
          {" ".repeat(Math.max(0, column - 1))}^
        </pre>
      ) : null}
      {facts.length > 0 ? (
        <dl className="error-data">
          {facts.map(([key, value]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd>
                {dumpId && addressKeys.has(key) && key === "address" && typeof value === "string" ? (
                  <Link to={href(["dumps", dumpId, "memory"], { addr: value })}>{value}</Link>
                ) : typeof value === "string" ? (
                  value
                ) : (
                  JSON.stringify(value)
                )}
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
    </div>
  );
}
