#include "server/session_registry.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace vmscope::server {
namespace {

Result<std::string> canonical(const std::string& path) {
  if (path.empty()) return Error(ErrorCode::kInvalidArgument, "empty path");
  char resolved[PATH_MAX];
  if (!::realpath(path.c_str(), resolved)) {
    ErrorCode code = errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo;
    return Error(code, "cannot resolve " + path + ": " + std::strerror(errno), {.name = path});
  }
  return std::string(resolved);
}

bool inside(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

}  // namespace

SessionRegistry::SessionRegistry(Options options) : options_(std::move(options)) {
  // Compare against canonical directories; a directory that does not resolve allows nothing.
  std::vector<std::string> dirs;
  for (const auto& dir : options_.allowed_dirs) {
    if (auto c = canonical(dir); c.ok()) dirs.push_back(*c);
  }
  options_.allowed_dirs = std::move(dirs);
}

Result<std::string> SessionRegistry::check_path(const std::string& path) const {
  VMSCOPE_TRY(std::string resolved, canonical(path));
  if (options_.allow_any_path) return resolved;
  for (const auto& dir : options_.allowed_dirs) {
    if (inside(resolved, dir)) return resolved;
  }
  return Error(ErrorCode::kPermissionDenied,
               path +
                   " is not inside a directory this server may open dumps from "
                   "(vmscope serve --allow-dir)",
               {.name = path});
}

Result<std::string> SessionRegistry::check_debug_path(const std::string& path) const {
  VMSCOPE_TRY(std::string resolved, canonical(path));
  if (options_.allow_any_path) return resolved;
  std::vector<std::string> dirs = options_.allowed_dirs;
  if (auto dir = canonical(options_.default_debug_dir); dir.ok()) dirs.push_back(*dir);
  for (const auto& dir : dirs) {
    if (resolved == dir || inside(resolved, dir)) return resolved;
  }
  return Error(ErrorCode::kPermissionDenied,
               path +
                   " is not inside a directory this server may read debug files from "
                   "(vmscope serve --allow-dir or --debug-dir)",
               {.name = path});
}

Result<OpenDump> SessionRegistry::open(const DumpOpenRequest& request) {
  VMSCOPE_TRY(std::string core, check_path(request.core));
  std::string vmlinux;
  if (!request.vmlinux.empty()) {
    VMSCOPE_TRY(vmlinux, check_debug_path(request.vmlinux));
  }
  std::string debug_dir = options_.default_debug_dir;
  if (!request.debug_dir.empty()) {
    VMSCOPE_TRY(debug_dir, check_debug_path(request.debug_dir));
  }
  auto same = [&](const OpenDump& dump) {
    return dump.core_path == core && (vmlinux.empty() || dump.vmlinux_path == vmlinux);
  };
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, dump] : open_) {
      if (same(dump)) return dump;
    }
    if (open_.size() >= options_.max_open) {
      return Error(ErrorCode::kLimitExceeded, "too many open dumps (" +
                                                  std::to_string(options_.max_open) +
                                                  "); close one with dump/close");
    }
  }
  VMSCOPE_TRY(std::unique_ptr<KernelTarget> target,
              KernelTarget::open({.core = core,
                                  .vmlinux = vmlinux,
                                  .debug_dir = debug_dir,
                                  .index = options_.index,
                                  .progress = request.progress}));
  const debuginfo::DebugInfo* debug = target->program().debug_info();
  std::string used_vmlinux = debug ? debug->elf().path() : std::string();

  std::lock_guard lock(mutex_);
  for (const auto& [id, dump] : open_) {
    if (same(dump)) return dump;  // a concurrent open finished first
  }
  OpenDump dump{"dump-" + std::to_string(next_id_++), core, used_vmlinux,
                std::chrono::system_clock::now(),
                std::shared_ptr<const KernelTarget>(std::move(target))};
  open_.emplace(dump.id, dump);
  return dump;
}

Result<OpenDump> SessionRegistry::get(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = open_.find(id);
  if (it == open_.end()) {
    return Error(ErrorCode::kNotFound, "no open dump with id " + id, {.name = id});
  }
  return it->second;
}

Status SessionRegistry::close(const std::string& id) {
  std::lock_guard lock(mutex_);
  if (open_.erase(id) == 0) {
    return Error(ErrorCode::kNotFound, "no open dump with id " + id, {.name = id});
  }
  return ok_status();
}

std::vector<OpenDump> SessionRegistry::list() const {
  std::lock_guard lock(mutex_);
  std::vector<OpenDump> out;
  for (const auto& [id, dump] : open_) out.push_back(dump);
  return out;
}

}  // namespace vmscope::server
