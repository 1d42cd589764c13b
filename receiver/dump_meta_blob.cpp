#include "receiver/dump_meta_blob.h"

#include "receiver/le_bytes.h"

namespace vmscope::dumpwire {
namespace {

constexpr std::size_t kUtsField = 65;

Error violation(std::string what) {
  return Error(ErrorCode::kCorrupt, "dump protocol META: " + std::move(what));
}

void append_entry(std::vector<std::byte>& out, MetaTag tag, std::span<const std::byte> bytes) {
  le::append<std::uint32_t>(out, static_cast<std::uint32_t>(tag));
  le::append<std::uint32_t>(out, static_cast<std::uint32_t>(bytes.size()));
  le::append_bytes(out, bytes);
}

std::span<const std::byte> as_bytes(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

template <typename Range>
std::vector<std::byte> encode_ranges(const std::vector<Range>& ranges) {
  std::vector<std::byte> out;
  for (const Range& r : ranges) {
    if constexpr (std::is_same_v<Range, PfnRange>) {
      le::append<std::uint64_t>(out, r.start);
      le::append<std::uint64_t>(out, r.count);
    } else {
      le::append<std::uint64_t>(out, r.address);
      le::append<std::uint64_t>(out, r.length);
    }
  }
  return out;
}

Result<std::vector<PfnRange>> parse_pfn_ranges(std::span<const std::byte> bytes,
                                               std::uint64_t max_pfn, bool sorted,
                                               const char* what) {
  if (bytes.size() % 16 != 0) {
    return violation(std::string(what) + " length " + std::to_string(bytes.size()) +
                     " is not a multiple of 16");
  }
  std::vector<PfnRange> out;
  out.reserve(bytes.size() / 16);
  for (std::size_t at = 0; at < bytes.size(); at += 16) {
    PfnRange r{le::load<std::uint64_t>(bytes.data() + at),
               le::load<std::uint64_t>(bytes.data() + at + 8)};
    if (r.count == 0 || r.start >= max_pfn || r.count > max_pfn - r.start) {
      return violation(std::string(what) + " range [" + std::to_string(r.start) + ", +" +
                       std::to_string(r.count) + ") leaves [0, max_pfn)");
    }
    if (sorted && !out.empty() && r.start < out.back().start + out.back().count) {
      return violation(std::string(what) + " ranges are not sorted and disjoint");
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace

std::vector<std::byte> encode_meta_blob(const DumpMetadata& meta) {
  std::vector<std::byte> out;
  if (meta.vmcoreinfo) append_entry(out, MetaTag::kVmcoreinfo, as_bytes(*meta.vmcoreinfo));
  if (!meta.elf_notes.empty()) append_entry(out, MetaTag::kElfNotes, meta.elf_notes);
  append_entry(out, MetaTag::kMemoryMap, encode_ranges(meta.memory_map));
  if (meta.dumpable) append_entry(out, MetaTag::kDumpable, encode_ranges(*meta.dumpable));
  if (meta.utsname) {
    std::vector<std::byte> uts;
    for (const std::string* field :
         {&meta.utsname->sysname, &meta.utsname->nodename, &meta.utsname->release,
          &meta.utsname->version, &meta.utsname->machine, &meta.utsname->domainname}) {
      le::append_fixed_text(uts, std::string_view(*field).substr(0, kUtsField - 1), kUtsField);
    }
    append_entry(out, MetaTag::kUtsname, uts);
  }
  if (!meta.panic_message.empty()) {
    append_entry(out, MetaTag::kPanicMessage, as_bytes(meta.panic_message));
  }
  if (!meta.erased.empty()) append_entry(out, MetaTag::kErased, encode_ranges(meta.erased));
  if (!meta.command_line.empty()) {
    append_entry(out, MetaTag::kCommandLine, as_bytes(meta.command_line));
  }
  return out;
}

Result<DumpMetadata> parse_meta_blob(std::span<const std::byte> blob, std::uint64_t max_pfn) {
  DumpMetadata meta;
  std::size_t at = 0;
  while (at < blob.size()) {
    if (blob.size() - at < 8) return violation("entry header past the end of the blob");
    std::uint32_t tag = le::load<std::uint32_t>(blob.data() + at);
    std::uint32_t length = le::load<std::uint32_t>(blob.data() + at + 4);
    at += 8;
    if (blob.size() - at < length) {
      return violation("entry of tag " + std::to_string(tag) + " runs past the blob");
    }
    std::span<const std::byte> bytes = blob.subspan(at, length);
    at += length;
    std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    switch (static_cast<MetaTag>(tag)) {
      case MetaTag::kVmcoreinfo: meta.vmcoreinfo = std::move(text); break;
      case MetaTag::kElfNotes: meta.elf_notes.assign(bytes.begin(), bytes.end()); break;
      case MetaTag::kMemoryMap: {
        VMSCOPE_TRY(meta.memory_map, parse_pfn_ranges(bytes, max_pfn, false, "MEMORY_MAP"));
        break;
      }
      case MetaTag::kDumpable: {
        VMSCOPE_TRY(meta.dumpable, parse_pfn_ranges(bytes, max_pfn, true, "DUMPABLE"));
        break;
      }
      case MetaTag::kUtsname: {
        if (bytes.size() != 6 * kUtsField) return violation("UTSNAME is not 6 x 65 bytes");
        Utsname u;
        std::string* fields[] = {&u.sysname, &u.nodename, &u.release,
                                 &u.version, &u.machine,  &u.domainname};
        for (std::size_t i = 0; i < 6; ++i) {
          *fields[i] = std::string(le::fixed_text(bytes.subspan(i * kUtsField, kUtsField)));
        }
        meta.utsname = std::move(u);
        break;
      }
      case MetaTag::kPanicMessage: meta.panic_message = std::move(text); break;
      case MetaTag::kErased: {
        if (bytes.size() % 16 != 0) return violation("ERASED length not a multiple of 16");
        for (std::size_t i = 0; i < bytes.size(); i += 16) {
          meta.erased.push_back({le::load<std::uint64_t>(bytes.data() + i),
                                 le::load<std::uint64_t>(bytes.data() + i + 8)});
        }
        break;
      }
      case MetaTag::kCommandLine: meta.command_line = std::move(text); break;
      default: break;  // unknown tags are skipped: v1 can grow
    }
  }
  return meta;
}

}  // namespace vmscope::dumpwire
