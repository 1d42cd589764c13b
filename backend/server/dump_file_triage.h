// Triage of a dump file by path, for dumps no client opened: the received dumps the receiver
// files in its catalog (server/received_dump_triage.h). The dump is opened the way dump/open
// opens it (KernelTarget::open: format from content, the vmlinux found by build-id/release in
// the debug directory, another build's vmlinux refused), its KernelFacts computed and
// dropped again: the dump does not become a session of any client.
#pragma once

#include <string>

#include "debuginfo/index_cache.h"
#include "server/received_dump_triage.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::server {

struct DumpFileTriageRequest {
  std::string core;
  std::string debug_dir;  // where the vmlinux is looked for (`vmscope serve --debug-dir`)
  debuginfo::IndexOpenOptions index;
};

// Errors: kNotFound when no vmlinux of the dump's build is in the debug directory (or there is
// none), kCancelled, and what opening the dump reports.
Result<ReceivedDumpTriageResult> triage_dump_file(const DumpFileTriageRequest& request,
                                                  const CancellationToken& cancel);

}  // namespace vmscope::server
