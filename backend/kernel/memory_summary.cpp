#include "kernel/memory_summary.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <span>

#include "debuginfo/type_layout.h"
#include "program/list_walker.h"
#include "program/name_lookup.h"
#include "program/walk.h"
#include "support/hex.h"

namespace vmscope::kernel {
namespace {

constexpr std::uint32_t kMaxNodes = 1024;
constexpr std::uint32_t kMaxHstates = 16;
constexpr std::uint32_t kMaxSwapFiles = 64;
constexpr std::uint64_t kMaxSwapperSpaces = std::uint64_t{1} << 16;
// No machine has more than 2^36 pages (256 TiB of 4 KiB pages); a node claiming more is
// corrupt.
constexpr std::uint64_t kMaxNodePages = std::uint64_t{1} << 36;

class SummaryReader {
 public:
  SummaryReader(const VirtualMemory& memory, const debuginfo::DebugInfo& debug,
                const CancellationToken& cancel, MemorySummary& out)
      : memory_(memory), debug_(debug), names_(debug), cancel_(cancel), out_(out) {}

  void problem(const Error& error, const std::string& context) {
    out_.problems.push_back(error.with_context(context));
  }

  Result<std::uint64_t> variable(std::string_view name) {
    VMSCOPE_TRY(debuginfo::Variable v, debug_.find_variable(name));
    return v.address;
  }

  // A word-sized global, 0 with a problem when unreadable.
  std::uint64_t global_u64(std::string_view name, std::string_view what) {
    auto address = variable(name);
    auto value = address.ok() ? memory_.read_u64(*address) : Result<std::uint64_t>(address.error());
    if (!value.ok()) {
      problem(value.error(), "reading " + std::string(what));
      return 0;
    }
    return *value;
  }

  // The first of `names` that exists.
  Result<std::uint64_t> first_variable(std::initializer_list<std::string_view> names) {
    std::optional<Error> first;
    for (std::string_view name : names) {
      auto address = variable(name);
      if (address.ok()) return address;
      if (!first) first = address.error();
    }
    return *first;
  }

  // vm_zone_stat / vm_node_stat entry named by an enumerator, clamped at 0 like the kernel's
  // global_*_page_state().
  Result<std::uint64_t> vm_stat(std::string_view array, std::string_view item) {
    VMSCOPE_TRY(std::uint64_t base, variable(array));
    VMSCOPE_TRY(debuginfo::Constant index, debug_.find_constant(item));
    VMSCOPE_TRY(std::uint64_t value, memory_.read_u64(base + index.value * 8));
    return static_cast<std::int64_t>(value) < 0 ? 0 : value;
  }

  void totals() {
    auto total = first_variable({"_totalram_pages", "totalram_pages"});
    auto value = total.ok() ? memory_.read_u64(*total) : Result<std::uint64_t>(total.error());
    if (value.ok()) {
      out_.total = *value;
    } else {
      problem(value.error(), "reading totalram_pages");
    }
    if (auto free = vm_stat("vm_zone_stat", "NR_FREE_PAGES"); free.ok()) {
      out_.free = *free;
    } else {
      problem(free.error(), "reading vm_zone_stat[NR_FREE_PAGES]");
    }
    out_.used = out_.total > out_.free ? out_.total - out_.free : 0;
  }

  void slab() {
    auto reclaimable = vm_stat("vm_node_stat", "NR_SLAB_RECLAIMABLE_B");
    auto unreclaimable = vm_stat("vm_node_stat", "NR_SLAB_UNRECLAIMABLE_B");
    if (!reclaimable.ok() || !unreclaimable.ok()) {
      reclaimable = vm_stat("vm_zone_stat", "NR_SLAB_RECLAIMABLE");
      unreclaimable = vm_stat("vm_zone_stat", "NR_SLAB_UNRECLAIMABLE");
    }
    if (reclaimable.ok() && unreclaimable.ok()) {
      out_.slab = *reclaimable + *unreclaimable;
    } else {
      problem(reclaimable.ok() ? unreclaimable.error() : reclaimable.error(),
              "reading the slab page counters");
    }
  }

