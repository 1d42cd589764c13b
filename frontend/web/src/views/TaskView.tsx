// One task's backtrace, with what the task list says about it (comm, state, CPU, parent).
// The URL names the task by pid (/dumps/:id/tasks/180); pid 0 is every CPU's idle task, so
// those links add ?address=0x… (the task_struct) to say which.
import { useRpc } from "../app/api";
import { Problems } from "../components/Problems";
import { useAllTasks } from "./TasksView";
import { href, Link, useQuery } from "../app/router";
import { BacktraceTable } from "../components/BacktraceTable";
import { ErrorView } from "../components/ErrorView";
import { Loading } from "../components/Loading";
import { TraceNotes } from "../components/BacktraceTable";

export function TaskView({ dumpId, pid }: { dumpId: string; pid: string }) {
  const address = useQuery().get("address") ?? undefined;
  const pidNumber = /^\d+$/.test(pid) ? Number(pid) : undefined;
  // Arguments and locals come with the frames (the server evaluates them for this request).
  const params = address
    ? { dumpId, address, variables: true }
    : pidNumber !== undefined
      ? { dumpId, pid: pidNumber, variables: true }
      : null;
  const trace = useRpc("tasks/backtrace", params, `${dumpId}/${pid}/${address ?? ""}`);
  const list = useAllTasks(dumpId);
  if (!params) return <ErrorView error={new Error(`"${pid}" is not a pid`)} context="reading the URL" />;
  const task =
    list.status === "ok"
      ? list.data.tasks.find((t) => (address ? t.address === address : t.pid === pidNumber))
      : undefined;
  const taskAddress = address ?? task?.address;
  return (
    <div className="task-view">
      <div className="toolbar">
        <Link to={href(["dumps", dumpId, "tasks"])}>← tasks</Link>
        <h2 className="inline-title">
          <span className="mono">{pid}</span> {task ? <span className="mono">{task.comm}</span> : null}
        </h2>
        {task ? (
          <span className="muted">
            state {task.state} · CPU {task.cpu} · parent{" "}
            <Link to={href(["dumps", dumpId, "tasks", task.ppid])}>{task.ppid}</Link> · tgid {task.tgid}
          </span>
        ) : null}
        {taskAddress ? (
          <Link className="mono" to={href(["dumps", dumpId, "explore"], { expr: `*(struct task_struct *)${taskAddress}` })}>
            task_struct {taskAddress}
          </Link>
        ) : null}
      </div>
      <Loading state={trace} what={`the backtrace of pid ${pid}`} dumpId={dumpId}>
        {(data) => (
          <>
            <Problems problems={data.problems} partial={data.partial} what="the backtrace" />
            <BacktraceTable frames={data.frames} dumpId={dumpId} />
            <TraceNotes trace={data} />
          </>
        )}
      </Loading>
    </div>
  );
}
