// The triage report, readable: crash title and bucket, sys summary, panic message, the
// crashed task with its backtrace, the last log lines and the tasks in D state.
import { useRpc } from "../app/api";
import { href, Link } from "../app/router";
import { BacktraceTable } from "../components/BacktraceTable";
import { Loading } from "../components/Loading";
import { formatBytes, formatDuration, formatKernelTime, levelName } from "../format";

export function OverviewView({ dumpId }: { dumpId: string }) {
  const report = useRpc("triage/report", { dumpId }, dumpId);
  return (
    <Loading state={report} what="the triage report" dumpId={dumpId}>
      {(r) => (
        <div className="overview">
          <section className="panel">
            <h2 className="crash-title" data-testid="crash-title">
              {r.title}
            </h2>
            <dl className="facts">
              {r.culprit ? (
                <div>
                  <dt>culprit</dt>
                  <dd className="mono">
                    {r.culprit.function ?? "??"}
                    {r.culprit.module ? ` [${r.culprit.module}]` : ""}
                    {r.culprit.file ? `  ${r.culprit.file}${r.culprit.line ? `:${r.culprit.line}` : ""}` : ""}
                  </dd>
                </div>
              ) : null}
              <div>
                <dt>bucket</dt>
                <dd className="mono">{r.bucket}</dd>
              </div>
            </dl>
          </section>
          {r.sys ? (
            <section className="panel">
              <h3>System</h3>
              <dl className="facts">
                <div>
                  <dt>panic</dt>
                  <dd className="mono panic-message" data-testid="panic-message">
                    {r.sys.panicMessage ?? "(no panic message in the log)"}
                  </dd>
                </div>
                <div>
                  <dt>release</dt>
                  <dd className="mono">{r.sys.release}</dd>
                </div>
                <div>
                  <dt>version</dt>
                  <dd className="mono">{r.sys.version}</dd>
                </div>
                <div>
                  <dt>machine</dt>
                  <dd>{r.sys.machine}</dd>
                </div>
                <div>
                  <dt>CPUs</dt>
                  <dd>{r.sys.cpus}</dd>
                </div>
                <div>
                  <dt>memory</dt>
                  <dd>{formatBytes(r.sys.memoryBytes)}</dd>
                </div>
                <div>
                  <dt>uptime</dt>
                  <dd>{formatDuration(r.sys.uptimeNs)}</dd>
                </div>
              </dl>
            </section>
          ) : null}
          {r.crashedTask ? (
            <section className="panel">
              <h3>
                Crashed task{" "}
                <Link to={href(["dumps", dumpId, "tasks", r.crashedTask.pid])} className="mono">
                  {r.crashedTask.pid} {r.crashedTask.comm}
                </Link>{" "}
                <span className="muted">
                  on CPU {r.crashedTask.cpu}, task_struct {r.crashedTask.address}
                </span>
              </h3>
              {r.crashedTask.frames ? <BacktraceTable frames={r.crashedTask.frames} dumpId={dumpId} /> : null}
            </section>
          ) : null}
          {r.log && r.log.length > 0 ? (
            <section className="panel">
              <h3>
                Last log lines <Link to={href(["dumps", dumpId, "log"])}>(whole log)</Link>
              </h3>
              <pre className="log-excerpt">
                {r.log.map((rec) => (
                  <div key={rec.seq} className={`log-line lvl-${rec.level}`}>
                    <span className="log-time">[{formatKernelTime(rec.timestampNs)}]</span>{" "}
                    <span className="log-level">{levelName(rec.level)}</span> {rec.text}
                  </div>
                ))}
              </pre>
            </section>
          ) : null}
          <section className="panel">
            <h3>Tasks in D state (uninterruptible)</h3>
            {r.blockedTasks && r.blockedTasks.length > 0 ? (
              <table className="grid">
                <thead>
                  <tr>
                    <th className="num">pid</th>
                    <th>comm</th>
                    <th>cpu</th>
                  </tr>
                </thead>
                <tbody>
                  {r.blockedTasks.map((t) => (
                    <tr key={t.address}>
                      <td className="num">
                        <Link to={href(["dumps", dumpId, "tasks", t.pid])}>{t.pid}</Link>
                      </td>
                      <td className="mono">{t.comm}</td>
                      <td>{t.cpu}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted">None.</p>
            )}
          </section>
        </div>
      )}
    </Loading>
  );
}
