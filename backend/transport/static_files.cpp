#include "transport/static_files.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <system_error>

namespace vmscope::transport {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{64} << 20;
// How far up from the executable's directory find_default_web_root looks.
constexpr int kMaxAncestors = 4;

bool inside(const fs::path& path, const fs::path& root) {
  auto [root_end, path_it] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return root_end == root.end();
}

// The relative file path a URL path names, or nothing when it must be refused.
std::optional<fs::path> relative_path(std::string_view url_path) {
  if (url_path.find('\0') != std::string_view::npos ||
      url_path.find('\\') != std::string_view::npos) {
    return std::nullopt;
  }
  fs::path relative;
  std::size_t start = 0;
  while (start <= url_path.size()) {
    std::size_t end = url_path.find('/', start);
    if (end == std::string_view::npos) end = url_path.size();
    std::string_view segment = url_path.substr(start, end - start);
    if (segment == "..") return std::nullopt;
    if (!segment.empty() && segment != ".") relative /= std::string(segment);
    start = end + 1;
  }
  return relative;
}

bool looks_like_route(std::string_view url_path) {
  std::size_t slash = url_path.rfind('/');
  std::string_view last = slash == std::string_view::npos ? url_path : url_path.substr(slash + 1);
  return last.find('.') == std::string_view::npos;
}

}  // namespace

std::string content_type_for(std::string_view file_name) {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".wasm", "application/wasm"},
      {".txt", "text/plain; charset=utf-8"},
  };
  std::size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  auto it = kTypes.find(file_name.substr(dot));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

Result<StaticFiles> StaticFiles::open(const fs::path& root) {
  std::error_code error;
  fs::path canonical = fs::canonical(root, error);
  if (error || !fs::is_directory(canonical, error)) {
    return Error(ErrorCode::kNotFound, "web root " + root.string() + " is not a directory",
                 {.name = root.string()});
  }
  return StaticFiles(std::move(canonical));
}

Result<StaticFiles::File> StaticFiles::get(std::string_view url_path) const {
  auto not_found = [&] {
    return Error(ErrorCode::kNotFound, "no such file: " + std::string(url_path),
                 {.name = std::string(url_path)});
  };
  std::optional<fs::path> relative = relative_path(url_path);
  if (!relative) return not_found();
  fs::path candidate = relative->empty() ? root_ / "index.html" : root_ / *relative;
  std::error_code error;
  if (fs::is_directory(candidate, error)) candidate /= "index.html";
  fs::path resolved = fs::canonical(candidate, error);
  if (!error && fs::is_regular_file(resolved, error)) {
    if (!inside(resolved, root_)) return not_found();  // a symlink out of the root
    return read(resolved, false);
  }
  if (!looks_like_route(url_path)) return not_found();
  fs::path index = fs::canonical(root_ / "index.html", error);
  if (error || !inside(index, root_)) return not_found();
  return read(index, true);
}

Result<StaticFiles::File> StaticFiles::read(const fs::path& file, bool fallback) const {
  std::error_code error;
  std::uintmax_t size = fs::file_size(file, error);
  if (error) return Error(ErrorCode::kIo, "cannot stat " + file.string(), {.name = file.string()});
  if (size > kMaxFileBytes) {
    return Error(ErrorCode::kLimitExceeded, file.string() + " is too large to serve",
                 {.name = file.string()});
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, "cannot read " + file.string(), {.name = file.string()});
  File result;
  result.content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  result.content_type = content_type_for(file.filename().string());
  result.fallback = fallback;
  return result;
}

std::optional<fs::path> find_default_web_root(const fs::path& executable) {
  std::error_code error;
  fs::path dir = fs::weakly_canonical(executable, error).parent_path();
  for (int i = 0; i <= kMaxAncestors && !dir.empty(); ++i) {
    fs::path candidate = dir / "frontend" / "web" / "dist";
    if (fs::is_regular_file(candidate / "index.html", error)) return candidate;
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return std::nullopt;
}

}  // namespace vmscope::transport
