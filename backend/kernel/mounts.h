// The mounts of a mount namespace, as crash's `mount` lists them: struct mount, its super
// block, the filesystem type's name, the device name and the mount point's path.
//
// Which namespace: a task's nsproxy->mnt_ns (init_task's by default: the initial namespace).
// How its mounts are kept is detected from DWARF: mnt_namespace.list of mount.mnt_list (up to
// 6.7) or the rb-tree mnt_namespace.mounts of mount.mnt_node (6.8+). Walks are bounded and
// cancellable; a mount whose fields cannot be read is still listed, with the reason in
// `problems`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "kernel/kernel_layouts.h"
#include "kernel/vfs_path.h"
#include "program/list_walker.h"
#include "program/rbtree_walker.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct MountLayout {
  VfsPathLayout path;
  std::uint64_t init_task = 0;
  std::uint64_t task_nsproxy = 0, nsproxy_mnt_ns = 0;
  // Exactly one of list / tree.
  std::optional<std::uint64_t> ns_list;  // offsetof(mnt_namespace, list)
  ListLayout mount_list;                 // entry = struct mount (mnt_list)
  std::optional<std::uint64_t> ns_tree;  // offsetof(mnt_namespace, mounts)
  RbTreeLayout mount_tree;               // entry = struct mount (mnt_node)
  std::uint64_t mnt_devname = 0;         // in struct mount
  std::uint64_t sb_type = 0;             // super_block.s_type
  std::uint64_t fs_type_name = 0;        // file_system_type.name

  static Result<MountLayout> resolve(const debuginfo::DebugInfo& debug);
};

struct MountEntry {
  std::uint64_t mount = 0;       // struct mount
  std::uint64_t superblock = 0;  // struct super_block
  std::string type;              // "ext4", "proc", …
  std::string devname;
  std::string dirname;
};

struct MountList {
  std::uint64_t mnt_namespace = 0;
  std::vector<MountEntry> mounts;  // in namespace order
  std::vector<Error> problems;
  bool partial() const { return !problems.empty(); }
};

// The mounts of `task`'s mount namespace (a task_struct address; nullopt: init_task).
Result<MountList> list_mounts(const VirtualMemory& memory, const KernelLayouts& layouts,
                              const CancellationToken& cancel,
                              std::optional<std::uint64_t> task = std::nullopt);

}  // namespace vmscope::kernel
