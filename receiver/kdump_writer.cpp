#include "receiver/kdump_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

#include "dump/kdump_header.h"
#include "receiver/le_bytes.h"

namespace vmscope {
namespace {

namespace L = kdump_layout;

constexpr std::uint32_t kHeaderVersion = 6;
constexpr std::size_t kTimestamp = 408;  // struct timeval, after the 8-aligned utsname
constexpr std::size_t kMaxUnwrittenDescriptors = 65536;
constexpr std::uint32_t kEncodings =
    kKdumpPageZlib | kKdumpPageLzo | kKdumpPageSnappy | kKdumpPageZstd;

std::uint64_t round_up(std::uint64_t value, std::uint64_t to) {
  return (value + to - 1) / to * to;
}

void set_bits(std::vector<std::byte>& bitmap, std::uint64_t first, std::uint64_t count) {
  std::uint64_t pfn = first, end = first + count;
  for (; pfn < end && pfn % 8 != 0; ++pfn) bitmap[pfn / 8] |= std::byte(1u << (pfn % 8));
  std::uint64_t whole_end = end / 8 * 8;
  if (pfn < whole_end) {
    std::memset(bitmap.data() + pfn / 8, 0xff, (whole_end - pfn) / 8);
    pfn = whole_end;
  }
  for (; pfn < end; ++pfn) bitmap[pfn / 8] |= std::byte(1u << (pfn % 8));
}

}  // namespace

KdumpWriter::KdumpWriter(int fd, std::filesystem::path path, KdumpWriterConfig config)
    : fd_(fd), path_(std::move(path)), config_(std::move(config)) {}

KdumpWriter::~KdumpWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<KdumpWriter>> KdumpWriter::create(const std::filesystem::path& path,
                                                         KdumpWriterConfig config) {
  if (!std::has_single_bit(config.page_size) || config.page_size < 4096 ||
      config.page_size > 65536) {
    return Error(ErrorCode::kInvalidArgument,
                 "kdump writer: page size " + std::to_string(config.page_size));
  }
  if (config.max_pfn == 0 || config.max_pfn > (std::uint64_t{1} << 40)) {
    return Error(ErrorCode::kInvalidArgument,
                 "kdump writer: max_pfn " + std::to_string(config.max_pfn));
  }
  std::uint64_t bitmap_bytes = round_up((config.max_pfn + 7) / 8, config.page_size);
  if (bitmap_bytes > config.max_bitmap_bytes || 2 * bitmap_bytes / config.page_size > 0x7fffffff) {
    return Error(ErrorCode::kLimitExceeded,
                 "kdump writer: bitmaps of " + std::to_string(bitmap_bytes) +
                     " bytes each for max_pfn " + std::to_string(config.max_pfn) +
                     " are over the limit");
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error(ErrorCode::kIo, "cannot create " + path.string() + ": " + std::strerror(errno),
                 {.name = path.string()});
  }
  std::unique_ptr<KdumpWriter> w(new KdumpWriter(fd, path, std::move(config)));
  const std::uint64_t block = w->config_.page_size;
  w->bitmap_bytes_ = bitmap_bytes;
  w->bitmap_blocks_ = static_cast<std::uint32_t>(2 * bitmap_bytes / block);
  w->descriptors_offset_ = block * (2 + std::uint64_t{w->bitmap_blocks_});
  w->zero_page_offset_ =
      round_up(w->descriptors_offset_ + kKdumpPageDescSize * w->config_.max_pfn, block);
  w->data_end_ = w->zero_page_offset_ + block;
  VMSCOPE_CHECK(w->write_headers());
  VMSCOPE_CHECK(w->write_bitmap(block * 2, {}, true));
  VMSCOPE_CHECK(w->write_bitmap(block * 2 + bitmap_bytes, {}, true));
  // The zero page and the descriptor table are a hole: they read as zeros and cost no space.
  if (::ftruncate(fd, static_cast<off_t>(w->data_end_)) != 0) {
    return Error(ErrorCode::kIo, "cannot size " + path.string() + ": " + std::strerror(errno),
                 {.name = path.string()});
  }
  return w;
}

Status KdumpWriter::write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n =
        ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : ENOSPC;
      if (err == ENOSPC || err == EDQUOT || err == EFBIG) out_of_space_ = true;
      return Error(ErrorCode::kIo, "write to " + path_.string() + " failed: " + std::strerror(err),
                   {.offset = offset + done, .name = path_.string()});
    }
    done += static_cast<std::size_t>(n);
    stats_.file_bytes += static_cast<std::uint64_t>(n);
  }
  return ok_status();
}

