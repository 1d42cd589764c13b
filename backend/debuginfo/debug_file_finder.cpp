#include "debuginfo/debug_file_finder.h"

#include <algorithm>
#include <filesystem>

#include "debuginfo/elf_file.h"
#include "support/hex.h"

namespace fs = std::filesystem;

namespace vmscope::debuginfo {
namespace {

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);  // follows symlinks
}

// The module name of a debug file name, or nullopt if it is not a module file.
std::optional<std::string> module_file_stem(std::string_view file_name) {
  for (std::string_view suffix : {".ko.debug", ".ko"}) {
    if (file_name.size() > suffix.size() && file_name.ends_with(suffix)) {
      return std::string(file_name.substr(0, file_name.size() - suffix.size()));
    }
  }
  return std::nullopt;
}

bool build_id_matches(const std::string& path, std::span<const std::uint8_t> build_id) {
  auto found = read_build_id(path);
  return found.ok() && found->size() == build_id.size() &&
         std::equal(found->begin(), found->end(), build_id.begin());
}

}  // namespace

DebugFileFinder::DebugFileFinder(std::string debug_dir) : root_(std::move(debug_dir)) {
  // Accept the root of an extracted package as well as its usr/lib/debug.
  if (!is_dir(fs::path(root_) / "lib/modules") && !is_dir(fs::path(root_) / ".build-id") &&
      is_dir(fs::path(root_) / "usr/lib/debug")) {
    root_ = (fs::path(root_) / "usr/lib/debug").string();
  }
}

std::string DebugFileFinder::normalize_module_name(std::string_view name) {
  auto slash = name.rfind('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string result = module_file_stem(name).value_or(std::string(name));
  for (char& c : result) {
    if (c == '-') c = '_';
  }
  return result;
}

std::optional<std::string> DebugFileFinder::by_build_id_link(
    std::span<const std::uint8_t> build_id) const {
  if (build_id.size() < 2) return std::nullopt;
  std::string hex = hex_bytes(build_id);
  fs::path link = fs::path(root_) / ".build-id" / hex.substr(0, 2) / (hex.substr(2) + ".debug");
  if (!is_file(link) || !build_id_matches(link.string(), build_id)) return std::nullopt;
  return link.string();
}

void DebugFileFinder::scan_modules_locked() const {
  if (scanned_) return;
  scanned_ = true;
  fs::path modules = fs::path(root_) / "lib/modules";
  std::error_code ec;
  for (fs::directory_iterator release(modules, ec), end; !ec && release != end;
       release.increment(ec)) {
    if (!release->is_directory(ec)) continue;
    std::string kernel_release = release->path().filename().string();
    for (fs::recursive_directory_iterator it(release->path(), ec), stop; !ec && it != stop;
         it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      auto stem = module_file_stem(it->path().filename().string());
      if (!stem) continue;
      modules_by_name_.emplace(normalize_module_name(*stem),
                               ModuleFile{it->path().string(), kernel_release});
    }
  }
}

Result<std::string> DebugFileFinder::find_module(std::string_view name,
                                                 std::span<const std::uint8_t> build_id,
                                                 std::string_view kernel_release) const {
  const std::string wanted = normalize_module_name(name);
  if (auto linked = by_build_id_link(build_id)) return *linked;

  std::lock_guard lock(mutex_);
  scan_modules_locked();
  std::vector<const ModuleFile*> candidates;
  auto [first, last] = modules_by_name_.equal_range(wanted);
  for (auto it = first; it != last; ++it) {
    if (kernel_release.empty() || it->second.kernel_release == kernel_release) {
      candidates.push_back(&it->second);
    }
  }
  const std::string where = root_ + "/lib/modules/" +
                            (kernel_release.empty() ? "*" : std::string(kernel_release)) + "/**/" +
                            wanted + ".ko (also " + wanted + ".ko.debug, '-' for '_')";
  if (build_id.empty()) {
    if (!candidates.empty()) return candidates.front()->path;
    return Error(ErrorCode::kNotFound, "no debug file for module " + wanted + ": tried " + where,
                 ErrorPayload{.name = wanted});
  }
  for (const ModuleFile* candidate : candidates) {
    if (build_id_matches(candidate->path, build_id)) return candidate->path;
  }
  // A renamed file: read every module's build-id once.
  if (!build_ids_read_) {
    build_ids_read_ = true;
    for (const auto& [module_name, file] : modules_by_name_) {
      auto id = read_build_id(file.path);
      if (id.ok() && !id->empty()) modules_by_build_id_.emplace(*id, file.path);
    }
  }
  std::vector<std::uint8_t> key(build_id.begin(), build_id.end());
  if (auto it = modules_by_build_id_.find(key); it != modules_by_build_id_.end()) {
    return it->second;
  }
  const std::string hex = hex_bytes(build_id);
  std::string message = "no debug file with build-id " + hex + " for module " + wanted +
                        ": tried " + root_ + "/.build-id/" + hex.substr(0, 2) + "/" +
                        hex.substr(2) + ".debug, " + where +
                        ", and the build-id of every .ko under " + root_ + "/lib/modules";
  for (const ModuleFile* candidate : candidates) {
    message += "; " + candidate->path + " has another build-id (refused)";
  }
  return Error(ErrorCode::kNotFound, message, ErrorPayload{.name = wanted});
}

Result<std::string> DebugFileFinder::find_vmlinux(std::span<const std::uint8_t> build_id,
                                                  std::string_view kernel_release) const {
  if (auto linked = by_build_id_link(build_id)) return *linked;
  std::vector<fs::path> candidates;
  if (!kernel_release.empty()) {
    std::string release(kernel_release);
    candidates.push_back(fs::path(root_) / "boot" / ("vmlinux-" + release));
    candidates.push_back(fs::path(root_) / "lib/modules" / release / "vmlinux");
  } else {
    std::error_code ec;
    for (fs::directory_iterator it(fs::path(root_) / "boot", ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->path().filename().string().starts_with("vmlinux-")) {
        candidates.push_back(it->path());
      }
    }
    std::sort(candidates.begin(), candidates.end());  // directory order is not stable
  }
  for (const fs::path& candidate : candidates) {
    if (!is_file(candidate)) continue;
    if (build_id.empty() || build_id_matches(candidate.string(), build_id)) {
      return candidate.string();
    }
  }
  return Error(
      ErrorCode::kNotFound,
      "no vmlinux" + (build_id.empty() ? std::string() : " with build-id " + hex_bytes(build_id)) +
          (kernel_release.empty() ? std::string() : " for " + std::string(kernel_release)) +
          " under " + root_,
      ErrorPayload{.name = "vmlinux"});
}

}  // namespace vmscope::debuginfo
