// The functions active at one code address, inline expansions included: for a pc inside
// `context_switch` inlined into `__schedule`, the chain is [context_switch (inline), __schedule],
// innermost first, as drgn and gdb show a backtrace.
//
// The chain comes from the DIE tree of the compile unit covering the pc: nested
// DW_TAG_inlined_subroutine scopes inside the DW_TAG_subprogram whose ranges contain the pc
// (lexical blocks in between are kept for variable lookup, dwarf_locals.h). Names come through
// DW_AT_abstract_origin/DW_AT_specification. Source locations: the innermost function's is the
// line table's row for the pc; each outer function's is the call site of the inline expansion
// inside it (DW_AT_call_file/line/column of the inlined_subroutine).
//
// The caller passes the address to look up: a return address minus one for call frames (so a
// call at a function's end is not attributed to the next function), the pc itself for
// interrupted frames.
//
// Results are cached by address (a backtrace of every task asks for the same few dozen
// addresses many times). Uses its own DwarfFile (opened by path), so it never contends with the
// type builder's lock.
//
// Threading: safe; libdw is used under the file's lock, the cache under its own mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "debuginfo/dwarf_file.h"
#include "debuginfo/line_table.h"
#include "support/result.h"

namespace vmscope::debuginfo {

struct InlineFrame {
  std::string function;  // empty for an anonymous function
  bool inlined = false;  // an inline expansion (DW_TAG_inlined_subroutine)
  // Where in `function` execution is: file and line (see the file comment).
  std::optional<SourceLocation> location;
  // The DIE of the subprogram / inlined_subroutine, then the lexical blocks inside it that
  // contain the address, innermost first (variables live in all of them).
  std::uint64_t function_die = 0;
  std::vector<std::uint64_t> block_dies;
  // The out-of-line subprogram's DW_AT_frame_base is needed for DW_OP_fbreg; only the
  // outermost (non-inlined) frame has one, and inline frames share it.
  std::uint64_t subprogram_die = 0;
};

class InlineFrameResolver {
 public:
  // `file`: the image's DWARF; `load_offset`: added to its link-time addresses (KASLR).
  InlineFrameResolver(std::shared_ptr<const DwarfFile> file, std::uint64_t load_offset)
      : file_(std::move(file)), load_offset_(load_offset) {}

  static Result<std::unique_ptr<InlineFrameResolver>> open(const std::string& path,
                                                           std::uint64_t load_offset);

  // The chain at run-time address `address`, innermost first. Empty (not an error) when no
  // subprogram covers it — assembly, or code without DWARF — though the innermost location may
  // then still come from the line table (returned as a single unnamed frame).
  std::shared_ptr<const std::vector<InlineFrame>> at(std::uint64_t address) const;

  const DwarfFile& file() const { return *file_; }
  std::shared_ptr<const DwarfFile> shared_file() const { return file_; }
  std::uint64_t load_offset() const { return load_offset_; }
  std::size_t cached_addresses() const;

 private:
  std::vector<InlineFrame> resolve(std::uint64_t link_address) const;

  std::shared_ptr<const DwarfFile> file_;
  std::uint64_t load_offset_ = 0;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::uint64_t, std::shared_ptr<const std::vector<InlineFrame>>> cache_;
};

}  // namespace vmscope::debuginfo
