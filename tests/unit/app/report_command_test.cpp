// The text form of a triage report, from a synthetic triage/report result (the real one is
// exercised on the fixture by tests/fixture/rpc/triage_test.cpp and the transcripts).
#include "app/report_command.h"

#include <gtest/gtest.h>

namespace vmscope::app {
namespace {

rpc::Json report() {
  return rpc::Json::parse(R"({
    "title": "INFO: task hung in drain_it", "kind": "hung-task", "bucket": "0123456789abcdef",
    "culprit": {"function": "drain_it", "module": "drainmod", "file": "drivers/drain.c",
                "line": 42, "origin": "backtrace", "frame": 2},
    "bucketFunctions": ["drain_it", "worker_fn", "kthread"],
    "notes": ["the panic follows the hung-task report at log seq 7"],
    "report": {"seq": 7, "text": "INFO: task vms-worker:77 blocked for more than 120 seconds."},
    "sys": {"release": "6.1.0", "version": "#1 SMP", "machine": "x86_64", "cpus": 2,
            "cpusOnline": 1, "memoryBytes": 536870912, "uptimeNs": 90061000000000,
            "crashTime": "2026-11-29T15:31:47Z"},
    "panicMessage": "Kernel panic - not syncing: hung_task: blocked tasks",
    "crashedTask": {"pid": 30, "comm": "khungtaskd", "address": "0xffff888000030000", "cpu": 1,
                    "source": "panic_cpu"},
    "culpritTask": {"pid": 77, "comm": "vms-worker", "address": "0xffff888000077000", "cpu": 0,
                    "active": false},
    "backtrace": {"frames": [{"pc": "0xffffffff81000040", "function": "panic", "module": null,
                              "file": "kernel/panic.c", "line": 10, "inline": false,
                              "userMode": false}],
                  "stopped": null},
    "culpritBacktrace": {"frames": [
        {"pc": "0xffffffff81000100", "function": "__schedule", "module": null, "file": null,
         "line": null, "inline": false, "userMode": false},
        {"pc": "0xffffffff81000200", "function": "schedule", "module": null, "file": null,
         "line": null, "inline": false, "userMode": false},
        {"pc": "0xffffffffc0001000", "function": "drain_it", "module": "drainmod",
         "file": "drivers/drain.c", "line": 42, "inline": false, "userMode": false}],
        "stopped": {"code": -32011, "message": "stack page excluded",
                    "data": {"kind": "page-excluded", "address": "0xffffc90000010000"}}},
    "log": [{"seq": 8, "timestampNs": 120001000000, "text": "Kernel panic - not syncing: x"}],
    "blockedTasks": [{"pid": 77, "comm": "vms-worker", "functions": ["__schedule", "drain_it"]}],
    "partial": true,
    "problems": [{"code": -32011, "message": "the culprit task's backtrace stops early",
                  "data": {"kind": "page-excluded", "address": "0xffffc90000010000"}}]
  })");
}

TEST(ReportCommandTest, TextNamesTheCrashAndMarksTheCulpritInTheStuckTasksTrace) {
  const std::string text = render_report_text(report());
  for (const char* part : {
           "TITLE    INFO: task hung in drain_it\n",
           "BUCKET   0123456789abcdef\n",
           "CULPRIT  drain_it [drainmod]  drivers/drain.c:42  (from the backtrace)\n",
           "REPORT   [seq 7] INFO: task vms-worker:77 blocked",
           "  UPTIME   1 day, 01:01:01\n",
           "  MEMORY   512.0 MiB\n",
           "  TASK     pid 30 \"khungtaskd\" on CPU 1, task 0xffff888000030000\n",
           "BACKTRACE of the stuck task, pid 77 \"vms-worker\"\n",
           " *#2  0xffffffffc0001000  drain_it [drainmod]  drivers/drain.c:42\n",
           "  (stopped: stack page excluded)\n",
           "  pid 77 \"vms-worker\": __schedule < drain_it\n",
           "[  120.001000] Kernel panic - not syncing: x\n",
           "  page-excluded: the culprit task's backtrace stops early (address 0xffffc90000010000)",
       }) {
    EXPECT_NE(text.find(part), std::string::npos) << "missing: " << part << "\nin:\n" << text;
  }
  // The crashed task's trace is not where the culprit is: no mark there.
  EXPECT_NE(text.find("  #0  0xffffffff81000040  panic  kernel/panic.c:10\n"), std::string::npos)
      << text;
}

TEST(ReportCommandTest, TextOfAnAlmostEmptyReport) {
  const std::string text =
      render_report_text(rpc::Json{{"title", "no crash report in the log"}, {"culprit", nullptr}});
  EXPECT_NE(text.find("CULPRIT  (none found)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("BLOCKED TASKS (D state): 0\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace vmscope::app