  // nr_blockdev_pages(): the page cache of every block-device inode.
  Status buffers() {
    auto sb_var = variable("blockdev_superblock");
    if (!sb_var.ok()) {
      problem(sb_var.error(), "finding the block devices' super block");
      return ok_status();
    }
    auto sb = memory_.read_u64(*sb_var);
    auto s_inodes = member_offset(names_, "struct super_block", "s_inodes");
    auto list = list_layout(names_, "struct inode", "i_sb_list");
    auto i_mapping = member_offset(names_, "struct inode", "i_mapping");
    auto nrpages = member_offset(names_, "struct address_space", "nrpages");
    for (const Status& s : {Status(sb.ok() ? ok_status() : Status(sb.error())),
                            Status(s_inodes.ok() ? ok_status() : Status(s_inodes.error())),
                            Status(list.ok() ? ok_status() : Status(list.error())),
                            Status(i_mapping.ok() ? ok_status() : Status(i_mapping.error())),
                            Status(nrpages.ok() ? ok_status() : Status(nrpages.error()))}) {
      if (!s.ok()) {
        problem(s.error(), "counting block-device pages");
        return ok_status();
      }
    }
    WalkOptions options{.cancel = cancel_};
    options.max_entries = std::size_t{1} << 22;
    auto walk = walk_list(memory_, *sb + *s_inodes, *list, options);
    if (walk.error && walk.error->code() == ErrorCode::kCancelled) return *walk.error;
    if (walk.error) problem(*walk.error, "walking blockdev_superblock->s_inodes");
    for (std::uint64_t inode : walk.entries) {
      auto mapping = memory_.read_u64(inode + *i_mapping);
      auto pages = mapping.ok() ? memory_.read_u64(*mapping + *nrpages) : mapping;
      if (pages.ok()) {
        out_.buffers += *pages;
      } else {
        problem(pages.error(), "reading the page count of block-device inode " + hex_u64(inode));
      }
    }
    return ok_status();
  }

  // Pages of the swap cache: nrpages of each of swapper_spaces[type][0..nr_swapper_spaces).
  std::uint64_t swap_cache_pages() {
    auto spaces = variable("swapper_spaces");
    auto counts = variable("nr_swapper_spaces");
    auto nrpages = member_offset(names_, "struct address_space", "nrpages");
    auto size = debug_.find_type("struct address_space");
    if (!spaces.ok() || !counts.ok() || !nrpages.ok() || !size.ok()) return 0;
    auto stride = debuginfo::sizeof_type(*size);
    if (!stride.ok()) return 0;
    std::uint64_t total = 0;
    for (std::uint32_t type = 0; type < kMaxSwapFiles; ++type) {
      auto count = memory_.read_u32(*counts + type * 4);
      auto array = memory_.read_u64(*spaces + type * 8);
      if (!count.ok() || !array.ok()) {
        problem(count.ok() ? array.error() : count.error(), "reading the swap cache spaces");
        break;
      }
      if (*count == 0 || *array == 0) continue;
      for (std::uint64_t i = 0; i < std::min<std::uint64_t>(*count, kMaxSwapperSpaces); ++i) {
        if (auto pages = memory_.read_u64(*array + i * *stride + *nrpages); pages.ok()) {
          total += *pages;
        }
      }
    }
    return total;
  }

  void cached() {
    auto file = vm_stat("vm_node_stat", "NR_FILE_PAGES");
    if (!file.ok()) file = vm_stat("vm_zone_stat", "NR_FILE_PAGES");
    if (!file.ok()) {
      problem(file.error(), "reading NR_FILE_PAGES");
      return;
    }
    const std::uint64_t swap = swap_cache_pages();
    const std::uint64_t minus = swap + out_.buffers;
    out_.cached = *file > minus ? *file - minus : 0;
  }

