#include "kernel/vfs_path.h"

#include <algorithm>
#include <vector>

#include "support/hex.h"

namespace vmscope::kernel {
namespace {

constexpr std::size_t kMaxNameLength = 255;  // NAME_MAX

}  // namespace

Result<std::string> build_path(const PathGraph& graph, std::uint64_t dentry, std::uint64_t mount) {
  std::vector<std::string> components;  // leaf first
  VMSCOPE_TRY(MountLinks mnt, graph.mount(mount));
  for (std::size_t step = 0;; ++step) {
    if (step > kMaxPathComponents) {
      return Error(ErrorCode::kLoopDetected,
                   "path of dentry " + hex_u64(dentry) + " climbs more than " +
                       std::to_string(kMaxPathComponents) + " levels",
                   {.address = dentry});
    }
    VMSCOPE_TRY(DentryLinks links, graph.dentry(dentry));
    const bool is_root = links.parent == dentry;
    if (dentry == mnt.root) {
      if (mnt.parent == mount || mnt.parent == 0) break;  // the global root
      dentry = mnt.mountpoint;
      mount = mnt.parent;
      VMSCOPE_TRY(mnt, graph.mount(mount));
      continue;
    }
    if (is_root) {
      // Not reachable from this mount's root: a pseudo filesystem's dentry (pipe:[…],
      // socket:[…] names come from d_dname, which needs code, not data).
      components.push_back(links.name);
      std::string path;
      for (auto it = components.rbegin(); it != components.rend(); ++it) {
        if (!path.empty()) path += '/';
        path += *it;
      }
      return path;
    }
    components.push_back(std::move(links.name));
    dentry = links.parent;
  }
  if (components.empty()) return std::string("/");
  std::string path;
  for (auto it = components.rbegin(); it != components.rend(); ++it) path += "/" + *it;
  return path;
}

Result<VfsPathLayout> VfsPathLayout::resolve(const debuginfo::DebugInfo& debug) {
  VfsPathLayout l;
  VMSCOPE_TRY(FieldResolver dentry, FieldResolver::find(debug, "struct dentry"));
  VMSCOPE_TRY(Field d_parent, dentry.required("d_parent"));
  VMSCOPE_TRY(Field d_name, dentry.required("d_name.name"));
  l.d_parent = d_parent.offset;
  l.d_name_name = d_name.offset;
  VMSCOPE_TRY(FieldResolver mount, FieldResolver::find(debug, "struct mount"));
  VMSCOPE_TRY(Field parent, mount.required("mnt_parent"));
  VMSCOPE_TRY(Field mountpoint, mount.required("mnt_mountpoint"));
  VMSCOPE_TRY(Field mnt, mount.required("mnt"));
  VMSCOPE_TRY(Field root, mount.required("mnt.mnt_root"));
  VMSCOPE_TRY(FieldResolver vfsmount, FieldResolver::find(debug, "struct vfsmount"));
  VMSCOPE_TRY(Field sb, vfsmount.required("mnt_sb"));
  l.mnt_parent = parent.offset;
  l.mnt_mountpoint = mountpoint.offset;
  l.mount_mnt = mnt.offset;
  l.mnt_root = root.offset;
  l.vfsmount_sb = sb.offset;
  return l;
}

Result<DentryLinks> VfsPathGraph::dentry(std::uint64_t address) const {
  DentryLinks links;
  VMSCOPE_TRY(links.parent, memory_.read_u64(address + layout_.d_parent));
  VMSCOPE_TRY(std::uint64_t name, memory_.read_u64(address + layout_.d_name_name));
  VMSCOPE_TRY(links.name, memory_.read_c_string(name, kMaxNameLength));
  return links;
}

Result<MountLinks> VfsPathGraph::mount(std::uint64_t address) const {
  MountLinks links;
  VMSCOPE_TRY(links.parent, memory_.read_u64(address + layout_.mnt_parent));
  VMSCOPE_TRY(links.mountpoint, memory_.read_u64(address + layout_.mnt_mountpoint));
  VMSCOPE_TRY(links.root, memory_.read_u64(address + layout_.mnt_root));
  return links;
}

}  // namespace vmscope::kernel
