#include "dump_test_support.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fixture_env.h"

namespace vmscope::testing {

namespace fs = std::filesystem;

PageComparison compare_pages(const DumpSource& source, const Dump& copy) {
  PageComparison c;
  std::vector<std::byte> a(source.page_size), b(source.page_size);
  for (const auto& range : *source.metadata.dumpable) {
    for (std::uint64_t pfn = range.start; pfn < range.start + range.count; ++pfn) {
      std::uint64_t addr = pfn * source.page_size;
      if (!source.dump->memory().read(addr, a).ok()) {
        ++c.source_unreadable;
        continue;
      }
      Status s = copy.memory().read(addr, b);
      if (!s.ok()) {
        if (s.error().code() == ErrorCode::kPageAbsent) {
          ++c.absent;
          if (c.absent_pfns.size() < 10000) c.absent_pfns.push_back(pfn);
        } else {
          ++c.other_errors;
          if (c.first_problem.empty()) c.first_problem = s.error().to_string();
        }
      } else if (a != b) {
        ++c.different;
        if (c.first_problem.empty()) c.first_problem = "pfn " + std::to_string(pfn) + " differs";
      } else {
        ++c.identical;
      }
    }
  }
  return c;
}

fs::path oracle_root() {
  const char* env = std::getenv("VMSCOPE_ORACLE_ROOT");
  return env ? fs::path(env) : fs::path("/var/cache/vmscope/oracle/trixie");
}

OracleScratch::OracleScratch() {
  fs::path root = oracle_root();
  if (!fs::exists(root / "usr/bin/crash")) {
    error_ = "no oracle chroot with crash at " + root.string() + " (tests/fixtures/make-fixtures)";
    return;
  }
  inside_ = "/tmp/vmscope-receiver-oracle-" + std::to_string(::getpid());
  host_ = root / inside_.substr(1);
  std::error_code ec;
  fs::remove_all(host_, ec);
  fs::create_directories(host_, ec);
  if (ec) {
    error_ = "cannot create " + host_.string() + ": " + ec.message();
    return;
  }
  std::string vmlinux = fixture_manifest()["kernel"]["vmlinux"].get<std::string>();
  fs::path target = fs::canonical(vmlinux, ec);
  if (ec || ::link(target.c_str(), (host_ / "vmlinux").c_str()) != 0) {
    error_ = "cannot hard-link " + vmlinux + " into " + host_.string() +
             " (the oracle chroot must be on the fixtures' filesystem)";
  }
}

OracleScratch::~OracleScratch() {
  std::error_code ec;
  if (!host_.empty()) fs::remove_all(host_, ec);
}

std::string OracleScratch::run_in_chroot(const std::string& command) const {
  fs::path out = host_ / "output.txt";
  std::string full = "timeout 900 chroot '" + oracle_root().string() +
                     "' env LC_ALL=C.UTF-8 HOME=/root TERM=dumb PYTHONDONTWRITEBYTECODE=1 sh -c '" +
                     command + "' > '" + out.string() + "' 2>&1";
  int rc = std::system(full.c_str());
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  return text.str() + "\n(exit status " + std::to_string(rc) + ")\n";
}

std::string OracleScratch::run_crash(const std::string& dump_name,
                                     const std::string& commands) const {
  std::ofstream(host_ / "commands.txt") << commands;
  return run_in_chroot("crash -s " + chroot_path("vmlinux") + " " + chroot_path(dump_name) + " < " +
                       chroot_path("commands.txt"));
}

std::string OracleScratch::run_drgn(const std::string& dump_name, const std::string& script) const {
  std::ofstream(host_ / "probe.py") << script;
  return run_in_chroot("drgn -q -c " + chroot_path(dump_name) + " -s " + chroot_path("vmlinux") +
                       " --no-default-symbols " + chroot_path("probe.py"));
}

std::string crash_output_without_paths(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.starts_with("--- stderr ---") || line.starts_with("(exit status")) break;
    if (line.find("KERNEL: ") != std::string::npos ||
        line.find("DUMPFILE: ") != std::string::npos) {
      continue;
    }
    out += line + "\n";
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace vmscope::testing