  void huge() {
    auto hstates = variable("hstates");
    if (!hstates.ok()) return;  // no hugetlbfs: no huge pages
    auto max = variable("hugetlb_max_hstate");
    auto count = max.ok() ? memory_.read_u32(*max) : Result<std::uint32_t>(max.error());
    auto type = debug_.find_type("struct hstate");
    auto order = member_offset(names_, "struct hstate", "order");
    auto nr = member_offset(names_, "struct hstate", "nr_huge_pages");
    auto free = member_offset(names_, "struct hstate", "free_huge_pages");
    if (!count.ok() || !type.ok() || !order.ok() || !nr.ok() || !free.ok()) {
      problem(!count.ok() ? count.error() : Error(ErrorCode::kNotFound, "struct hstate"),
              "reading the huge page pools");
      return;
    }
    auto stride = debuginfo::sizeof_type(*type);
    if (!stride.ok()) return;
    for (std::uint32_t i = 0; i < std::min(*count, kMaxHstates); ++i) {
      const std::uint64_t h = *hstates + i * *stride;
      auto o = memory_.read_u32(h + *order);
      auto n = memory_.read_u64(h + *nr);
      auto f = memory_.read_u64(h + *free);
      if (!o.ok() || !n.ok() || !f.ok() || *o >= 32) {
        problem(Error(ErrorCode::kCorrupt, "unreadable hstate", {.address = h}),
                "reading the huge page pools");
        continue;
      }
      out_.huge_total += *n << *o;
      out_.huge_free += *f << *o;
    }
  }

  void swap_and_commit() {
    out_.swap_total = global_u64("total_swap_pages", "total_swap_pages");
    out_.swap_free = global_u64("nr_swap_pages", "nr_swap_pages");
    out_.swap_used = out_.swap_total > out_.swap_free ? out_.swap_total - out_.swap_free : 0;
    std::uint64_t kbytes = 0;
    if (auto address = variable("sysctl_overcommit_kbytes"); address.ok()) {
      kbytes = memory_.read_u64(*address).value_or(0);
    }
    if (kbytes != 0) {
      out_.commit_limit = kbytes / (out_.page_size / 1024) + out_.swap_total;
    } else {
      auto ratio_at = variable("sysctl_overcommit_ratio");
      auto ratio =
          ratio_at.ok() ? memory_.read_u32(*ratio_at) : Result<std::uint32_t>(ratio_at.error());
      if (ratio.ok()) {
        const std::uint64_t ram = out_.total > out_.huge_total ? out_.total - out_.huge_total : 0;
        out_.commit_limit = ram * *ratio / 100 + out_.swap_total;
      } else {
        problem(ratio.error(), "reading sysctl_overcommit_ratio");
      }
    }
    auto committed = variable("vm_committed_as");
    auto count = member_offset(names_, "struct percpu_counter", "count");
    if (committed.ok() && count.ok()) {
      auto value = memory_.read_u64(*committed + *count);
      if (value.ok()) {
        out_.committed = static_cast<std::int64_t>(*value) < 0 ? 0 : *value;
      } else {
        problem(value.error(), "reading vm_committed_as");
      }
    } else {
      problem(committed.ok() ? count.error() : committed.error(), "finding vm_committed_as");
    }
  }