Status KdumpWriter::fail(Error error) {
  if (!failure_) failure_ = error;
  return error;
}

Status KdumpWriter::write_headers() {
  std::vector<std::byte> main(kKdumpMainHeaderSize, std::byte{0});
  std::memcpy(main.data(), "KDUMP   ", 8);
  le::store<std::int32_t>(main.data() + L::kHeaderVersion, kHeaderVersion);
  std::vector<std::byte> uts;
  const auto& u = config_.utsname;
  for (const std::string* f :
       {&u.sysname, &u.nodename, &u.release, &u.version, &u.machine, &u.domainname}) {
    le::append_fixed_text(uts, std::string_view(*f).substr(0, L::kUtsFieldSize - 1),
                          L::kUtsFieldSize);
  }
  std::memcpy(main.data() + L::kUtsname, uts.data(), uts.size());
  le::store<std::int64_t>(main.data() + kTimestamp, config_.timestamp);
  std::uint32_t status = config_.compression_status | status_encodings_;
  if (!complete_) status |= kKdumpStatusIncomplete;
  le::store<std::uint32_t>(main.data() + L::kStatus, status);
  le::store<std::int32_t>(main.data() + L::kBlockSize,
                          static_cast<std::int32_t>(config_.page_size));
  le::store<std::int32_t>(main.data() + L::kSubHdrSize, 1);
  le::store<std::uint32_t>(main.data() + L::kBitmapBlocks, bitmap_blocks_);
  le::store<std::uint32_t>(
      main.data() + L::kMaxMapnr,
      static_cast<std::uint32_t>(std::min<std::uint64_t>(config_.max_pfn, 0xffffffff)));
  le::store<std::int32_t>(main.data() + L::kNrCpus, config_.nr_cpus);

  std::vector<std::byte> sub(kKdumpSubHeaderSize, std::byte{0});
  le::store<std::uint64_t>(sub.data() + L::kPhysBase, config_.phys_base);
  le::store<std::int32_t>(sub.data() + L::kDumpLevel, config_.dump_level);
  if (vmcoreinfo_) {
    le::store<std::uint64_t>(sub.data() + L::kOffsetVmcoreinfo, vmcoreinfo_->first);
    le::store<std::uint64_t>(sub.data() + L::kSizeVmcoreinfo, vmcoreinfo_->second);
  }
  if (notes_) {
    le::store<std::uint64_t>(sub.data() + L::kOffsetNote, notes_->first);
    le::store<std::uint64_t>(sub.data() + L::kSizeNote, notes_->second);
  }
  le::store<std::uint64_t>(sub.data() + L::kMaxMapnr64, config_.max_pfn);
  VMSCOPE_CHECK(write_at(0, main));
  return write_at(config_.page_size, sub);
}

Status KdumpWriter::write_bitmap(std::uint64_t offset, std::span<const dumpwire::PfnRange> ranges,
                                 bool all_ones) {
  std::vector<std::byte> bitmap(bitmap_bytes_, std::byte{0});
  if (all_ones) {
    set_bits(bitmap, 0, config_.max_pfn);
  } else {
    for (const auto& r : ranges) set_bits(bitmap, r.start, r.count);
  }
  return write_at(offset, bitmap);
}

