#include "kernel/open_files.h"

#include <algorithm>
#include <cstring>

#include "program/name_lookup.h"
#include "program/walk.h"
#include "support/hex.h"

namespace vmscope::kernel {
namespace {

constexpr std::uint64_t kChunkEntries = 512;  // one page of file pointers

}  // namespace

std::string inode_type_name(std::uint32_t mode) {
  switch (mode & 0170000) {
    case 0100000: return "REG";
    case 0040000: return "DIR";
    case 0020000: return "CHR";
    case 0060000: return "BLK";
    case 0010000: return "FIFO";
    case 0140000: return "SOCK";
    case 0120000: return "LNK";
    default: return "UNKN";
  }
}

Result<OpenFilesLayout> OpenFilesLayout::resolve(const debuginfo::DebugInfo& debug) {
  OpenFilesLayout l;
  const DebugInfoLookup names(debug);
  VMSCOPE_TRY(l.path, VfsPathLayout::resolve(debug));
  VMSCOPE_TRY(l.task_files, member_offset(names, "struct task_struct", "files"));
  VMSCOPE_TRY(l.task_fs, member_offset(names, "struct task_struct", "fs"));
  VMSCOPE_TRY(l.files_fdt, member_offset(names, "struct files_struct", "fdt"));
  VMSCOPE_TRY(l.fdt_max_fds, member_offset(names, "struct fdtable", "max_fds"));
  VMSCOPE_TRY(l.fdt_fd, member_offset(names, "struct fdtable", "fd"));
  VMSCOPE_TRY(l.fs_root, member_offset(names, "struct fs_struct", "root"));
  VMSCOPE_TRY(l.fs_pwd, member_offset(names, "struct fs_struct", "pwd"));
  VMSCOPE_TRY(l.path_mnt, member_offset(names, "struct path", "mnt"));
  VMSCOPE_TRY(l.path_dentry, member_offset(names, "struct path", "dentry"));
  VMSCOPE_TRY(l.file_path, member_offset(names, "struct file", "f_path"));
  VMSCOPE_TRY(l.file_inode, member_offset(names, "struct file", "f_inode"));
  VMSCOPE_TRY(l.dentry_inode, member_offset(names, "struct dentry", "d_inode"));
  VMSCOPE_TRY(FieldResolver inode, FieldResolver::find(debug, "struct inode"));
  VMSCOPE_TRY(Field mode, inode.required("i_mode"));
  l.inode_mode = mode.offset;
  l.inode_mode_size = mode.size;
  return l;
}

namespace {

class FilesReader {
 public:
  FilesReader(const VirtualMemory& memory, const OpenFilesLayout& layout, OpenFiles& out)
      : memory_(memory), layout_(layout), graph_(memory, layout.path), out_(out) {}

  void problem(const Error& error, const std::string& context) {
    out_.problems.push_back(error.with_context(context));
  }

  // The path of a struct path at `address` (its mnt is a vfsmount inside a struct mount).
  Result<std::string> path_at(std::uint64_t address) {
    VMSCOPE_TRY(std::uint64_t mnt, memory_.read_u64(address + layout_.path_mnt));
    VMSCOPE_TRY(std::uint64_t dentry, memory_.read_u64(address + layout_.path_dentry));
    if (mnt == 0 || dentry == 0) {
      return Error(ErrorCode::kCorrupt, "struct path at " + hex_u64(address) + " is empty",
                   {.address = address});
    }
    return build_path(graph_, dentry, mnt - layout_.path.mount_mnt);
  }

