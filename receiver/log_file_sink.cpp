#include "receiver/log_file_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "receiver/text_escape.h"

namespace vmscope {
namespace {

constexpr std::size_t kMaxHostName = 64;

bool valid_host(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostName || host == "." || host == "..") return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == ':' || c == '%' || c == '_' || c == '-';
  });
}

std::string_view file_name(LogKind kind) {
  switch (kind) {
    case LogKind::kNetconsole: return "netconsole.log";
    case LogKind::kSyslog: return "syslog.log";
  }
  return "unknown.log";
}

Error io_error(const std::string& what, const std::filesystem::path& path, int error) {
  return Error(ErrorCode::kIo, what + " " + path.string() + ": " + std::strerror(error),
               ErrorPayload{.name = path.string()});
}

}  // namespace

LogFileSink::LogFileSink(std::filesystem::path dump_dir, std::size_t max_open_files)
    : dump_dir_(std::move(dump_dir)), max_open_files_(std::max<std::size_t>(max_open_files, 1)) {}

LogFileSink::~LogFileSink() {
  while (!open_.empty()) close_file(open_.begin());
}

Result<std::filesystem::path> LogFileSink::path_for(std::string_view host, LogKind kind) const {
  if (!valid_host(host)) {
    return Error(ErrorCode::kInvalidArgument,
                 "not a host address: \"" + log_line_escape(host.substr(0, kMaxHostName)) + "\"");
  }
  return dump_dir_ / "logs" / std::string(host) / std::string(file_name(kind));
}

void LogFileSink::close_file(std::unordered_map<std::string, OpenFile>::iterator it) {
  ::close(it->second.fd);
  lru_.erase(it->second.lru);
  open_.erase(it);
}

Result<int> LogFileSink::descriptor(std::string_view host, LogKind kind) {
  VMSCOPE_TRY(std::filesystem::path path, path_for(host, kind));
  auto found = open_.find(path.string());
  if (found != open_.end()) {
    lru_.splice(lru_.begin(), lru_, found->second.lru);
    return found->second.fd;
  }
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return io_error("cannot create", path.parent_path(), ec.value());
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) return io_error("cannot open", path, errno);
  if (open_.size() >= max_open_files_) close_file(open_.find(lru_.back()));
  lru_.push_front(path.string());
  open_[path.string()] = OpenFile{fd, lru_.begin()};
  return fd;
}

Status LogFileSink::append(std::string_view host, LogKind kind, std::string_view line) {
  VMSCOPE_TRY(int fd, descriptor(host, kind));
  std::string record = log_line_escape(line);
  record.push_back('\n');
  std::string_view rest = record;
  // A regular file takes the whole write at once; the loop covers signals and short writes.
  for (int attempts = 0; !rest.empty() && attempts < 64; ++attempts) {
    ssize_t written = ::write(fd, rest.data(), rest.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      int error = errno;
      auto path = path_for(host, kind);
      close_file(open_.find(path->string()));
      return io_error("cannot append to", *path, error);
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  if (!rest.empty()) return Error(ErrorCode::kIo, "log write made no progress");
  return ok_status();
}

}  // namespace vmscope
