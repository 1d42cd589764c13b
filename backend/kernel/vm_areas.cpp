#include "kernel/vm_areas.h"

#include "program/name_lookup.h"
#include "program/walk.h"
#include "support/hex.h"

namespace vmscope::kernel {
namespace {

constexpr std::size_t kMaxAreas = std::size_t{1} << 20;  // beyond vm.max_map_count's 65530

}  // namespace

Result<VmAreaLayout> VmAreaLayout::resolve(const debuginfo::DebugInfo& debug) {
  VmAreaLayout l;
  const DebugInfoLookup names(debug);
  VMSCOPE_TRY(l.path, VfsPathLayout::resolve(debug));
  VMSCOPE_TRY(l.task_mm, member_offset(names, "struct task_struct", "mm"));
  VMSCOPE_TRY(FieldResolver mm, FieldResolver::find(debug, "struct mm_struct"));
  VMSCOPE_TRY(Field pgd, mm.required("pgd"));
  l.mm_pgd = pgd.offset;
  if (Field mt = mm.optional("mm_mt"); mt.present()) {
    l.mm_mt = mt.offset;
    VMSCOPE_TRY(l.maple, maple_tree_layout(names));
  } else {
    VMSCOPE_TRY(Field mmap, mm.required("mmap"));
    l.mm_mmap = mmap.offset;
    VMSCOPE_TRY(l.vm_next, member_offset(names, "struct vm_area_struct", "vm_next"));
  }
  VMSCOPE_TRY(l.vm_start, member_offset(names, "struct vm_area_struct", "vm_start"));
  VMSCOPE_TRY(l.vm_end, member_offset(names, "struct vm_area_struct", "vm_end"));
  VMSCOPE_TRY(l.vm_flags, member_offset(names, "struct vm_area_struct", "vm_flags"));
  VMSCOPE_TRY(l.vm_file, member_offset(names, "struct vm_area_struct", "vm_file"));
  VMSCOPE_TRY(l.file_path, member_offset(names, "struct file", "f_path"));
  VMSCOPE_TRY(l.path_mnt, member_offset(names, "struct path", "mnt"));
  VMSCOPE_TRY(l.path_dentry, member_offset(names, "struct path", "dentry"));
  return l;
}

Result<VmAreas> list_vm_areas(const VirtualMemory& memory, const KernelLayouts& layouts,
                              std::uint64_t task, const CancellationToken& cancel) {
  VMSCOPE_TRY(VmAreaLayout l, VmAreaLayout::resolve(layouts.debug()));
  VMSCOPE_CHECK(cancel.check());
  VmAreas out{.task = task};
  VMSCOPE_TRY(out.mm, memory.read_u64(task + l.task_mm));
  if (out.mm == 0) return out;
  VMSCOPE_TRY(out.pgd, memory.read_u64(out.mm + l.mm_pgd));

  std::vector<std::uint64_t> vmas;
  if (l.mm_mt) {
    WalkOptions options{.cancel = cancel};
    options.max_entries = kMaxAreas;
    auto walk = walk_maple_tree(memory, out.mm + *l.mm_mt, l.maple, options);
    if (walk.error && walk.error->code() == ErrorCode::kCancelled) return *walk.error;
    if (walk.error) {
      out.problems.push_back(walk.error->with_context("walking the VMAs of mm " + hex_u64(out.mm)));
    }
    for (const MapleEntry& e : walk.entries) vmas.push_back(e.entry);
  } else {
    VisitedNodes seen;
    auto vma = memory.read_u64(out.mm + *l.mm_mmap);
    while (vma.ok() && *vma != 0) {
      VMSCOPE_CHECK(cancel.check());
      if (!seen.insert(*vma)) {
        out.problems.push_back(loop_detected("vm_next chain", *vma));
        break;
      }
      if (vmas.size() >= kMaxAreas) {
        out.problems.push_back(limit_exceeded("vm_next chain", kMaxAreas));
        break;
      }
      vmas.push_back(*vma);
      vma = memory.read_u64(*vma + l.vm_next);
    }
    if (!vma.ok()) out.problems.push_back(vma.error().with_context("walking mm->mmap"));
  }

  const VfsPathGraph graph(memory, l.path);
  for (std::uint64_t vma : vmas) {
    VMSCOPE_CHECK(cancel.check());
    VmArea area{.vma = vma};
    auto start = memory.read_u64(vma + l.vm_start);
    auto end = memory.read_u64(vma + l.vm_end);
    auto flags = memory.read_u64(vma + l.vm_flags);
    auto file = memory.read_u64(vma + l.vm_file);
    if (!start.ok() || !end.ok() || !flags.ok() || !file.ok()) {
      const Error& e = !start.ok()   ? start.error()
                       : !end.ok()   ? end.error()
                       : !flags.ok() ? flags.error()
                                     : file.error();
      out.problems.push_back(e.with_context("reading VMA " + hex_u64(vma)));
      out.areas.push_back(area);
      continue;
    }
    area.start = *start;
    area.end = *end;
    area.flags = *flags;
    area.file = *file;
    if (area.file != 0) {
      auto mnt = memory.read_u64(area.file + l.file_path + l.path_mnt);
      auto dentry = memory.read_u64(area.file + l.file_path + l.path_dentry);
      auto path = mnt.ok() && dentry.ok()
                      ? build_path(graph, *dentry, *mnt - l.path.mount_mnt)
                      : Result<std::string>(mnt.ok() ? dentry.error() : mnt.error());
      if (path.ok()) {
        area.path = *path;
      } else {
        out.problems.push_back(
            path.error().with_context("building the path of VMA " + hex_u64(vma)));
      }
    }
    out.areas.push_back(std::move(area));
  }
  return out;
}

}  // namespace vmscope::kernel
