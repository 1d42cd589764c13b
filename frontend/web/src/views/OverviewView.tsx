// The triage report, readable: crash title, culprit and bucket, the system, the panic
// message, the crashed task with its backtrace (and, for hung-task panics, the stuck task
// with its own), the last log lines, and the tasks in D state with where they sleep.
import type { ReactNode } from "react";
import { useRpc } from "../app/api";
import { href, Link } from "../app/router";
import { BacktraceTable, TraceNotes } from "../components/BacktraceTable";
import { Loading } from "../components/Loading";
import { Problems } from "../components/Problems";
import { formatBytes, formatDuration, formatKernelTime, levelName } from "../format";
import type { ApiMethods } from "../protocol/methods";

type Report = ApiMethods["triage/report"]["result"];

function Fact({ name, children }: { name: string; children: ReactNode }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function TaskLink({ dumpId, task }: { dumpId: string; task: { pid: number; comm: string; address: string } }) {
  return (
    <Link to={href(["dumps", dumpId, "tasks", task.pid], task.pid === 0 ? { address: task.address } : {})} className="mono">
      {task.pid} {task.comm}
    </Link>
  );
}

function Summary({ r }: { r: Report }) {
  const panic = r.panicMessage ?? r.sys?.panicMessage ?? null;
  return (
    <section className="panel">
      <h2 className="crash-title" data-testid="crash-title">
        {r.title}
      </h2>
      <dl className="facts">
        <Fact name="panic">
          <span className="mono panic-message" data-testid="panic-message">
            {panic ?? "(no panic message in the log)"}
          </span>
        </Fact>
        {r.culprit ? (
          <Fact name="culprit">
            <span className="mono">
              {r.culprit.function}
              {r.culprit.module ? ` [${r.culprit.module}]` : ""}
              {r.culprit.file ? `  ${r.culprit.file}${r.culprit.line ? `:${r.culprit.line}` : ""}` : ""}
            </span>
          </Fact>
        ) : null}
        <Fact name="bucket">
          <span className="mono">{r.bucket}</span>
        </Fact>
      </dl>
    </section>
  );
}

function System({ sys }: { sys: NonNullable<Report["sys"]> }) {
  return (
    <section className="panel">
      <h3>System</h3>
      <dl className="facts">
        <Fact name="release">
          <span className="mono">{sys.release}</span>
        </Fact>
        <Fact name="version">
          <span className="mono">{sys.version}</span>
        </Fact>
        <Fact name="machine">{sys.machine}</Fact>
        <Fact name="CPUs">{sys.cpus}</Fact>
        <Fact name="memory">{formatBytes(sys.memoryBytes)}</Fact>
        <Fact name="uptime">{formatDuration(sys.uptimeNs)}</Fact>
      </dl>
    </section>
  );
}

export function OverviewView({ dumpId }: { dumpId: string }) {
  const report = useRpc("triage/report", { dumpId }, dumpId, { cache: true });
  return (
    <Loading state={report} what="the triage report" dumpId={dumpId}>
      {(r) => (
        <div className="overview">
          <Summary r={r} />
          <Problems problems={r.problems} partial={r.partial} what="the report" />
          {r.sys ? <System sys={r.sys} /> : null}
          {r.crashedTask ? (
            <section className="panel">
              <h3>
                Crashed task <TaskLink dumpId={dumpId} task={r.crashedTask} />{" "}
                <span className="muted">
                  on CPU {r.crashedTask.cpu}, task_struct {r.crashedTask.address}
                </span>
              </h3>
              {r.backtrace ? (
                <>
                  <BacktraceTable frames={r.backtrace.frames} dumpId={dumpId} />
                  <TraceNotes trace={r.backtrace} />
                </>
              ) : null}
            </section>
          ) : null}
          {r.culpritTask && r.culpritBacktrace ? (
            <section className="panel">
              <h3>
                Culprit task <TaskLink dumpId={dumpId} task={r.culpritTask} />{" "}
                <span className="muted">the task that was stuck, not the one that noticed</span>
              </h3>
              <BacktraceTable frames={r.culpritBacktrace.frames} dumpId={dumpId} />
            </section>
          ) : null}
          {r.log.length > 0 ? (
            <section className="panel">
              <h3>
                Last log lines <Link to={href(["dumps", dumpId, "log"])}>(whole log)</Link>
              </h3>
              <pre className="log-excerpt">
                {r.log.map((rec) => (
                  <div key={rec.seq} className={`log-line lvl-${rec.level}`}>
                    <span className="log-time">[{formatKernelTime(rec.timestampNs)}]</span>
                    <span className="log-level">{levelName(rec.level)}</span> <span className="log-text">{rec.text}</span>
                  </div>
                ))}
              </pre>
            </section>
          ) : null}
          <section className="panel">
            <h3>Tasks in D state (uninterruptible)</h3>
            {r.blockedTasks.length > 0 ? (
              <table className="grid">
                <thead>
                  <tr>
                    <th>task</th>
                    <th>cpu</th>
                    <th>sleeping in</th>
                  </tr>
                </thead>
                <tbody>
                  {r.blockedTasks.map((t) => (
                    <tr key={t.address}>
                      <td>
                        <TaskLink dumpId={dumpId} task={t} />
                      </td>
                      <td>{t.cpu}</td>
                      <td className="mono">{t.functions ? t.functions.join(" ← ") : ""}</td>
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
