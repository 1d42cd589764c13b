// What every walker over kernel data structures shares (list_walker.h, hlist_walker.h,
// rbtree_walker.h, xarray_walker.h, maple_tree_walker.h): bounds, cancellation, loop detection,
// and partial results.
//
// A dump may be corrupt or filtered: a `next` pointer may point into garbage, into a page the
// dump left out, or back into the structure. A walk therefore never fails outright once it has
// started: it returns what it found before the problem together with the error that stopped it
// (kLoopDetected with the revisited node's address, the memory's kPageExcluded /
// kAddressNotMapped with the faulting address, kCorrupt for a broken invariant,
// kLimitExceeded past max_entries, kCancelled). Only a problem before the first step (an
// unreadable root) leaves `entries` empty.
//
// Walkers take raw addresses and offsets, resolved once by the caller from DWARF (the helpers
// here and in each walker), so the kernel model can walk 10,000 tasks without a type lookup
// per node.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "arch/virtual_memory.h"
#include "program/name_lookup.h"
#include "support/cancellation.h"
#include "support/error.h"
#include "support/result.h"

namespace vmscope {

struct WalkOptions {
  std::size_t max_entries = std::size_t{1} << 22;  // beyond any kernel structure we walk
  CancellationToken cancel;
};

template <typename T>
struct WalkResult {
  std::vector<T> entries;
  std::optional<Error> error;  // why the walk stopped early; nullopt when it completed
  bool complete() const { return !error.has_value(); }
};

// Nodes seen so far, to stop at the first revisit.
class VisitedNodes {
 public:
  // False if `node` was seen before.
  bool insert(std::uint64_t node) { return seen_.insert(node).second; }
  std::size_t size() const { return seen_.size(); }

 private:
  std::unordered_set<std::uint64_t> seen_;
};

// The 8-byte words at `base + offsets[i]`, read together when they lie within 64 bytes of each
// other (a node's links always do), else one by one.
template <std::size_t N>
Result<std::array<std::uint64_t, N>> read_words(const VirtualMemory& memory, std::uint64_t base,
                                                const std::array<std::uint64_t, N>& offsets);

Error loop_detected(std::string_view structure, std::uint64_t node);
Error limit_exceeded(std::string_view structure, std::size_t max_entries);

// The byte offset of `designator` ("tasks", "pids[1].node") in `type_name` ("struct
// task_struct"), from the debug info; what container_of subtracts.
Result<std::uint64_t> member_offset(const NameLookup& names, std::string_view type_name,
                                    std::string_view designator);

template <std::size_t N>
Result<std::array<std::uint64_t, N>> read_words(const VirtualMemory& memory, std::uint64_t base,
                                                const std::array<std::uint64_t, N>& offsets) {
  std::array<std::uint64_t, N> words{};
  const auto [low, high] = std::minmax_element(offsets.begin(), offsets.end());
  const std::uint64_t span = *high + 8 - *low;
  if (span <= 64) {
    std::array<std::byte, 64> block{};
    VMSCOPE_CHECK(memory.read(base + *low, std::span(block).first(span)));
    for (std::size_t i = 0; i < N; ++i) {
      std::memcpy(&words[i], block.data() + (offsets[i] - *low), 8);
    }
    return words;
  }
  for (std::size_t i = 0; i < N; ++i) {
    VMSCOPE_TRY(words[i], memory.read_u64(base + offsets[i]));
  }
  return words;
}

}  // namespace vmscope
