#include "dump/vmcoreinfo_scan.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

namespace vmscope {
namespace {

constexpr std::string_view kFirstKey = "OSRELEASE=";

// The text from `start` up to the first NUL (or the end of `bytes`).
std::string_view text_at(std::span<const std::byte> bytes, std::size_t start) {
  const char* begin = reinterpret_cast<const char*>(bytes.data()) + start;
  const std::size_t limit = bytes.size() - start;
  const void* nul = std::memchr(begin, 0, limit);
  return std::string_view(
      begin, nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - begin) : limit);
}

class Scanner {
 public:
  Scanner(const PhysicalMemory& memory, const CancellationToken& cancel,
          const VmcoreinfoScanOptions& options)
      : memory_(memory),
        cancel_(cancel),
        options_(options),
        page_(options.page_size),
        window_(2 * options.page_size) {}

  // `window` holds the bytes from `paddr`; the text starting at `start` runs to its NUL or
  // the window's end (VMCOREINFO is at most a page: VMCOREINFO_BYTES is PAGE_SIZE).
  Status consider(std::uint64_t paddr, std::span<const std::byte> window, std::size_t start) {
    std::string_view text = text_at(window, start);
    if (!looks_like_vmcoreinfo(text)) return ok_status();
    const std::uint64_t address = paddr + start;
    for (const auto& found : found_) {
      if (found.physical_address == address) return ok_status();
    }
    found_.push_back({.physical_address = address, .text = std::string(text)});
    return ok_status();
  }

  Status page_starts(const std::vector<PhysicalRange>& ranges) {
    std::array<std::byte, kFirstKey.size()> head{};
    for (const PhysicalRange& range : ranges) {
      for (std::uint64_t paddr = align_up(range.start); paddr + page_.size() <= range.end();
           paddr += page_.size()) {
        if (full()) return ok_status();
        if (((paddr / page_.size()) & 0xfff) == 0) VMSCOPE_CHECK(cancel_.check());
        if (!memory_.read(paddr, head).ok()) continue;  // excluded or absent: skip
        if (std::memcmp(head.data(), kFirstKey.data(), kFirstKey.size()) != 0) continue;
        if (!memory_.read(paddr, page_).ok()) continue;
        VMSCOPE_CHECK(consider(paddr, page_, 0));
      }
    }
    return ok_status();
  }

  Status inside_pages(const std::vector<PhysicalRange>& ranges) {
    std::uint64_t budget = options_.max_inside_page_bytes;
    for (const PhysicalRange& range : ranges) {
      for (std::uint64_t paddr = align_up(range.start); paddr + page_.size() <= range.end();
           paddr += page_.size()) {
        if (full() || budget < page_.size()) return ok_status();
        budget -= page_.size();
        if (((paddr / page_.size()) & 0xff) == 0) VMSCOPE_CHECK(cancel_.check());
        // This page and the next: a text near the end of a page runs on into the next.
        std::span<std::byte> first(window_.data(), page_.size());
        std::span<std::byte> second(window_.data() + page_.size(), page_.size());
        if (!memory_.read(paddr, first).ok()) continue;
        if (!memory_.read(paddr + page_.size(), second).ok())
          std::fill(second.begin(), second.end(), std::byte{0});
        std::string_view bytes(reinterpret_cast<const char*>(first.data()), first.size());
        for (std::size_t at = bytes.find(kFirstKey, 1); at != std::string_view::npos;
             at = bytes.find(kFirstKey, at + 1)) {
          // Only a text that starts a string: the byte before it ends another (NUL).
          if (bytes[at - 1] != '\0') continue;
          VMSCOPE_CHECK(consider(paddr, window_, at));
        }
      }
    }
    return ok_status();
  }

  std::vector<VmcoreinfoCandidate> take() {
    std::sort(found_.begin(), found_.end(),
              [](const auto& a, const auto& b) { return a.physical_address < b.physical_address; });
    return std::move(found_);
  }

 private:
  bool full() const { return found_.size() >= options_.max_candidates; }
  std::uint64_t align_up(std::uint64_t address) const {
    const std::uint64_t size = page_.size();
    return (address + size - 1) / size * size;
  }

  const PhysicalMemory& memory_;
  const CancellationToken& cancel_;
  const VmcoreinfoScanOptions& options_;
  std::vector<std::byte> page_;
  std::vector<std::byte> window_;
  std::vector<VmcoreinfoCandidate> found_;
};

}  // namespace

bool looks_like_vmcoreinfo(std::string_view text) {
  if (!text.starts_with(kFirstKey)) return false;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u != '\n' && (u < 0x20 || u > 0x7e)) return false;
  }
  return text.find("\nPAGESIZE=") != std::string_view::npos &&
         text.find("\nSYMBOL(") != std::string_view::npos;
}

Result<std::vector<VmcoreinfoCandidate>> scan_for_vmcoreinfo(const PhysicalMemory& memory,
                                                             const CancellationToken& cancel,
                                                             const VmcoreinfoScanOptions& options) {
  if (options.page_size < kFirstKey.size() + 1 || options.max_candidates == 0) {
    return Error(ErrorCode::kInvalidArgument, "VMCOREINFO scan: bad page size or candidate cap");
  }
  const std::vector<PhysicalRange> ranges = memory.ranges();
  Scanner scanner(memory, cancel, options);
  VMSCOPE_CHECK(scanner.page_starts(ranges));
  std::vector<VmcoreinfoCandidate> found = scanner.take();
  if (!found.empty()) return found;
  VMSCOPE_CHECK(scanner.inside_pages(ranges));
  return scanner.take();
}

}  // namespace vmscope
