#include "receiver/kdump_writer.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <filesystem>

#include "dump/kdump_compressed.h"
#include "dump/kdump_header.h"
#include "dump/open_dump.h"
#include "receiver/page_compressor.h"

namespace vmscope {
namespace {

namespace fs = std::filesystem;
using dumpwire::PfnRange;

class KdumpWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "vmscope-kdump-writer-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  KdumpWriterConfig config(std::uint64_t max_pfn = 200) {
    KdumpWriterConfig c;
    c.max_pfn = max_pfn;
    c.nr_cpus = 2;
    c.phys_base = 0x1000000;
    c.utsname = {"Linux", "", "6.1.0-test", "", "x86_64", ""};
    c.timestamp = 1764430000;
    return c;
  }

  // Page `pfn` of the synthetic dump: recognisable bytes, compressible.
  static std::vector<std::byte> page(std::uint64_t pfn) {
    std::vector<std::byte> p(4096);
    for (std::size_t i = 0; i < p.size(); ++i)
      p[i] = static_cast<std::byte>((pfn * 31 + i / 64) & 0xff);
    return p;
  }

  std::unique_ptr<KdumpCompressedDump> reopen(const fs::path& path) {
    auto file = PosixFile::open(path.string());
    EXPECT_TRUE(file.ok());
    auto dump = KdumpCompressedDump::open(std::move(*file));
    EXPECT_TRUE(dump.ok()) << dump.error().to_string();
    return dump.ok() ? std::move(*dump) : nullptr;
  }

  static ErrorCode read_error(const Dump& dump, std::uint64_t pfn) {
    std::vector<std::byte> out(4096);
    Status s = dump.memory().read(pfn * 4096, out);
    return s.ok() ? ErrorCode::kInternal : s.error().code();
  }

  fs::path dir_;
};

TEST_F(KdumpWriterTest, WholeDumpReadsBackThroughTheDumpLayer) {
  fs::path path = dir_ / "vmcore";
  auto writer = KdumpWriter::create(path, config());
  ASSERT_TRUE(writer.ok()) << writer.error().to_string();
  KdumpWriter& w = **writer;
  std::vector<PfnRange> ram = {{0, 150}, {160, 40}};
  std::vector<PfnRange> dumpable = {{0, 100}, {160, 40}};  // 100..149 excluded (filtered)
  auto dropped = w.set_layout(ram, dumpable);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 0u);
  ASSERT_TRUE(w.set_vmcoreinfo("OSRELEASE=6.1.0-test\nPAGESIZE=4096\n").ok());
  PageCompressor c;
  for (std::uint64_t pfn = 0; pfn < 100; ++pfn) {
    auto p = page(pfn);
    std::vector<std::byte> stored;
    if (pfn % 3 == 0) {
      ASSERT_TRUE(w.add_page(pfn, 0, p).ok());
    } else if (pfn % 3 == 1) {
      ASSERT_TRUE(c.compress(PageCodec::kZstd, p, stored));
      ASSERT_TRUE(w.add_page(pfn, kKdumpPageZstd, stored).ok());
    } else {
      ASSERT_TRUE(c.compress(PageCodec::kZlib, p, stored));
      ASSERT_TRUE(w.add_page(pfn, kKdumpPageZlib, stored).ok());
    }
  }
  for (std::uint64_t pfn = 160; pfn < 200; ++pfn) ASSERT_TRUE(w.add_zero_page(pfn).ok());
  EXPECT_EQ(w.add_page(120, 0, page(120)).error().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(w.finish(true).ok());
  EXPECT_EQ(w.stats().pages, 140u);
  EXPECT_EQ(w.stats().zero_pages, 40u);

  auto dump = reopen(path);
  ASSERT_TRUE(dump);
  EXPECT_FALSE(dump->header().incomplete());
  EXPECT_EQ(dump->header().header_version, 6);
  EXPECT_EQ(dump->header().release, "6.1.0-test");
  EXPECT_EQ(dump->header().max_mapnr, 200u);
  EXPECT_EQ(dump->header().phys_base, 0x1000000u);
  EXPECT_EQ(dump->dumped_pages(), 140u);
  EXPECT_EQ(dump->notes().vmcoreinfo, "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n");
  std::vector<std::byte> out(4096);
  for (std::uint64_t pfn = 0; pfn < 100; ++pfn) {
    ASSERT_TRUE(dump->memory().read(pfn * 4096, out).ok()) << pfn;
    ASSERT_EQ(out, page(pfn)) << pfn;
  }
  ASSERT_TRUE(dump->memory().read(170 * 4096, out).ok());
  EXPECT_EQ(out, std::vector<std::byte>(4096));
  EXPECT_EQ(read_error(*dump, 120), ErrorCode::kPageExcluded);
  EXPECT_EQ(read_error(*dump, 155), ErrorCode::kAddressNotMapped);
  // The file is not overwritten by a second writer.
  EXPECT_EQ(KdumpWriter::create(path, config()).error().code(), ErrorCode::kIo);
}

