// Finds debug files in a debug directory laid out as Debian's -dbg packages are:
//   <dir>/lib/modules/<kver>/kernel/**/<module>.ko   module debug files (ET_REL, full DWARF)
//   <dir>/boot/vmlinux-<kver>, <dir>/lib/modules/<kver>/vmlinux
//   <dir>/.build-id/<xx>/<rest>.debug                 by build-id (Debian ships few of these)
// <dir> is usually .../usr/lib/debug; a package extraction root holding usr/lib/debug is
// accepted too.
//
// A module is found by build-id first: the .build-id link; else the files named like the
// module, if their build-id matches; else any .ko under lib/modules whose build-id matches (a
// renamed module). Without a build-id, by name: '-' and '_' are the same (the kernel reports
// "virtio_net" for virtio-net.ko), ".ko", ".ko.debug" suffixes are stripped. A file whose
// build-id differs from the one asked for is never returned.
//
// Threading: safe from several threads (the directory scans are done once, under a lock).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "support/result.h"

namespace vmscope::debuginfo {

class DebugFileFinder {
 public:
  explicit DebugFileFinder(std::string debug_dir);
  const std::string& debug_dir() const { return root_; }

  // `build_id` empty: match by name only. `kernel_release` empty: any lib/modules/<kver>.
  Result<std::string> find_module(std::string_view name, std::span<const std::uint8_t> build_id,
                                  std::string_view kernel_release) const;
  Result<std::string> find_vmlinux(std::span<const std::uint8_t> build_id,
                                   std::string_view kernel_release) const;

  // "virtio-net.ko.debug" and "virtio_net" both give "virtio_net".
  static std::string normalize_module_name(std::string_view name);

 private:
  struct ModuleFile {
    std::string path;
    std::string kernel_release;  // the <kver> directory it was found under
  };
  void scan_modules_locked() const;
  std::optional<std::string> by_build_id_link(std::span<const std::uint8_t> build_id) const;

  std::string root_;
  mutable std::mutex mutex_;
  mutable bool scanned_ = false;
  mutable std::multimap<std::string, ModuleFile> modules_by_name_;
  mutable bool build_ids_read_ = false;
  mutable std::map<std::vector<std::uint8_t>, std::string> modules_by_build_id_;
};

}  // namespace vmscope::debuginfo