  OpenFile read_file(std::uint32_t fd, std::uint64_t file) {
    OpenFile f{.fd = fd, .file = file};
    const std::string what = "fd " + std::to_string(fd) + " (file " + hex_u64(file) + ")";
    if (auto dentry = memory_.read_u64(file + layout_.file_path + layout_.path_dentry);
        dentry.ok()) {
      f.dentry = *dentry;
    } else {
      problem(dentry.error(), "reading the dentry of " + what);
    }
    if (auto inode = memory_.read_u64(file + layout_.file_inode); inode.ok()) f.f_inode = *inode;
    f.inode = f.f_inode;
    if (f.dentry != 0) {
      if (auto inode = memory_.read_u64(f.dentry + layout_.dentry_inode); inode.ok()) {
        f.inode = *inode;
      } else {
        problem(inode.error(), "reading the inode of " + what);
      }
    }
    if (f.inode != 0) {
      std::uint64_t mode = 0;
      auto status = memory_.read(f.inode + layout_.inode_mode,
                                 std::as_writable_bytes(std::span(&mode, 1))
                                     .first(std::min<std::uint32_t>(layout_.inode_mode_size, 8)));
      if (status.ok()) {
        f.mode = static_cast<std::uint32_t>(mode);
        f.type = inode_type_name(f.mode);
      } else {
        problem(status.error(), "reading the mode of " + what);
      }
    }
    if (auto path = path_at(file + layout_.file_path); path.ok()) {
      f.path = *path;
    } else {
      problem(path.error(), "building the path of " + what);
    }
    return f;
  }

 private:
  const VirtualMemory& memory_;
  const OpenFilesLayout& layout_;
  VfsPathGraph graph_;
  OpenFiles& out_;
};

}  // namespace

Result<OpenFiles> list_open_files(const VirtualMemory& memory, const KernelLayouts& layouts,
                                  std::uint64_t task, const CancellationToken& cancel) {
  VMSCOPE_TRY(OpenFilesLayout l, OpenFilesLayout::resolve(layouts.debug()));
  VMSCOPE_CHECK(cancel.check());
  OpenFiles out{.task = task};
  FilesReader reader(memory, l, out);

  VMSCOPE_TRY(std::uint64_t fs, memory.read_u64(task + l.task_fs));
  if (fs != 0) {
    if (auto root = reader.path_at(fs + l.fs_root); root.ok()) {
      out.root = *root;
    } else {
      reader.problem(root.error(), "building the root directory's path");
    }
    if (auto cwd = reader.path_at(fs + l.fs_pwd); cwd.ok()) {
      out.cwd = *cwd;
    } else {
      reader.problem(cwd.error(), "building the working directory's path");
    }
  }

  VMSCOPE_TRY(out.files_struct, memory.read_u64(task + l.task_files));
  if (out.files_struct == 0) return out;
  VMSCOPE_TRY(std::uint64_t fdt, memory.read_u64(out.files_struct + l.files_fdt));
  VMSCOPE_TRY(std::uint32_t max_fds, memory.read_u32(fdt + l.fdt_max_fds));
  VMSCOPE_TRY(std::uint64_t fd_array, memory.read_u64(fdt + l.fdt_fd));
  out.max_fds = max_fds;
  std::uint64_t count = max_fds;
  if (count > kMaxFileDescriptors) {
    out.problems.push_back(Error(ErrorCode::kLimitExceeded,
                                 "fdtable " + hex_u64(fdt) + " claims " + std::to_string(max_fds) +
                                     " descriptors; reading the first " +
                                     std::to_string(kMaxFileDescriptors),
                                 {.address = fdt}));
    count = kMaxFileDescriptors;
  }
  std::vector<std::uint64_t> chunk;
  for (std::uint64_t first = 0; first < count; first += kChunkEntries) {
    VMSCOPE_CHECK(cancel.check());
    const std::uint64_t n = std::min(kChunkEntries, count - first);
    chunk.assign(n, 0);
    const std::uint64_t at = fd_array + first * 8;
    if (auto status = memory.read(at, std::as_writable_bytes(std::span(chunk))); !status.ok()) {
      reader.problem(status.error(), "reading descriptors " + std::to_string(first) + ".." +
                                         std::to_string(first + n - 1));
      continue;
    }
    for (std::uint64_t i = 0; i < n; ++i) {
      if (chunk[i] == 0) continue;
      out.files.push_back(reader.read_file(static_cast<std::uint32_t>(first + i), chunk[i]));
    }
  }
  return out;
}

}  // namespace vmscope::kernel
