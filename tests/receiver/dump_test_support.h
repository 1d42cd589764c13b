// Helpers for the receiver's tests on real dumps (label "receiver"): comparing a written or
// received dump with its source page by page, and running the real crash 8.0.6 and drgn 0.0.31
// of the oracle chroot (tests/fixtures/README.md) on a dump.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dump/dump.h"
#include "receiver/dump_source.h"

namespace vmscope::testing {

struct PageComparison {
  std::uint64_t identical = 0;
  std::uint64_t absent = 0;     // kPageAbsent in the copy
  std::uint64_t different = 0;  // read fine but other bytes
  std::uint64_t other_errors = 0;
  std::uint64_t source_unreadable = 0;
  std::vector<std::uint64_t> absent_pfns;  // the first 10000
  std::string first_problem;
};

// Reads every dumpable pfn of `source` in both and compares.
PageComparison compare_pages(const DumpSource& source, const Dump& copy);

// The oracle chroot (VMSCOPE_ORACLE_ROOT, default /var/cache/vmscope/oracle/trixie).
std::filesystem::path oracle_root();

// A scratch directory inside the chroot (under /tmp), removed by the destructor, with the
// fixture's vmlinux hard-linked in (same filesystem, so no copy of ~600 MB).
class OracleScratch {
 public:
  OracleScratch();
  ~OracleScratch();
  OracleScratch(const OracleScratch&) = delete;
  OracleScratch& operator=(const OracleScratch&) = delete;
  bool ok() const { return !error_.empty() ? false : true; }
  const std::string& error() const { return error_; }
  std::filesystem::path host_path(const std::string& name) const { return host_ / name; }
  std::string chroot_path(const std::string& name) const { return inside_ + "/" + name; }
  // Runs `crash -s vmlinux <dump>` in the chroot with `commands` on stdin; stdout+stderr.
  std::string run_crash(const std::string& dump_name, const std::string& commands) const;
  // Runs drgn on <dump> with a Python script (the `prog` global set); stdout+stderr.
  std::string run_drgn(const std::string& dump_name, const std::string& script) const;

 private:
  std::string run_in_chroot(const std::string& command) const;
  std::filesystem::path host_;
  std::string inside_;
  std::string error_;
};

// crash output without the lines naming files (KERNEL:, DUMPFILE:) and the stderr trailer.
std::string crash_output_without_paths(const std::string& text);

}  // namespace vmscope::testing
