// The on-disk cache of DWARF indexes, keyed by the ELF build-id, and the policy that uses it:
// load the index of a vmlinux from the cache when a valid entry exists, else build it and store
// it for the next open.
//
// A cache file is <dir>/<build-id hex>.vmsidx in the format of dwarf_index_format.h. It is
// trusted only if its header has the right magic, format version and byte order, the payload
// checksum matches, and the build-id, file size and mtime equal those of the vmlinux being
// opened; anything else (corrupt, truncated, stale, another version) is ignored, rebuilt and
// overwritten. Files are written to a temporary name in the same directory and renamed into
// place, so a reader never sees a partial file and concurrent writers do not collide.
//
// Directory (first that applies): IndexCacheOptions::directory; $VMSCOPE_CACHE/index;
// /var/cache/vmscope/index if /var/cache/vmscope is writable; $XDG_CACHE_HOME/vmscope/index;
// $HOME/.cache/vmscope/index. A vmlinux without a build-id is indexed but not cached.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "debuginfo/dwarf_index.h"
#include "debuginfo/dwarf_index_builder.h"
#include "support/result.h"

namespace vmscope::debuginfo {

struct IndexCacheOptions {
  bool enabled = true;
  std::optional<std::string> directory;  // overrides the environment
};

// The directory chosen by the rules above; nullopt if none applies.
std::optional<std::string> default_index_cache_directory();

class IndexCache {
 public:
  explicit IndexCache(std::string directory) : directory_(std::move(directory)) {}
  const std::string& directory() const { return directory_; }
  std::string path_for(const SourceIdentity& source) const;

  // kNotFound: no entry. kCorrupt/kTruncated/kUnsupported: an unusable file.
  // kInvalidArgument: a valid file for another build of the same build-id (size/mtime differ).
  Result<std::shared_ptr<const DwarfIndex>> load(const SourceIdentity& expected) const;
  Status store(const DwarfIndex& index) const;

 private:
  std::string directory_;
};

// How an index was obtained; what the fixture tests and the bench print.
struct IndexLoadReport {
  bool from_cache = false;
  std::string cache_path;  // empty when caching was off or impossible
  std::string cache_note;  // why the cache was not used or not written, if so
  double seconds = 0;      // the whole load_or_build call
  IndexBuildStats build;   // when built
};

struct IndexOpenOptions {
  IndexCacheOptions cache;
  IndexBuildOptions build;
};

// Serves the index of `elf_path` (whose identity the caller has read) from the cache, or builds
// and caches it. Cache problems are never errors (they are noted in the report); only a failed
// build is.
Result<std::shared_ptr<const DwarfIndex>> load_or_build_dwarf_index(
    const std::string& elf_path, const SourceIdentity& identity, const IndexOpenOptions& options,
    IndexLoadReport* report = nullptr);

}  // namespace vmscope::debuginfo
