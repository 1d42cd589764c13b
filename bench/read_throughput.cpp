// Random 4 KiB kernel-virtual reads per second on each format of the same crash (issue 3).
//
//   read_throughput --vmlinux VMLINUX [--seconds S] DUMP...
//
// For each dump: open it (timed), then read random 4 KiB pages of the direct map — physical
// pages present in the dump, addressed through page_offset_base, so every read goes through the
// page-table walk and the format's reader (and, for kdump, its decompression cache) — for S
// seconds, first with a cold page cache of the reader (first pass over fresh pages) and then
// re-reading the same set (warm). Prints one line per dump; no assertions: speed is measured.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "kernel/kernel_target.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Pass {
  std::size_t reads = 0;
  std::size_t failures = 0;
  double seconds = 0;
};

Pass run_pass(const vmscope::KernelTarget& target, const std::vector<std::uint64_t>& addresses,
              double budget) {
  std::vector<std::byte> page(4096);
  Pass pass;
  auto start = Clock::now();
  for (std::uint64_t address : addresses) {
    if (!target.program().memory().read(address, page).ok()) ++pass.failures;
    ++pass.reads;
    if ((pass.reads & 255) == 0 && seconds_since(start) > budget) break;
  }
  pass.seconds = seconds_since(start);
  return pass;
}

}  // namespace

int main(int argc, char** argv) {
  std::string vmlinux;
  double budget = 2.0;
  std::vector<std::string> dumps;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--vmlinux" && i + 1 < argc) {
      vmlinux = argv[++i];
    } else if (arg == "--seconds" && i + 1 < argc) {
      budget = std::stod(argv[++i]);
    } else {
      dumps.push_back(arg);
    }
  }
  if (vmlinux.empty() || dumps.empty()) {
    std::fprintf(stderr, "usage: read_throughput --vmlinux VMLINUX [--seconds S] DUMP...\n");
    return 2;
  }
  std::printf("%-28s %10s %14s %14s %9s\n", "dump", "open ms", "cold reads/s", "warm reads/s",
              "failures");
  for (const std::string& path : dumps) {
    auto start = Clock::now();
    auto target = vmscope::KernelTarget::open({.core = path, .vmlinux = vmlinux});
    const double open_ms = seconds_since(start) * 1000;
    if (!target.ok()) {
      std::printf("%-28s open failed: %s\n", path.c_str(), target.error().to_string().c_str());
      continue;
    }
    const auto& layout = (*target)->layout();
    if (!layout.page_offset_base) {
      std::printf("%-28s no page_offset_base (vmlinux lacks the symbol)\n", path.c_str());
      continue;
    }
    // The same pseudo-random pages for every format: seeded, drawn from the dump's RAM ranges.
    std::vector<std::uint64_t> pages;
    for (const auto& range : (*target)->program().physical().ranges()) {
      for (std::uint64_t p = range.start; p + 4096 <= range.end(); p += 4096) pages.push_back(p);
    }
    std::mt19937_64 random(20261129);
    std::shuffle(pages.begin(), pages.end(), random);
    if (pages.size() > 200000) pages.resize(200000);
    std::vector<std::uint64_t> addresses;
    for (std::uint64_t p : pages) addresses.push_back(*layout.page_offset_base + p);

    Pass cold = run_pass(**target, addresses, budget);
    addresses.resize(cold.reads);
    Pass warm = run_pass(**target, addresses, budget);
    const std::string name = path.substr(path.find_last_of('/') + 1);
    std::printf("%-28s %10.1f %14.0f %14.0f %9zu\n", name.c_str(), open_ms,
                cold.reads / cold.seconds, warm.reads / warm.seconds, cold.failures);
  }
  return 0;
}
