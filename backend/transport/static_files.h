// The built web frontend (frontend/web/dist), served by the HTTP transport for every GET that
// is not an API path. It is a single-page app: a path that names no file and looks like a
// route (no extension in its last segment, e.g. /dumps/dump-1/tasks) gets index.html, while a
// missing asset (/assets/x.js) is a 404, not HTML under a script's name.
//
// No request can read outside the root: ".." segments, backslashes and NULs are refused, and
// the resolved file (after symlinks) must still lie inside the canonical root.
//
// Threading: immutable after construction; get() is safe from many threads.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "support/result.h"

namespace vmscope::transport {

class StaticFiles {
 public:
  // `root` must be an existing directory.
  static Result<StaticFiles> open(const std::filesystem::path& root);

  struct File {
    std::string content;
    std::string content_type;
    bool fallback = false;  // index.html served for an unknown route
  };

  // `url_path` is the decoded path of the request ("/", "/assets/app.js", "/dumps/1").
  // kNotFound for a missing asset or a refused path; kLimitExceeded for a file over 64 MiB.
  Result<File> get(std::string_view url_path) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  explicit StaticFiles(std::filesystem::path root) : root_(std::move(root)) {}
  Result<File> read(const std::filesystem::path& file, bool fallback) const;

  std::filesystem::path root_;  // canonical
};

// The Content-Type for a file name, by extension; application/octet-stream when unknown.
std::string content_type_for(std::string_view file_name);

// Where the frontend is when --web-root is not given: frontend/web/dist in the source tree
// the binary was built in, found by walking up from the executable's directory (build/bin ->
// build -> the checkout). Nothing when no such directory with an index.html exists.
std::optional<std::filesystem::path> find_default_web_root(const std::filesystem::path& executable);

}  // namespace vmscope::transport
