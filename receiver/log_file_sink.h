// Appends log records to per-host files (protocol-spec/dump-wire-protocol.md §13.4):
//   <dumpdir>/logs/<host>/netconsole.log     kernel console lines
//   <dumpdir>/logs/<host>/syslog.log         syslog messages
// One record per line: append() escapes the line with log_line_escape() and writes it and its
// newline with a single write() on an O_APPEND descriptor, so records never interleave and an
// external rotation (rename, or copytruncate) needs no cooperation.
//
// <host> comes from the network layer (a textual IP address) but is still checked: only
// letters, digits and ". : % _ -", 1..64 bytes, never "." or "..", so it cannot leave
// <dumpdir>/logs. Files are opened with O_NOFOLLOW. At most max_open_files descriptors are
// kept open (least recently used closed first).
//
// Not thread-safe: one owner (the listener's I/O thread).
#pragma once

#include <cstddef>
#include <filesystem>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "support/result.h"

namespace vmscope {

enum class LogKind { kNetconsole, kSyslog };

class LogFileSink {
 public:
  explicit LogFileSink(std::filesystem::path dump_dir, std::size_t max_open_files = 64);
  ~LogFileSink();
  LogFileSink(const LogFileSink&) = delete;
  LogFileSink& operator=(const LogFileSink&) = delete;

  // Errors: kInvalidArgument (a host name that is not an address), kIo (mkdir, open or write
  // failed — ENOSPC included; the descriptor is closed and the next append retries).
  Status append(std::string_view host, LogKind kind, std::string_view line);

  // Where a host's records of `kind` go (after the host check).
  Result<std::filesystem::path> path_for(std::string_view host, LogKind kind) const;

  std::size_t open_files() const { return open_.size(); }

 private:
  struct OpenFile {
    int fd = -1;
    std::list<std::string>::iterator lru;
  };
  Result<int> descriptor(std::string_view host, LogKind kind);
  void close_file(std::unordered_map<std::string, OpenFile>::iterator it);

  std::filesystem::path dump_dir_;
  std::size_t max_open_files_;
  std::unordered_map<std::string, OpenFile> open_;  // key: path
  std::list<std::string> lru_;                      // front: most recently used
};

}  // namespace vmscope