TEST_F(KdumpWriterTest, PagesBeforeTheLayoutAndMissingPagesAreAbsent) {
  fs::path path = dir_ / "vmcore-incomplete";
  auto writer = KdumpWriter::create(path, config());
  ASSERT_TRUE(writer.ok());
  KdumpWriter& w = **writer;
  ASSERT_TRUE(w.add_page(5, 0, page(5)).ok());
  ASSERT_TRUE(w.add_page(7, 0, page(7)).ok());
  ASSERT_TRUE(w.add_page(150, 0, page(150)).ok());  // will turn out not to be dumpable
  ASSERT_TRUE(w.flush().ok());
  {
    // Readable at every moment: before the layout, kept pages read as absent, never wrong.
    auto dump = reopen(path);
    ASSERT_TRUE(dump);
    EXPECT_TRUE(dump->header().incomplete());
    EXPECT_EQ(read_error(*dump, 5), ErrorCode::kPageAbsent);
  }
  auto dropped = w.set_layout(std::vector<PfnRange>{{0, 200}}, std::vector<PfnRange>{{0, 100}});
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 1u);
  ASSERT_TRUE(w.add_page(9, 0, page(9)).ok());
  ASSERT_TRUE(w.finish(false).ok());
  auto dump = reopen(path);
  ASSERT_TRUE(dump);
  EXPECT_TRUE(dump->header().incomplete());
  std::vector<std::byte> out(4096);
  for (std::uint64_t pfn : {5, 7, 9}) {
    ASSERT_TRUE(dump->memory().read(pfn * 4096, out).ok()) << pfn;
    EXPECT_EQ(out, page(pfn));
  }
  EXPECT_EQ(read_error(*dump, 6), ErrorCode::kPageAbsent);  // never arrived: absent, not zeros
  EXPECT_EQ(read_error(*dump, 150), ErrorCode::kPageExcluded);
}

TEST_F(KdumpWriterTest, FrozenLayoutWhenMetaNeverCompletes) {
  fs::path path = dir_ / "vmcore-incomplete";
  auto c = config();
  c.max_pending_descriptors = 4;
  auto writer = KdumpWriter::create(path, c);
  ASSERT_TRUE(writer.ok());
  KdumpWriter& w = **writer;
  for (std::uint64_t pfn = 10; pfn < 16; ++pfn) ASSERT_TRUE(w.add_page(pfn, 0, page(pfn)).ok());
  EXPECT_TRUE(w.layout_frozen());  // the fifth kept descriptor froze it
  EXPECT_FALSE(w.set_layout(std::vector<PfnRange>{{0, 200}}, std::vector<PfnRange>{{0, 100}}).ok());
  ASSERT_TRUE(w.set_notes(std::vector<std::byte>(12, std::byte{0})).ok());
  ASSERT_TRUE(w.finish(false).ok());
  auto dump = reopen(path);
  ASSERT_TRUE(dump);
  std::vector<std::byte> out(4096);
  for (std::uint64_t pfn = 10; pfn < 16; ++pfn) {
    ASSERT_TRUE(dump->memory().read(pfn * 4096, out).ok()) << pfn;
    EXPECT_EQ(out, page(pfn));
  }
  EXPECT_EQ(read_error(*dump, 100), ErrorCode::kPageAbsent);
  ASSERT_TRUE(dump->header().notes);
  EXPECT_EQ(dump->header().notes->size, 12u);
}

TEST_F(KdumpWriterTest, RefusesBadPages) {
  auto writer = KdumpWriter::create(dir_ / "v", config());
  ASSERT_TRUE(writer.ok());
  KdumpWriter& w = **writer;
  std::vector<std::byte> short_page(100);
  EXPECT_FALSE(w.add_page(1, 0, short_page).ok());                                // raw, short
  EXPECT_FALSE(w.add_page(1, kKdumpPageZstd, page(1)).ok());                      // not shorter
  EXPECT_FALSE(w.add_page(1, kKdumpPageZstd | kKdumpPageZlib, short_page).ok());  // two codecs
  EXPECT_FALSE(w.add_page(1, 0x100, short_page).ok());                            // unknown
  EXPECT_FALSE(w.add_page(200, 0, page(1)).ok());                                 // past max_pfn
  EXPECT_FALSE(KdumpWriter::create(dir_ / "w", config(0)).ok());
  auto c = config(std::uint64_t{1} << 40);
  c.max_bitmap_bytes = 1 << 20;
  EXPECT_EQ(KdumpWriter::create(dir_ / "x", c).error().code(), ErrorCode::kLimitExceeded);
}

// A file-size limit stands in for a full disk (both end in a failed write): what was written
// before stays readable, later pages are refused, and the header still says incomplete.
TEST_F(KdumpWriterTest, FullDiskKeepsWhatWasWritten) {
  fs::path path = dir_ / "vmcore-incomplete";
  auto c = config(20000);
  c.buffer_bytes = 64 * 1024;
  auto writer = KdumpWriter::create(path, c);
  ASSERT_TRUE(writer.ok());
  KdumpWriter& w = **writer;
  ASSERT_TRUE(
      w.set_layout(std::vector<PfnRange>{{0, 20000}}, std::vector<PfnRange>{{0, 20000}}).ok());
  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = fs::file_size(path) + 256 * 1024;  // room for about 64 raw pages
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  std::uint64_t accepted = 0;
  Status last = ok_status();
  for (std::uint64_t pfn = 0; pfn < 1000 && last.ok(); ++pfn) {
    last = w.add_page(pfn, 0, page(pfn));
    if (last.ok()) ++accepted;
  }
  Status finished = w.finish(true);
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(last.ok());
  EXPECT_TRUE(w.out_of_space());
  EXPECT_FALSE(finished.ok());
  EXPECT_FALSE(w.add_page(999, 0, page(999)).ok());
  auto dump = reopen(path);
  ASSERT_TRUE(dump);
  EXPECT_TRUE(dump->header().incomplete());
  std::vector<std::byte> out(4096);
  std::uint64_t readable = 0;
  for (std::uint64_t pfn = 0; pfn < accepted; ++pfn) {
    Status s = dump->memory().read(pfn * 4096, out);
    if (s.ok()) {
      ++readable;
      ASSERT_EQ(out, page(pfn)) << pfn;
    } else {
      EXPECT_EQ(s.error().code(), ErrorCode::kPageAbsent) << pfn;
    }
  }
  EXPECT_GE(readable, 32u);  // the flushes before the limit
}

}  // namespace
}  // namespace vmscope
