#include "debuginfo/index_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "debuginfo/elf_file.h"
#include "support/hex.h"

namespace vmscope::debuginfo {
namespace {

// A cache file bigger than this is not an index of ours (the 6.1 vmlinux's is ~6 MB).
constexpr std::uint64_t kMaxCacheFileSize = std::uint64_t{1} << 30;

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

Error io_error(const std::string& what, const std::string& path, int err) {
  return Error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(err),
               ErrorPayload{.name = path});
}

// Closes a file descriptor on every path out of a function.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

Status write_all(int fd, const std::uint8_t* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path, errno);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return ok_status();
}

}  // namespace

std::optional<std::string> default_index_cache_directory() {
  if (auto cache = env("VMSCOPE_CACHE")) return *cache + "/index";
  if (::access("/var/cache/vmscope", W_OK) == 0) return std::string("/var/cache/vmscope/index");
  if (auto xdg = env("XDG_CACHE_HOME")) return *xdg + "/vmscope/index";
  if (auto home = env("HOME")) return *home + "/.cache/vmscope/index";
  return std::nullopt;
}

std::string IndexCache::path_for(const SourceIdentity& source) const {
  return directory_ + "/" + hex_bytes(source.build_id) + ".vmsidx";
}

Result<std::shared_ptr<const DwarfIndex>> IndexCache::load(const SourceIdentity& expected) const {
  const std::string path = path_for(expected);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) {
      return Error(ErrorCode::kNotFound, "no cached index " + path, ErrorPayload{.name = path});
    }
    return io_error("cannot open", path, err);
  }
  FdCloser closer{fd};
  struct stat st {};
  if (fstat(fd, &st) != 0) return io_error("cannot stat", path, errno);
  if (static_cast<std::uint64_t>(st.st_size) > kMaxCacheFileSize) {
    return Error(ErrorCode::kCorrupt, path + " is too large to be an index");
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot read", path, errno);
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  auto index = DwarfIndex::from_bytes(std::move(bytes));
  if (!index.ok()) return index.error().with_context(path);
  const SourceIdentity& found = (*index)->source();
  if (found.build_id != expected.build_id || found.file_size != expected.file_size ||
      found.mtime_ns != expected.mtime_ns) {
    return Error(ErrorCode::kInvalidArgument,
                 path + " was built from another file (build-id, size or mtime differ)",
                 ErrorPayload{.name = path});
  }
  return index;
}

Status IndexCache::store(const DwarfIndex& index) const {
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  if (ec) {
    return Error(ErrorCode::kIo, "cannot create " + directory_ + ": " + ec.message(),
                 ErrorPayload{.name = directory_});
  }
  const std::string path = path_for(index.source());
  // mkstemp makes a unique name atomically, so concurrent writers each rename a complete file.
  std::string temp = path + ".tmp.XXXXXX";
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return io_error("cannot create a temporary file for", path, errno);
  ::fchmod(fd, 0644);
  Status written = [&]() -> Status {
    FdCloser closer{fd};
    auto bytes = index.bytes();
    VMSCOPE_CHECK(write_all(fd, bytes.data(), bytes.size(), temp));
    if (::fsync(fd) != 0) return io_error("cannot sync", temp, errno);
    return ok_status();
  }();
  if (written.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    written = io_error("cannot rename into", path, errno);
  }
  if (!written.ok()) ::unlink(temp.c_str());
  return written;
}

Result<std::shared_ptr<const DwarfIndex>> load_or_build_dwarf_index(const std::string& elf_path,
                                                                    const SourceIdentity& identity,
                                                                    const IndexOpenOptions& options,
                                                                    IndexLoadReport* report) {
  const auto start = std::chrono::steady_clock::now();
  IndexLoadReport local;
  IndexLoadReport& r = report ? *report : local;
  r = IndexLoadReport{};
  auto finish = [&] {
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  std::optional<IndexCache> cache;
  if (!options.cache.enabled) {
    r.cache_note = "caching disabled";
  } else if (identity.build_id.empty()) {
    r.cache_note = "the file has no build-id; not cached";
  } else if (auto dir = options.cache.directory ? options.cache.directory
                                                : default_index_cache_directory()) {
    cache.emplace(*dir);
    r.cache_path = cache->path_for(identity);
  } else {
    r.cache_note = "no cache directory (set VMSCOPE_CACHE)";
  }

  if (cache) {
    auto cached = cache->load(identity);
    if (cached.ok()) {
      r.from_cache = true;
      finish();
      return cached;
    }
    if (cached.error().code() != ErrorCode::kNotFound) {
      r.cache_note = "ignored cache entry: " + cached.error().to_string();
    }
  }

  VMSCOPE_TRY(auto index, build_dwarf_index(elf_path, options.build, &r.build));
  // The cache key must describe the file the index was read from; if the file changed between
  // the caller's look and the build, do not store an index under the old identity.
  if (cache && index->source() == identity) {
    Status stored = cache->store(*index);
    if (!stored.ok()) {
      r.cache_note +=
          (r.cache_note.empty() ? "" : "; ") + ("not stored: " + stored.error().to_string());
    }
  } else if (cache) {
    r.cache_note += (r.cache_note.empty() ? "" : "; ") +
                    std::string("the file changed while it was indexed; not stored");
  }
  finish();
  return index;
}

}  // namespace vmscope::debuginfo
