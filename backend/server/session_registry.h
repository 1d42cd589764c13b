// The dumps a server holds open, by id. Every method after dump/open names a dumpId; this is
// where the id leads to the opened KernelTarget.
//
// Policy lives here too: a server opens dumps only from its allowed directories (`vmscope
// serve --allow-dir`), compared after resolving symlinks and "..", so a client cannot name a
// path outside them; the in-process `vmscope call` allows any path. Opening the same file again
// returns the session already open (one copy of its caches for every client).
//
// Threading: every method is safe from any thread. open() runs the (slow) open outside the
// lock; two concurrent opens of the same new file may both do the work, and the first to
// finish wins. A target handed out by get() stays alive while the caller holds it, even if
// the dump is closed meanwhile.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kernel/kernel_target.h"
#include "support/progress.h"
#include "support/result.h"

namespace vmscope::server {

struct DumpOpenRequest {
  std::string core;
  std::string vmlinux;    // optional
  std::string debug_dir;  // optional
  // Told of each step of a new open (not called when the dump is already open).
  ProgressFunction progress;
};

struct OpenDump {
  std::string id;
  std::string core_path;     // canonical
  std::string vmlinux_path;  // canonical, or empty
  std::chrono::system_clock::time_point opened_at;
  std::shared_ptr<const KernelTarget> target;
};

class SessionRegistry {
 public:
  struct Options {
    // Canonical directories dumps may be opened from; empty + allow_any_path=false opens
    // nothing.
    std::vector<std::string> allowed_dirs;
    bool allow_any_path = false;
    std::size_t max_open = 32;
    // Where to look for a dump's vmlinux (by build-id/release) when a request names neither a
    // vmlinux nor a debug directory (`vmscope serve --debug-dir`).
    std::string default_debug_dir;
    // DWARF index cache settings for every dump this server opens.
    debuginfo::IndexOpenOptions index;
  };

  explicit SessionRegistry(Options options);

  Result<OpenDump> open(const DumpOpenRequest& request);
  Result<OpenDump> get(const std::string& id) const;
  Status close(const std::string& id);
  std::vector<OpenDump> list() const;

  // The canonical form of `path` if the policy allows opening it.
  Result<std::string> check_path(const std::string& path) const;
  // The same for a vmlinux or debug directory named by a client: allowed inside the dump
  // directories and inside the server's own debug directory (--debug-dir).
  Result<std::string> check_debug_path(const std::string& path) const;

 private:
  Options options_;
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<std::string, OpenDump> open_;  // by id
};

}  // namespace vmscope::server
