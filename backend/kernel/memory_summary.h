// The memory summary crash's `kmem -i` prints: total, free, used, shared, buffers, cached,
// slab, huge pages, swap, commit limit and committed, in pages — and the crash's own way of
// turning pages into a size ("469.8 MB", "3 MB", "128 KB") and a percentage (truncated).
//
// Where each number comes from (names from DWARF; enum indexes from the enumerators of
// zone_stat_item / node_stat_item, never from a table):
//   total      _totalram_pages (totalram_pages on older kernels)
//   free       vm_zone_stat[NR_FREE_PAGES]
//   shared     crash counts it walking every struct page: pages without PG_reserved whose
//              _refcount is above 1. Done here over each node's spanned pfns in vmemmap;
//              unreadable stretches (holes between memory sections) are skipped.
//   buffers    the page-cache pages of block devices: nrpages of every inode on
//              blockdev_superblock->s_inodes, as the kernel's nr_blockdev_pages()
//   cached     vm_node_stat[NR_FILE_PAGES] - swap cache pages (swapper_spaces) - buffers
//   slab       vm_node_stat[NR_SLAB_RECLAIMABLE_B] + [NR_SLAB_UNRECLAIMABLE_B] (or the older
//              NR_SLAB_RECLAIMABLE/UNRECLAIMABLE zone items)
//   huge       hstates[0 .. hugetlb_max_hstate): nr_huge_pages / free_huge_pages << order
//   swap       total_swap_pages, nr_swap_pages (free)
//   commit     limit: (total - huge) * sysctl_overcommit_ratio / 100 + swap, or
//              sysctl_overcommit_kbytes when set; committed: vm_committed_as (percpu_counter
//              count)
// A number that cannot be read is left at 0 and explained in `problems`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "kernel/kernel_layouts.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct MemorySummary {
  std::uint64_t page_size = 4096;
  std::uint64_t total = 0, free = 0, used = 0, shared = 0, buffers = 0, cached = 0, slab = 0;
  std::uint64_t huge_total = 0, huge_free = 0;
  std::uint64_t swap_total = 0, swap_free = 0, swap_used = 0;
  std::uint64_t commit_limit = 0, committed = 0;
  std::uint64_t pages_scanned = 0;  // struct pages looked at for `shared`
  std::vector<Error> problems;
  bool partial() const { return !problems.empty(); }
};

struct MemorySummaryOptions {
  std::uint64_t page_size = 4096;
  // Skip the struct-page walk (shared stays 0 and a problem says so).
  bool count_shared = true;
};

Result<MemorySummary> read_memory_summary(const VirtualMemory& memory, const KernelLayouts& layouts,
                                          const MemorySummaryOptions& options,
                                          const CancellationToken& cancel);

// crash's size text for a number of pages: "0", "128 KB", "3 MB", "469.8 MB", "1.5 GB"
// (one decimal, ".0" dropped).
std::string crash_size_text(std::uint64_t pages, std::uint64_t page_size);
// crash's percentage: part * 100 / whole, truncated; 0 when whole is 0.
std::uint64_t crash_percentage(std::uint64_t part, std::uint64_t whole);

}  // namespace vmscope::kernel
