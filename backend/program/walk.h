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

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <vector>

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

Error loop_detected(std::string_view structure, std::uint64_t node);
Error limit_exceeded(std::string_view structure, std::size_t max_entries);

// The byte offset of `designator` ("tasks", "pids[1].node") in `type_name` ("struct
// task_struct"), from the debug info; what container_of subtracts.
Result<std::uint64_t> member_offset(const NameLookup& names, std::string_view type_name,
                                    std::string_view designator);

}  // namespace vmscope
