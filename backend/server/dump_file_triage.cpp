#include "server/dump_file_triage.h"

#include "kernel/kernel_target.h"
#include "server/kernel_facts.h"

namespace vmscope::server {

Result<ReceivedDumpTriageResult> triage_dump_file(const DumpFileTriageRequest& request,
                                                  const CancellationToken& cancel) {
  VMSCOPE_TRY(std::unique_ptr<KernelTarget> target,
              KernelTarget::open(
                  {.core = request.core, .debug_dir = request.debug_dir, .index = request.index}));
  if (target->program().debug_info() == nullptr) {
    const Vmcoreinfo& info = target->vmcoreinfo();
    std::string kernel = "build-id " + info.build_id().value_or("unknown") + ", release " +
                         info.osrelease().value_or("unknown");
    if (request.debug_dir.empty()) {
      return Error(ErrorCode::kNotFound, "no debug directory to find the vmlinux of " + kernel +
                                             " (vmscope serve --debug-dir)");
    }
    return Error(ErrorCode::kNotFound, "no vmlinux matching " + kernel + " in " + request.debug_dir,
                 {.name = request.debug_dir});
  }
  VMSCOPE_CHECK(cancel.check());
  KernelFacts facts(std::shared_ptr<const KernelTarget>(std::move(target)));
  VMSCOPE_TRY(auto triage, facts.triage(cancel));
  const auto& panic = triage->report.panic_record;
  return ReceivedDumpTriageResult{triage->title, triage->report.kind, triage->bucket,
                                  panic ? panic->text : std::string()};
}

}  // namespace vmscope::server