Result<std::uint64_t> KdumpWriter::set_layout(std::span<const dumpwire::PfnRange> memory_map,
                                              std::span<const dumpwire::PfnRange> dumpable) {
  if (layout_ != Layout::kPending) {
    return Error(ErrorCode::kInvalidArgument, "kdump writer: the layout is already fixed");
  }
  if (failure_) return *failure_;
  for (std::size_t i = 0; i < dumpable.size(); ++i) {
    const auto& r = dumpable[i];
    bool bad = r.count == 0 || r.start >= config_.max_pfn || r.count > config_.max_pfn - r.start ||
               (i > 0 && r.start < dumpable[i - 1].start + dumpable[i - 1].count);
    if (bad) return Error(ErrorCode::kInvalidArgument, "kdump writer: bad dumpable ranges");
  }
  for (const auto& r : memory_map) {
    if (r.start >= config_.max_pfn || r.count > config_.max_pfn - r.start) {
      return Error(ErrorCode::kInvalidArgument, "kdump writer: memory map past max_pfn");
    }
  }
  std::vector<std::byte> second(bitmap_bytes_, std::byte{0});
  for (const auto& r : dumpable) set_bits(second, r.start, r.count);
  // Data first: kept descriptors may point into the buffer.
  if (Status s = flush_data(); !s.ok()) return s.error();
  const std::uint64_t first_offset = std::uint64_t{config_.page_size} * 2;
  if (Status s = write_bitmap(first_offset, memory_map, false); !s.ok())
    return fail(s.error()).error();
  if (Status s = write_at(first_offset + bitmap_bytes_, second); !s.ok()) {
    return fail(s.error()).error();
  }
  dumpable_ = PageBitmap(second, config_.max_pfn);
  layout_ = Layout::kKnown;
  std::uint64_t dropped = 0;
  for (const auto& [pfn, descriptor] : pending_) {
    if (dumpable_.test(pfn)) {
      unwritten_.emplace_back(dumpable_.rank(pfn), descriptor);
    } else {
      ++dropped;
      --stats_.pages;
    }
  }
  pending_.clear();
  if (Status s = flush(); !s.ok()) return s.error();
  return dropped;
}

Status KdumpWriter::freeze_layout() {
  if (layout_ != Layout::kPending) return ok_status();
  layout_ = Layout::kFrozen;
  for (const auto& [pfn, descriptor] : pending_) unwritten_.emplace_back(pfn, descriptor);
  pending_.clear();
  return flush();
}

Status KdumpWriter::append_data(std::span<const std::byte> bytes, std::uint64_t& offset) {
  if (buffer_.empty()) buffer_offset_ = data_end_;
  offset = data_end_;
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  data_end_ += bytes.size();
  return ok_status();
}

Status KdumpWriter::set_vmcoreinfo(std::string_view text) {
  if (failure_) return *failure_;
  if (vmcoreinfo_) return Error(ErrorCode::kInvalidArgument, "kdump writer: VMCOREINFO twice");
  std::uint64_t offset = 0;
  VMSCOPE_CHECK(append_data(std::as_bytes(std::span(text.data(), text.size())), offset));
  vmcoreinfo_.emplace(offset, text.size());
  VMSCOPE_CHECK(flush());
  if (Status s = write_headers(); !s.ok()) return fail(s.error());
  return ok_status();
}

Status KdumpWriter::set_notes(std::span<const std::byte> notes) {
  if (failure_) return *failure_;
  if (notes_) return Error(ErrorCode::kInvalidArgument, "kdump writer: notes twice");
  std::uint64_t offset = 0;
  VMSCOPE_CHECK(append_data(notes, offset));
  notes_.emplace(offset, notes.size());
  VMSCOPE_CHECK(flush());
  if (Status s = write_headers(); !s.ok()) return fail(s.error());
  return ok_status();
}

Status KdumpWriter::set_utsname(const dumpwire::Utsname& utsname) {
  if (failure_) return *failure_;
  config_.utsname = utsname;
  if (Status s = write_headers(); !s.ok()) return fail(s.error());
  return ok_status();
}

Status KdumpWriter::place(std::uint64_t pfn, Descriptor descriptor) {
  switch (layout_) {
    case Layout::kPending:
      if (pending_.size() >= config_.max_pending_descriptors && !pending_.count(pfn)) {
        VMSCOPE_CHECK(freeze_layout());
        return place(pfn, descriptor);
      }
      pending_[pfn] = descriptor;
      return ok_status();
    case Layout::kKnown:
      if (!dumpable_.test(pfn)) {
        return Error(ErrorCode::kInvalidArgument,
                     "kdump writer: pfn " + std::to_string(pfn) + " is not dumpable");
      }
      unwritten_.emplace_back(dumpable_.rank(pfn), descriptor);
      break;
    case Layout::kFrozen: unwritten_.emplace_back(pfn, descriptor); break;
  }
  if (unwritten_.size() >= kMaxUnwrittenDescriptors || buffer_.size() >= config_.buffer_bytes) {
    return flush();
  }
  return ok_status();
}

