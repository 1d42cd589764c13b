#include "kernel/mounts.h"

#include "program/name_lookup.h"
#include "support/hex.h"

namespace vmscope::kernel {
namespace {

constexpr std::size_t kMaxMounts = std::size_t{1} << 20;
constexpr std::size_t kMaxNameLength = 4096;  // PATH_MAX: device names are user strings

}  // namespace

Result<MountLayout> MountLayout::resolve(const debuginfo::DebugInfo& debug) {
  MountLayout l;
  const DebugInfoLookup names(debug);
  VMSCOPE_TRY(l.path, VfsPathLayout::resolve(debug));
  VMSCOPE_TRY(debuginfo::Variable init_task, debug.find_variable("init_task"));
  l.init_task = init_task.address;
  VMSCOPE_TRY(l.task_nsproxy, member_offset(names, "struct task_struct", "nsproxy"));
  VMSCOPE_TRY(l.nsproxy_mnt_ns, member_offset(names, "struct nsproxy", "mnt_ns"));
  VMSCOPE_TRY(FieldResolver ns, FieldResolver::find(debug, "struct mnt_namespace"));
  if (Field list = ns.optional("list"); list.present()) {
    l.ns_list = list.offset;
    VMSCOPE_TRY(l.mount_list, list_layout(names, "struct mount", "mnt_list"));
  } else {
    VMSCOPE_TRY(Field mounts, ns.required("mounts"));
    l.ns_tree = mounts.offset;
    VMSCOPE_TRY(l.mount_tree, rbtree_layout(names, "struct mount", "mnt_node"));
  }
  VMSCOPE_TRY(l.mnt_devname, member_offset(names, "struct mount", "mnt_devname"));
  VMSCOPE_TRY(l.sb_type, member_offset(names, "struct super_block", "s_type"));
  VMSCOPE_TRY(l.fs_type_name, member_offset(names, "struct file_system_type", "name"));
  return l;
}

Result<MountList> list_mounts(const VirtualMemory& memory, const KernelLayouts& layouts,
                              const CancellationToken& cancel, std::optional<std::uint64_t> task) {
  VMSCOPE_TRY(MountLayout l, MountLayout::resolve(layouts.debug()));
  VMSCOPE_CHECK(cancel.check());
  const std::uint64_t owner = task.value_or(l.init_task);
  VMSCOPE_TRY(std::uint64_t nsproxy, memory.read_u64(owner + l.task_nsproxy));
  if (nsproxy == 0) {
    return Error(ErrorCode::kNotFound, "task " + hex_u64(owner) + " has no nsproxy (it has exited)",
                 {.address = owner});
  }
  MountList out;
  VMSCOPE_TRY(out.mnt_namespace, memory.read_u64(nsproxy + l.nsproxy_mnt_ns));

  WalkOptions options{.cancel = cancel};
  options.max_entries = kMaxMounts;
  WalkResult<std::uint64_t> walk =
      l.ns_list ? walk_list(memory, out.mnt_namespace + *l.ns_list, l.mount_list, options)
                : walk_rbtree(memory, out.mnt_namespace + *l.ns_tree, l.mount_tree, options);
  if (walk.error && walk.error->code() == ErrorCode::kCancelled) return *walk.error;
  if (walk.error) {
    out.problems.push_back(
        walk.error->with_context("walking the mounts of namespace " + hex_u64(out.mnt_namespace)));
  }

  const VfsPathGraph graph(memory, l.path);
  for (std::uint64_t mount : walk.entries) {
    VMSCOPE_CHECK(cancel.check());
    MountEntry entry{.mount = mount};
    auto note = [&](const Error& e, const char* what) {
      out.problems.push_back(
          e.with_context(std::string("reading the ") + what + " of mount " + hex_u64(mount)));
    };
    if (auto sb = memory.read_u64(mount + l.path.mount_mnt + l.path.vfsmount_sb); sb.ok()) {
      entry.superblock = *sb;
      auto type = memory.read_u64(*sb + l.sb_type);
      auto name = type.ok() ? memory.read_u64(*type + l.fs_type_name) : type;
      auto text = name.ok() ? memory.read_c_string(*name, kMaxNameLength)
                            : Result<std::string>(name.error());
      if (text.ok()) {
        entry.type = *text;
      } else {
        note(text.error(), "filesystem type");
      }
    } else {
      note(sb.error(), "super block");
    }
    auto devname = memory.read_u64(mount + l.mnt_devname);
    auto dev_text = devname.ok() ? memory.read_c_string(*devname, kMaxNameLength)
                                 : Result<std::string>(devname.error());
    if (dev_text.ok()) {
      entry.devname = *dev_text;
    } else {
      note(dev_text.error(), "device name");
    }
    auto mountpoint = graph.mount(mount);
    auto dirname = mountpoint.ok() ? build_path(graph, mountpoint->mountpoint, mountpoint->parent)
                                   : Result<std::string>(mountpoint.error());
    if (dirname.ok()) {
      entry.dirname = *dirname;
    } else {
      note(dirname.error(), "mount point path");
    }
    out.mounts.push_back(std::move(entry));
  }
  return out;
}

}  // namespace vmscope::kernel
