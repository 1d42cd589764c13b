// A task's open files, as crash's `files <pid>` shows them: its root and working directory
// (task->fs), then each open descriptor of task->files->fdt: fd, struct file, dentry, inode,
// the inode's type (REG, DIR, CHR, BLK, FIFO, SOCK, LNK) and the file's path.
//
// The descriptor table is read in page-sized chunks up to fdt->max_fds, bounded by
// kMaxFileDescriptors; an unreadable chunk costs only its descriptors, and each file whose
// dentry, inode or path cannot be read is still listed, the reason in `problems`. The inode
// is dentry->d_inode, as crash shows it (file->f_inode is kept too).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "kernel/kernel_layouts.h"
#include "kernel/vfs_path.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

// More than any real process has open (sysctl nr_open defaults to 1 << 20).
inline constexpr std::uint64_t kMaxFileDescriptors = std::uint64_t{1} << 20;

struct OpenFilesLayout {
  VfsPathLayout path;
  std::uint64_t task_files = 0, task_fs = 0;
  std::uint64_t files_fdt = 0;                  // files_struct.fdt
  std::uint64_t fdt_max_fds = 0, fdt_fd = 0;    // fdtable
  std::uint64_t fs_root = 0, fs_pwd = 0;        // fs_struct (struct path)
  std::uint64_t path_mnt = 0, path_dentry = 0;  // struct path
  std::uint64_t file_path = 0, file_inode = 0;  // struct file: f_path, f_inode
  std::uint64_t dentry_inode = 0;               // dentry.d_inode
  std::uint64_t inode_mode = 0;                 // inode.i_mode
  std::uint32_t inode_mode_size = 2;

  static Result<OpenFilesLayout> resolve(const debuginfo::DebugInfo& debug);
};

// "REG", "DIR", "CHR", "BLK", "FIFO", "SOCK", "LNK", or "UNKN" for other S_IFMT values.
std::string inode_type_name(std::uint32_t mode);

struct OpenFile {
  std::uint32_t fd = 0;
  std::uint64_t file = 0;
  std::uint64_t dentry = 0;
  std::uint64_t inode = 0;    // dentry->d_inode
  std::uint64_t f_inode = 0;  // file->f_inode
  std::uint32_t mode = 0;     // inode->i_mode
  std::string type;
  std::string path;
};

struct OpenFiles {
  std::uint64_t task = 0;
  std::string root, cwd;
  std::uint64_t files_struct = 0;
  std::uint64_t max_fds = 0;
  std::vector<OpenFile> files;  // by fd
  std::vector<Error> problems;
  bool partial() const { return !problems.empty(); }
};

// The open files of the task_struct at `task`. A task without files (an exited task, a
// kernel thread that dropped them) is an empty list, not an error.
Result<OpenFiles> list_open_files(const VirtualMemory& memory, const KernelLayouts& layouts,
                                  std::uint64_t task, const CancellationToken& cancel);

}  // namespace vmscope::kernel
