// One task's backtrace. The URL names it by pid (/dumps/:id/tasks/180); pid 0 is every CPU's
// idle task, so those links add ?address=0x… (the task_struct) to say which.
import { useRpc } from "../app/api";
import { href, Link, useQuery } from "../app/router";
import { BacktraceTable } from "../components/BacktraceTable";
import { ErrorView } from "../components/ErrorView";
import { Loading } from "../components/Loading";

export function TaskView({ dumpId, pid }: { dumpId: string; pid: string }) {
  const address = useQuery().get("address") ?? undefined;
  const pidNumber = /^\d+$/.test(pid) ? Number(pid) : undefined;
  const params = address ? { dumpId, address } : pidNumber !== undefined ? { dumpId, pid: pidNumber } : null;
  const trace = useRpc("tasks/backtrace", params, `${dumpId}/${pid}/${address ?? ""}`);
  if (!params) return <ErrorView error={new Error(`"${pid}" is not a pid`)} context="reading the URL" />;
  return (
    <div className="task-view">
      <div className="toolbar">
        <Link to={href(["dumps", dumpId, "tasks"])}>← tasks</Link>
        <h2 className="inline-title">
          pid <span className="mono">{pid}</span>
          {address ? <span className="muted mono"> task_struct {address}</span> : null}
        </h2>
        {address ? (
          <Link to={href(["dumps", dumpId, "explore"], { expr: `*(struct task_struct *)${address}` })}>explore task_struct</Link>
        ) : null}
      </div>
      <Loading state={trace} what={`the backtrace of pid ${pid}`} dumpId={dumpId}>
        {(data) => <BacktraceTable frames={data.frames} dumpId={dumpId} />}
      </Loading>
    </div>
  );
}
