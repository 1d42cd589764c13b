// Building a path name from a (dentry, mount) pair, the way the kernel's d_path() /
// prepend_path() do: climb d_parent, and at the root of a mount cross to the dentry it is
// mounted on (mnt_mountpoint) in the parent mount, until the global root (a mount that is its
// own parent). Used by `mount` (DIRNAME) and `files` (PATH, ROOT, CWD).
//
// The graph is read through PathGraph so the climbing logic is tested on hand-made graphs;
// VfsPathGraph reads the real one from memory with offsets from DWARF. The climb is bounded
// (a corrupt d_parent chain must not hang) and reports how it stopped.
#pragma once

#include <cstdint>
#include <string>

#include "arch/virtual_memory.h"
#include "debuginfo/debug_info.h"
#include "kernel/kernel_layouts.h"
#include "support/result.h"

namespace vmscope::kernel {

struct DentryLinks {
  std::uint64_t parent = 0;  // d_parent (a root dentry is its own parent)
  std::string name;          // d_name.name
};

struct MountLinks {
  std::uint64_t parent = 0;      // mnt_parent, as a struct mount (the global root: itself)
  std::uint64_t mountpoint = 0;  // mnt_mountpoint: the dentry this mount covers
  std::uint64_t root = 0;        // mnt.mnt_root: this mount's root dentry
};

class PathGraph {
 public:
  virtual ~PathGraph() = default;
  virtual Result<DentryLinks> dentry(std::uint64_t address) const = 0;
  virtual Result<MountLinks> mount(std::uint64_t address) const = 0;
};

// PATH_MAX components of at least one byte and a '/' each: a longer climb is a cycle.
inline constexpr std::size_t kMaxPathComponents = 2048;

// The absolute path of `dentry` seen through mount `mount` (a struct mount address). "/" for
// a root. A dentry that is a root without being its mount's root (a detached or pseudo
// filesystem dentry, a pipe or socket) gives its name alone, as the kernel's
// "not reachable" paths do. Fails on an unreadable link or a cycle, with the address.
Result<std::string> build_path(const PathGraph& graph, std::uint64_t dentry, std::uint64_t mount);

struct VfsPathLayout {
  std::uint64_t d_parent = 0, d_name_name = 0;
  std::uint64_t mnt_parent = 0, mnt_mountpoint = 0, mnt_root = 0;  // in struct mount
  std::uint64_t mount_mnt = 0;  // offsetof(struct mount, mnt): vfsmount -> mount
  // struct vfsmount inside struct mount
  std::uint64_t vfsmount_sb = 0;  // offsetof(struct vfsmount, mnt_sb)

  static Result<VfsPathLayout> resolve(const debuginfo::DebugInfo& debug);
};

class VfsPathGraph final : public PathGraph {
 public:
  VfsPathGraph(const VirtualMemory& memory, const VfsPathLayout& layout)
      : memory_(memory), layout_(layout) {}
  Result<DentryLinks> dentry(std::uint64_t address) const override;
  Result<MountLinks> mount(std::uint64_t address) const override;

 private:
  const VirtualMemory& memory_;
  const VfsPathLayout& layout_;
};

}  // namespace vmscope::kernel