  // crash's SHARED: struct pages without PG_reserved whose _refcount is above 1.
  Status shared() {
    auto vmemmap_at = variable("vmemmap_base");
    auto vmemmap = vmemmap_at.ok() ? memory_.read_u64(*vmemmap_at) : vmemmap_at;
    auto page_type = debug_.find_type("struct page");
    auto flags = member_offset(names_, "struct page", "flags");
    auto refcount = member_offset(names_, "struct page", "_refcount");
    auto reserved = debug_.find_constant("PG_reserved");
    auto start = member_offset(names_, "struct pglist_data", "node_start_pfn");
    auto spanned = member_offset(names_, "struct pglist_data", "node_spanned_pages");
    if (!vmemmap.ok() || !page_type.ok() || !flags.ok() || !refcount.ok() || !reserved.ok() ||
        !start.ok() || !spanned.ok()) {
      problem(!vmemmap.ok() ? vmemmap.error()
                            : Error(ErrorCode::kNotFound, "struct page / pglist_data layout"),
              "counting shared pages");
      return ok_status();
    }
    VMSCOPE_TRY(std::uint64_t page_size, debuginfo::sizeof_type(*page_type));
    const std::uint64_t per_chunk = std::max<std::uint64_t>(1, 4096 / page_size);
    std::vector<std::uint64_t> nodes;
    if (auto data = variable("node_data"); data.ok()) {
      for (std::uint32_t n = 0; n < kMaxNodes; ++n) {
        auto node = memory_.read_u64(*data + n * 8);
        if (!node.ok()) break;
        if (*node != 0) nodes.push_back(*node);
      }
    } else if (auto contig = variable("contig_page_data"); contig.ok()) {
      nodes.push_back(*contig);
    }
    std::vector<std::byte> chunk(per_chunk * page_size);
    for (std::uint64_t node : nodes) {
      auto first = memory_.read_u64(node + *start);
      auto count = memory_.read_u64(node + *spanned);
      if (!first.ok() || !count.ok() || *count > kMaxNodePages) {
        problem(Error(ErrorCode::kCorrupt, "unreadable or impossible node span", {.address = node}),
                "counting shared pages");
        continue;
      }
      for (std::uint64_t pfn = *first; pfn < *first + *count; pfn += per_chunk) {
        VMSCOPE_CHECK(cancel_.check());
        const std::uint64_t n = std::min(per_chunk, *first + *count - pfn);
        auto bytes = std::span(chunk).first(n * page_size);
        if (auto status = memory_.read(*vmemmap + pfn * page_size, bytes); !status.ok()) {
          // Holes between memory sections have no struct pages; anything else is a gap in
          // the dump and makes the count a lower bound.
          if (status.error().code() != ErrorCode::kAddressNotMapped) {
            problem(status.error(), "reading struct pages of pfn " + hex_u64(pfn));
          }
          continue;
        }
        for (std::uint64_t i = 0; i < n; ++i) {
          std::uint64_t page_flags = 0;
          std::int32_t refs = 0;
          std::memcpy(&page_flags, bytes.data() + i * page_size + *flags, 8);
          std::memcpy(&refs, bytes.data() + i * page_size + *refcount, 4);
          ++out_.pages_scanned;
          if ((page_flags >> reserved->value) & 1) continue;
          if (refs > 1) ++out_.shared;
        }
      }
    }
    return ok_status();
  }

 private:
  const VirtualMemory& memory_;
  const debuginfo::DebugInfo& debug_;
  DebugInfoLookup names_;
  const CancellationToken& cancel_;
  MemorySummary& out_;
};

}  // namespace

std::string crash_size_text(std::uint64_t pages, std::uint64_t page_size) {
  if (pages == 0) return "0";
  const double bytes = static_cast<double>(pages) * static_cast<double>(page_size);
  char text[64];
  if (bytes >= 1024.0 * 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f GB", bytes / (1024.0 * 1024 * 1024));
  } else if (bytes >= 1024.0 * 1024) {
    std::snprintf(text, sizeof text, "%.1f MB", bytes / (1024.0 * 1024));
  } else {
    std::snprintf(text, sizeof text, "%llu KB", static_cast<unsigned long long>(bytes / 1024.0));
  }
  std::string out(text);
  if (auto at = out.find(".0 "); at != std::string::npos) out.erase(at, 2);
  return out;
}

std::uint64_t crash_percentage(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0 : part * 100 / whole;
}

Result<MemorySummary> read_memory_summary(const VirtualMemory& memory, const KernelLayouts& layouts,
                                          const MemorySummaryOptions& options,
                                          const CancellationToken& cancel) {
  VMSCOPE_CHECK(cancel.check());
  MemorySummary out{.page_size = options.page_size};
  SummaryReader reader(memory, layouts.debug(), cancel, out);
  reader.totals();
  reader.slab();
  VMSCOPE_CHECK(reader.buffers());
  reader.cached();
  reader.huge();
  reader.swap_and_commit();
  if (options.count_shared) {
    VMSCOPE_CHECK(reader.shared());
  } else {
    out.problems.push_back(Error(ErrorCode::kUnsupported,
                                 "shared pages not counted (the struct-page walk was skipped)"));
  }
  return out;
}

}  // namespace vmscope::kernel
