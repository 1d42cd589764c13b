#include "debuginfo/inline_frames.h"

#include <dwarf.h>
#include <elfutils/libdw.h>

namespace vmscope::debuginfo {
namespace {

// Deeper nesting than this is a corrupt DIE tree, not C.
constexpr int kMaxScopeDepth = 64;

std::string die_name(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  if (dwarf_attr_integrate(die, DW_AT_name, &attr)) {
    if (const char* s = dwarf_formstring(&attr)) return s;
  }
  return {};
}

std::optional<std::uint64_t> udata(Dwarf_Die* die, unsigned int name) {
  Dwarf_Attribute attr;
  Dwarf_Word value;
  if (!dwarf_attr(die, name, &attr) || dwarf_formudata(&attr, &value) != 0) return std::nullopt;
  return value;
}

// The call site of an inline expansion, in the file table of its compile unit.
std::optional<SourceLocation> call_site(Dwarf_Die* cu, Dwarf_Die* inlined) {
  auto file = udata(inlined, DW_AT_call_file);
  auto line = udata(inlined, DW_AT_call_line);
  if (!file || !line) return std::nullopt;
  SourceLocation location;
  Dwarf_Files* files = nullptr;
  std::size_t count = 0;
  if (dwarf_getsrcfiles(cu, &files, &count) == 0 && *file < count) {
    if (const char* name = dwarf_filesrc(files, *file, nullptr, nullptr)) location.file = name;
  }
  location.line = static_cast<int>(*line);
  location.column = static_cast<int>(udata(inlined, DW_AT_call_column).value_or(0));
  return location;
}

std::optional<SourceLocation> line_at(Dwarf_Die* cu, Dwarf_Addr address) {
  Dwarf_Line* line = dwarf_getsrc_die(cu, address);
  if (!line) return std::nullopt;
  SourceLocation location;
  if (const char* file = dwarf_linesrc(line, nullptr, nullptr)) location.file = file;
  dwarf_lineno(line, &location.line);
  dwarf_linecol(line, &location.column);
  return location;
}

bool is_function(int tag) {
  return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
}

// Appends the chain of scopes under `parent` containing `address`, outermost first.
void descend(Dwarf_Die* parent, Dwarf_Addr address, std::vector<Dwarf_Die>& path) {
  Dwarf_Die child;
  if (path.size() >= kMaxScopeDepth || dwarf_child(parent, &child) != 0) return;
  do {
    const int tag = dwarf_tag(&child);
    if ((is_function(tag) || tag == DW_TAG_lexical_block) && dwarf_haspc(&child, address) == 1) {
      path.push_back(child);
      descend(&path.back(), address, path);
      return;
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

}  // namespace

Result<std::unique_ptr<InlineFrameResolver>> InlineFrameResolver::open(const std::string& path,
                                                                       std::uint64_t load_offset) {
  VMSCOPE_TRY(std::shared_ptr<const DwarfFile> file, DwarfFile::open(path));
  return std::make_unique<InlineFrameResolver>(std::move(file), load_offset);
}

std::shared_ptr<const std::vector<InlineFrame>> InlineFrameResolver::at(
    std::uint64_t address) const {
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = cache_.find(address); it != cache_.end()) return it->second;
  }
  std::vector<InlineFrame> frames;
  const std::uint64_t link = address - load_offset_;
  if (file_->elf().image_range().contains(link)) frames = resolve(link);
  auto shared = std::make_shared<const std::vector<InlineFrame>>(std::move(frames));
  std::lock_guard lock(cache_mutex_);
  return cache_.emplace(address, std::move(shared)).first->second;
}

std::size_t InlineFrameResolver::cached_addresses() const {
  std::lock_guard lock(cache_mutex_);
  return cache_.size();
}

std::vector<InlineFrame> InlineFrameResolver::resolve(std::uint64_t link) const {
  std::lock_guard lock(file_->lock());
  std::vector<InlineFrame> frames;
  Dwarf_Die cu;
  if (!dwarf_addrdie(file_->dwarf(), link, &cu)) return frames;
  std::vector<Dwarf_Die> path;
  path.reserve(8);
  descend(&cu, link, path);

  // Innermost first; lexical blocks attach to the function around them.
  std::vector<Dwarf_Die*> function_dies;
  std::vector<std::uint64_t> blocks;
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    const int tag = dwarf_tag(&*it);
    if (tag == DW_TAG_lexical_block) {
      blocks.push_back(dwarf_dieoffset(&*it));
      continue;
    }
    InlineFrame frame;
    frame.function = die_name(&*it);
    frame.inlined = tag == DW_TAG_inlined_subroutine;
    frame.function_die = dwarf_dieoffset(&*it);
    frame.block_dies = std::move(blocks);
    blocks.clear();
    frames.push_back(std::move(frame));
    function_dies.push_back(&*it);
  }
  if (frames.empty()) {
    // Assembly: no subprogram, but maybe a line.
    if (auto location = line_at(&cu, link)) {
      InlineFrame frame;
      frame.location = std::move(location);
      frames.push_back(std::move(frame));
    }
    return frames;
  }
  std::uint64_t subprogram = 0;
  for (auto it = path.begin(); it != path.end(); ++it) {
    if (dwarf_tag(&*it) == DW_TAG_subprogram) {
      subprogram = dwarf_dieoffset(&*it);
      break;
    }
  }
  frames[0].location = line_at(&cu, link);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    frames[i].subprogram_die = subprogram;
    if (i > 0 && frames[i - 1].inlined) {
      frames[i].location = call_site(&cu, function_dies[i - 1]);
    }
  }
  return frames;
}

}  // namespace vmscope::debuginfo