Status KdumpWriter::add_page(std::uint64_t pfn, std::uint32_t flags,
                             std::span<const std::byte> stored) {
  if (failure_) return *failure_;
  if (pfn >= config_.max_pfn) {
    return Error(ErrorCode::kInvalidArgument, "kdump writer: pfn " + std::to_string(pfn) +
                                                  " >= max_pfn " + std::to_string(config_.max_pfn));
  }
  bool raw_ok = flags == 0 && stored.size() == config_.page_size;
  bool encoded_ok = (flags & ~kEncodings) == 0 && std::popcount(flags) == 1 && !stored.empty() &&
                    stored.size() < config_.page_size;
  if (!raw_ok && !encoded_ok) {
    return Error(ErrorCode::kInvalidArgument, "kdump writer: stored page of " +
                                                  std::to_string(stored.size()) +
                                                  " bytes with flags " + std::to_string(flags));
  }
  if (layout_ == Layout::kKnown && !dumpable_.test(pfn)) {
    return Error(ErrorCode::kInvalidArgument,
                 "kdump writer: pfn " + std::to_string(pfn) + " is not dumpable");
  }
  std::uint64_t offset = 0;
  VMSCOPE_CHECK(append_data(stored, offset));
  status_encodings_ |= flags;
  ++stats_.pages;
  return place(pfn, {offset, static_cast<std::uint32_t>(stored.size()), flags});
}

Status KdumpWriter::add_zero_page(std::uint64_t pfn) {
  if (failure_) return *failure_;
  if (pfn >= config_.max_pfn) {
    return Error(ErrorCode::kInvalidArgument, "kdump writer: pfn " + std::to_string(pfn));
  }
  ++stats_.pages;
  ++stats_.zero_pages;
  return place(pfn, {zero_page_offset_, config_.page_size, 0});
}

Status KdumpWriter::flush_data() {
  if (buffer_.empty()) return ok_status();
  Status s = write_at(buffer_offset_, buffer_);
  if (!s.ok()) {
    // Descriptors of data that did not reach the disk must never be written.
    std::uint64_t safe_end = buffer_offset_;
    std::erase_if(unwritten_, [&](const auto& entry) {
      return entry.second.offset != zero_page_offset_ &&
             entry.second.offset + entry.second.size > safe_end;
    });
    buffer_.clear();
    (void)fail(s.error());
    (void)flush_descriptors();
    return s;
  }
  buffer_.clear();
  return ok_status();
}

Status KdumpWriter::flush_descriptors() {
  if (unwritten_.empty()) return ok_status();
  std::stable_sort(unwritten_.begin(), unwritten_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::byte> run;
  std::uint64_t run_first = 0, run_next = 0;
  Status result = ok_status();
  auto write_run = [&]() {
    if (run.empty()) return;
    Status s = write_at(descriptors_offset_ + run_first * kKdumpPageDescSize, run);
    if (!s.ok() && result.ok()) result = s;
    run.clear();
  };
  for (const auto& [index, d] : unwritten_) {
    if (!run.empty() && index == run_next - 1) {
      run.resize(run.size() - kKdumpPageDescSize);  // the same pfn again: the later one wins
    } else if (run.empty() || index != run_next) {
      write_run();
      run_first = index;
    }
    le::append<std::uint64_t>(run, d.offset);
    le::append<std::uint32_t>(run, d.size);
    le::append<std::uint32_t>(run, d.flags);
    le::append<std::uint64_t>(run, 0);  // page_flags
    run_next = index + 1;
  }
  write_run();
  unwritten_.clear();
  ++stats_.flushes;
  if (!result.ok()) return fail(result.error());
  return ok_status();
}

Status KdumpWriter::flush() {
  if (failure_) return *failure_;
  VMSCOPE_CHECK(flush_data());
  return flush_descriptors();
}

Status KdumpWriter::finish(bool complete) {
  Status flushed = failure_ ? Status(*failure_) : flush();
  complete_ = complete && flushed.ok();
  Status header = write_headers();
  if (::fdatasync(fd_) != 0 && header.ok()) {
    header =
        Error(ErrorCode::kIo, "fdatasync of " + path_.string() + " failed: " + std::strerror(errno),
              {.name = path_.string()});
  }
  if (!flushed.ok()) return flushed;
  return header;
}

}  // namespace vmscope
