// JSON of the kernel model's values, shared by the kernel methods (sys/info, tasks/*,
// log/read, modules/list, triage/report) so a task, a frame or a log record looks the same in
// every result. Shapes are specified in protocol-spec/openrpc.json (components.schemas Task,
// Frame, LogRecord, Module, Problem, CrashedTask); 64-bit addresses are hex strings, pids,
// counts and sizes numbers, unknown values null.
#pragma once

#include <span>
#include <vector>

#include "kernel/modules.h"
#include "kernel/printk_records.h"
#include "kernel/stack_trace.h"
#include "kernel/sys_info.h"
#include "kernel/tasks.h"
#include "rpc/json.h"
#include "support/error.h"

namespace vmscope::rpc {

// A problem that made a result partial: the same object as a JSON-RPC error
// ({code, message, data: {kind, address, …}}).
Json problem_json(const Error& error);
Json problems_json(std::span<const Error> errors);

// `page_size` turns RSS and VM pages into bytes.
Json task_json(const kernel::Task& task, std::uint64_t page_size);
// {pid, comm, address, cpu}: a task named inside another result.
Json task_ref_json(const kernel::Task& task);
Json crashed_task_json(const kernel::CrashedTask& task);

Json frame_json(const kernel::StackFrame& frame);
// {task, start, frames, complete, stopped, endReason, notes}
Json trace_json(const kernel::StackTrace& trace);
// The frame's arguments and locals (FrameVariable in the spec), always an array.
Json frame_variables_json(const kernel::StackFrame& frame);

Json log_record_json(const kernel::LogRecord& record);
Json module_json(const kernel::KernelModule& module);

// sys/info's result without `partial`/`problems`.
Json sys_json(const kernel::SysInfo& sys);

}  // namespace vmscope::rpc
