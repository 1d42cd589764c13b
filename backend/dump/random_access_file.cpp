#include "dump/random_access_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmscope {

Result<std::unique_ptr<PosixFile>> PosixFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    ErrorCode code = errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo;
    return Error(code, "cannot open " + path + ": " + std::strerror(errno), {.name = path});
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int saved = errno;
    ::close(fd);
    return Error(ErrorCode::kIo, "cannot stat " + path + ": " + std::strerror(saved),
                 {.name = path});
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Error(ErrorCode::kInvalidArgument, path + " is a directory", {.name = path});
  }
  // /proc/kcore and /proc/vmcore report their size through st_size too.
  return std::unique_ptr<PosixFile>(
      new PosixFile(fd, static_cast<std::uint64_t>(st.st_size), path));
}

PosixFile::~PosixFile() {
  ::close(fd_);
}

Status PosixFile::read_at(std::uint64_t offset, std::span<std::byte> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n =
        ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error(ErrorCode::kIo, "read of " + path_ + " failed: " + std::strerror(errno),
                   {.offset = offset + done, .name = path_});
    }
    if (n == 0) {
      return Error(ErrorCode::kTruncated,
                   path_ + " ends before offset " + std::to_string(offset + out.size()),
                   {.offset = offset + done, .name = path_});
    }
    done += static_cast<std::size_t>(n);
  }
  return ok_status();
}

}  // namespace vmscope
