#include "dump/elf_vmcore.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>

#include "dump/elf_notes.h"

namespace vmscope {
namespace {

// ---- a synthetic ELF core writer ------------------------------------------------------------

std::vector<std::byte> bytes_of(std::string_view s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

// `n` bytes whose value depends on `seed` and the position, so misplaced reads show.
std::vector<std::byte> pattern(std::size_t n, std::uint8_t seed) {
  std::vector<std::byte> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = std::byte(static_cast<std::uint8_t>(seed + i * 7));
  return out;
}

template <typename T>
void put(std::vector<std::byte>& buf, std::size_t at, const T& value) {
  if (buf.size() < at + sizeof(T)) buf.resize(at + sizeof(T));
  std::memcpy(buf.data() + at, &value, sizeof(T));
}

// One ELF note: header, name padded to `align`, descriptor padded to `align`.
std::vector<std::byte> note(std::string_view name, std::uint32_t type,
                            const std::vector<std::byte>& desc, std::uint32_t namesz,
                            std::uint32_t align = 4) {
  std::vector<std::byte> out;
  put(out, 0, namesz);
  put(out, 4, static_cast<std::uint32_t>(desc.size()));
  put(out, 8, type);
  std::size_t name_pad = (namesz + align - 1) / align * align;
  out.resize(12 + name_pad);
  std::memcpy(out.data() + 12, name.data(), std::min<std::size_t>(name.size(), namesz));
  std::size_t desc_at = out.size();
  out.resize(desc_at + (desc.size() + align - 1) / align * align);
  std::memcpy(out.data() + desc_at, desc.data(), desc.size());
  return out;
}

std::vector<std::byte> note(std::string_view name, std::uint32_t type,
                            const std::vector<std::byte>& desc) {
  return note(name, type, desc, static_cast<std::uint32_t>(name.size() + 1));
}

std::vector<std::byte> prstatus(std::int32_t pid, std::uint64_t reg_base) {
  std::vector<std::byte> desc(kPrStatusSize);
  put(desc, kPrStatusPidOffset, pid);
  for (std::size_t i = 0; i < kPrStatusRegCount; ++i) {
    put(desc, kPrStatusRegsOffset + i * 8, reg_base + i);
  }
  return desc;
}

struct Seg {
  std::uint32_t type = PT_LOAD;
  std::uint64_t paddr = 0;
  std::vector<std::byte> data;          // the stored bytes (p_filesz = data.size())
  std::optional<std::uint64_t> memsz;   // default: data.size()
  std::optional<std::uint64_t> offset;  // default: laid out after the previous one
  std::uint64_t vaddr = 0;
  std::uint64_t align = 0;
};

struct ElfImage {
  std::uint64_t phoff = 64;
  bool extended_numbering = false;  // e_phnum = PN_XNUM, count in section header 0
  std::vector<Seg> segs;
  std::function<void(Elf64_Ehdr&)> tweak_header;

  std::vector<std::byte> build() const {
    std::vector<std::byte> out;
    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_CORE;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_phoff = phoff;
    eh.e_ehsize = sizeof(Elf64_Ehdr);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = static_cast<std::uint16_t>(segs.size());
    std::uint64_t data_at = phoff + segs.size() * sizeof(Elf64_Phdr);
    if (extended_numbering) {
      eh.e_phnum = PN_XNUM;
      eh.e_shoff = data_at;
      eh.e_shentsize = sizeof(Elf64_Shdr);
      eh.e_shnum = 0;
      Elf64_Shdr sh{};
      sh.sh_info = static_cast<std::uint32_t>(segs.size());
      put(out, data_at, sh);
      data_at += sizeof(Elf64_Shdr);
    }
    if (tweak_header) tweak_header(eh);
    put(out, 0, eh);
    for (std::size_t i = 0; i < segs.size(); ++i) {
      const Seg& s = segs[i];
      std::uint64_t offset = s.offset.value_or(data_at);
      Elf64_Phdr ph{};
      ph.p_type = s.type;
      ph.p_offset = offset;
      ph.p_vaddr = s.vaddr;
      ph.p_paddr = s.paddr;
      ph.p_filesz = s.data.size();
      ph.p_memsz = s.memsz.value_or(s.data.size());
      ph.p_align = s.align;
      put(out, phoff + i * sizeof(Elf64_Phdr), ph);
      if (!s.data.empty()) {
        if (out.size() < offset + s.data.size()) out.resize(offset + s.data.size());
        std::memcpy(out.data() + offset, s.data.data(), s.data.size());
      }
      if (!s.offset) data_at += s.data.size();
    }
    return out;
  }
};

class ElfVmcoreTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const auto& p : paths_) std::remove(p.c_str());
  }

  std::string write(const std::vector<std::byte>& bytes, std::size_t keep = SIZE_MAX) {
    std::string path = ::testing::TempDir() + "/" + std::to_string(::getpid()) +
                       "-elf_vmcore_test_" + std::to_string(paths_.size()) + ".elf";
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(std::min(keep, bytes.size())));
    paths_.push_back(path);
    return path;
  }

  Result<std::unique_ptr<ElfVmcore>> open(const std::vector<std::byte>& bytes,
                                          std::size_t keep = SIZE_MAX) {
    auto file = PosixFile::open(write(bytes, keep));
    if (!file.ok()) return file.error();
    return ElfVmcore::open(std::move(file).value());
  }

  std::vector<std::string> paths_;
};

std::vector<std::byte> read_or_fail(const PhysicalMemory& mem, std::uint64_t paddr, std::size_t n) {
  std::vector<std::byte> out(n);
  Status s = mem.read(paddr, out);
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  return out;
}

std::vector<std::byte> slice(const std::vector<std::byte>& v, std::size_t at, std::size_t n) {
  return std::vector<std::byte>(v.begin() + static_cast<std::ptrdiff_t>(at),
                                v.begin() + static_cast<std::ptrdiff_t>(at + n));
}

// ---- memory ---------------------------------------------------------------------------------

TEST_F(ElfVmcoreTest, ReadsSegmentsByPhysicalAddressAndAcrossAdjacentSegments) {
  auto low = pattern(0x2000, 1), high = pattern(0x1000, 99);
  ElfImage image;
  // Adjacent in physical memory, in reverse order in the file and header table.
  image.segs = {{.paddr = 0x12000, .data = high, .vaddr = 0xffff888000012000},
                {.paddr = 0x10000, .data = low}};
  auto dump = open(image.build());
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  const PhysicalMemory& mem = (*dump)->memory();

  EXPECT_EQ(read_or_fail(mem, 0x10000, 16), slice(low, 0, 16));
  EXPECT_EQ(read_or_fail(mem, 0x12ff0, 16), slice(high, 0xff0, 16));
  auto across = read_or_fail(mem, 0x11ff8, 16);
  auto expected = slice(low, 0x1ff8, 8);
  auto tail = slice(high, 0, 8);
  expected.insert(expected.end(), tail.begin(), tail.end());
  EXPECT_EQ(across, expected);

  auto ranges = mem.ranges();
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].start, 0x10000u);
  EXPECT_EQ(ranges[0].size, 0x3000u);
  EXPECT_EQ((*dump)->format_name(), "elf");
  EXPECT_EQ((*dump)->segments().size(), 2u);
  EXPECT_EQ((*dump)->segments()[0].vaddr, 0xffff888000012000u);
  EXPECT_TRUE((*dump)->problems().empty());
}

TEST_F(ElfVmcoreTest, AddressesOutsideEverySegmentAreNotMappedWithTheFirstMissingAddress) {
  ElfImage image;
  image.segs = {{.paddr = 0x1000, .data = pattern(0x1000, 3)},
                {.paddr = 0x4000, .data = pattern(0x1000, 4)}};
  auto dump = open(image.build());
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  std::vector<std::byte> buf(32);
  for (std::uint64_t addr : {0x0ull, 0x2000ull, 0x3fffull, 0x5000ull, ~0ull - 8}) {
    Status s = (*dump)->memory().read(addr, buf);
    ASSERT_FALSE(s.ok()) << std::hex << addr;
    EXPECT_EQ(s.error().code(), ErrorCode::kAddressNotMapped);
    EXPECT_EQ(s.error().payload().address, addr);
  }
  // A read that starts inside and runs into the gap names the first missing byte.
  Status s = (*dump)->memory().read(0x1ff0, buf);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(s.error().payload().physical, 0x2000u);
  EXPECT_EQ((*dump)->memory().ranges().size(), 2u);
}

TEST_F(ElfVmcoreTest, BytesPastFileSizeAreExcludedNotZero) {
  auto data = pattern(0x1000, 5);
  ElfImage image;
  image.segs = {{.paddr = 0x100000, .data = data, .memsz = 0x3000},
                {.paddr = 0x200000, .data = {}, .memsz = 0x1000}};  // QEMU: not saved at all
  auto dump = open(image.build());
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  const PhysicalMemory& mem = (*dump)->memory();
  EXPECT_EQ(read_or_fail(mem, 0x100ff0, 16), slice(data, 0xff0, 16));
  std::vector<std::byte> buf(16);
  for (std::uint64_t addr : {0x100ff8ull, 0x101000ull, 0x102ff0ull, 0x200000ull}) {
    Status s = mem.read(addr, buf);
    ASSERT_FALSE(s.ok()) << std::hex << addr;
    EXPECT_EQ(s.error().code(), ErrorCode::kPageExcluded) << std::hex << addr;
    EXPECT_EQ(s.error().payload().physical, std::max<std::uint64_t>(addr, 0x101000u));
  }
  auto ranges = mem.ranges();  // described memory includes the unsaved part
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0].size, 0x3000u);
  EXPECT_EQ(ranges[1].size, 0x1000u);
}

TEST_F(ElfVmcoreTest, OverlappingSegmentsWithEqualBytesAreAliases) {
  // kdump's kernel-text segment and QEMU's paging dumps describe some memory twice.
  auto ram = pattern(0x4000, 7);
  ElfImage image;
  image.segs = {{.paddr = 0x1000, .data = slice(ram, 0x1000, 0x2000), .vaddr = 0xffffffff81000000},
                {.paddr = 0x0, .data = ram, .vaddr = 0xffff888000000000},
                {.paddr = 0x3000, .data = slice(ram, 0x3000, 0x1000)}};
  auto dump = open(image.build());
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  EXPECT_EQ(read_or_fail((*dump)->memory(), 0, 0x4000), ram);
  auto ranges = (*dump)->memory().ranges();
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].size, 0x4000u);
}

TEST_F(ElfVmcoreTest, OverlappingSegmentsWithDifferentBytesAreCorrupt) {
  ElfImage image;
  image.segs = {{.paddr = 0x0, .data = pattern(0x2000, 1)},
                {.paddr = 0x1000, .data = pattern(0x2000, 2)}};
  auto dump = open(image.build());
  ASSERT_FALSE(dump.ok());
  EXPECT_EQ(dump.error().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(dump.error().payload().physical, 0x1000u);
  EXPECT_TRUE(dump.error().payload().offset.has_value());
}

TEST_F(ElfVmcoreTest, StoredBytesWinOverAnotherSegmentsUnsavedTail) {
  auto data = pattern(0x1000, 9);
  ElfImage image;
  image.segs = {{.paddr = 0x0, .data = {}, .memsz = 0x3000}, {.paddr = 0x1000, .data = data}};
  auto dump = open(image.build());
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  const PhysicalMemory& mem = (*dump)->memory();
  EXPECT_EQ(read_or_fail(mem, 0x1000, 0x1000), data);
  std::vector<std::byte> buf(8);
  EXPECT_EQ(mem.read(0x0, buf).error().code(), ErrorCode::kPageExcluded);
  EXPECT_EQ(mem.read(0x2000, buf).error().code(), ErrorCode::kPageExcluded);
  EXPECT_EQ(mem.ranges().size(), 1u);
}

TEST_F(ElfVmcoreTest, TruncatedMemoryOpensAndReportsAbsentPages) {
  auto data = pattern(0x3000, 11);
  ElfImage image;
  image.segs = {{.paddr = 0x0, .data = data}, {.paddr = 0x10000, .data = pattern(0x1000, 12)}};
  auto bytes = image.build();
  std::size_t header = bytes.size() - 0x4000;
  auto dump = open(bytes, header + 0x1800);  // cut in the middle of the first segment
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  ASSERT_EQ((*dump)->problems().size(), 1u);
  EXPECT_EQ((*dump)->problems()[0].code(), ErrorCode::kTruncated);
  EXPECT_EQ((*dump)->problems()[0].payload().offset, header + 0x1800);

  const PhysicalMemory& mem = (*dump)->memory();
  EXPECT_EQ(read_or_fail(mem, 0x17f0, 16), slice(data, 0x17f0, 16));
  std::vector<std::byte> buf(32);
  Status partial = mem.read(0x17f0, buf);
  ASSERT_FALSE(partial.ok());
  EXPECT_EQ(partial.error().code(), ErrorCode::kPageAbsent);
  EXPECT_EQ(partial.error().payload().physical, 0x1800u);
  EXPECT_EQ(partial.error().payload().offset, header + 0x1800);
  EXPECT_EQ(mem.read(0x10000, buf).error().code(), ErrorCode::kPageAbsent);
  EXPECT_EQ(mem.ranges().size(), 2u);  // still described
}

TEST_F(ElfVmcoreTest, SegmentOffsetsFarPastTheEndAreAbsent) {
  ElfImage image;
  image.segs = {{.paddr = 0x0, .data = pattern(0x100, 1)}};
  auto bytes = image.build();
  Elf64_Phdr ph;
  std::memcpy(&ph, bytes.data() + 64, sizeof ph);
  ph.p_offset = 1ull << 40;
  std::memcpy(bytes.data() + 64, &ph, sizeof ph);
  auto dump = open(bytes);
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  std::vector<std::byte> buf(8);
  EXPECT_EQ((*dump)->memory().read(0, buf).error().code(), ErrorCode::kPageAbsent);
}

TEST_F(ElfVmcoreTest, ConcurrentReadsAgree) {
  auto data = pattern(0x10000, 13);
  ElfImage image;
  image.segs = {{.paddr = 0x0, .data = slice(data, 0, 0x8000)},
                {.paddr = 0x8000, .data = slice(data, 0x8000, 0x8000)}};
  auto dump = open(image.build());
  ASSERT_TRUE(dump.ok());
  const PhysicalMemory& mem = (*dump)->memory();
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::byte> buf(0x100);
      for (std::uint64_t a = static_cast<std::uint64_t>(t) * 0x40; a + 0x100 <= 0x10000;
           a += 0x3f1) {
        if (!mem.read(a, buf).ok() || buf != slice(data, a, 0x100)) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(ElfVmcoreTest, ZeroSizedLoadsAreIgnoredButNoMemoryAtAllIsCorrupt) {
  ElfImage with_empty;
  with_empty.segs = {{.paddr = 0x5000, .data = {}}, {.paddr = 0x0, .data = pattern(0x100, 1)}};
  auto ok = open(with_empty.build());
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ((*ok)->memory().ranges().size(), 1u);

  ElfImage notes_only;
  notes_only.segs = {{.type = PT_NOTE, .data = note("CORE", NT_PRSTATUS, prstatus(1, 0))}};
  auto none = open(notes_only.build());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::kCorrupt);
}

// ---- headers --------------------------------------------------------------------------------

TEST_F(ElfVmcoreTest, ProgramHeadersAtAnyOffsetAsQemuWritesThem) {
  auto data = pattern(0x100, 21);
  ElfImage image;
  image.phoff = 192;
  image.segs = {{.paddr = 0x1000, .data = data}};
  auto dump = open(image.build());
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  EXPECT_EQ(read_or_fail((*dump)->memory(), 0x1000, 0x100), data);
}

TEST_F(ElfVmcoreTest, ExtendedProgramHeaderNumbering) {
  ElfImage image;
  image.extended_numbering = true;
  image.segs = {{.paddr = 0x0, .data = pattern(0x10, 1)},
                {.paddr = 0x1000, .data = pattern(0x10, 2)},
                {.paddr = 0x2000, .data = pattern(0x10, 3)}};
  auto dump = open(image.build());
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  EXPECT_EQ((*dump)->segments().size(), 3u);
  EXPECT_EQ(read_or_fail((*dump)->memory(), 0x2000, 0x10), pattern(0x10, 3));

  image.tweak_header = [](Elf64_Ehdr& eh) { eh.e_shoff = 0; };
  auto broken = open(image.build());
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code(), ErrorCode::kCorrupt);
}

struct HeaderCase {
  const char* what;
  std::function<void(Elf64_Ehdr&)> tweak;
  ErrorCode expected;
};

TEST_F(ElfVmcoreTest, BrokenHeadersGiveSpecificErrors) {
  std::vector<HeaderCase> cases = {
      {"32-bit", [](Elf64_Ehdr& eh) { eh.e_ident[EI_CLASS] = ELFCLASS32; },
       ErrorCode::kUnsupported},
      {"big-endian", [](Elf64_Ehdr& eh) { eh.e_ident[EI_DATA] = ELFDATA2MSB; },
       ErrorCode::kUnsupported},
      {"vmlinux, not a core", [](Elf64_Ehdr& eh) { eh.e_type = ET_EXEC; }, ErrorCode::kUnsupported},
      {"arm64", [](Elf64_Ehdr& eh) { eh.e_machine = EM_AARCH64; }, ErrorCode::kUnsupported},
      {"bad magic", [](Elf64_Ehdr& eh) { eh.e_ident[1] = 'X'; }, ErrorCode::kUnsupported},
      {"phentsize", [](Elf64_Ehdr& eh) { eh.e_phentsize = 32; }, ErrorCode::kCorrupt},
      {"no phdrs", [](Elf64_Ehdr& eh) { eh.e_phnum = 0; }, ErrorCode::kCorrupt},
      {"phnum past EOF", [](Elf64_Ehdr& eh) { eh.e_phnum = 60000; }, ErrorCode::kTruncated},
      {"phoff past EOF", [](Elf64_Ehdr& eh) { eh.e_phoff = 1ull << 62; }, ErrorCode::kTruncated},
      {"phoff inside ehdr", [](Elf64_Ehdr& eh) { eh.e_phoff = 8; }, ErrorCode::kCorrupt},
  };
  for (const auto& c : cases) {
    ElfImage image;
    image.segs = {{.paddr = 0x0, .data = pattern(0x100, 1)}};
    image.tweak_header = c.tweak;
    auto dump = open(image.build());
    ASSERT_FALSE(dump.ok()) << c.what;
    EXPECT_EQ(dump.error().code(), c.expected) << c.what << ": " << dump.error().to_string();
    EXPECT_TRUE(dump.error().payload().offset.has_value()) << c.what;
  }
}

TEST_F(ElfVmcoreTest, TruncatedHeadersAreTruncated) {
  ElfImage image;
  image.segs = {{.paddr = 0x0, .data = pattern(0x100, 1)}, {.paddr = 0x1000, .data = {}}};
  auto bytes = image.build();
  for (std::size_t keep :
       {std::size_t{0}, std::size_t{10}, std::size_t{63}, std::size_t{64 + 56 + 20}}) {
    auto dump = open(bytes, keep);
    ASSERT_FALSE(dump.ok()) << keep;
    EXPECT_EQ(dump.error().code(), ErrorCode::kTruncated)
        << keep << ": " << dump.error().to_string();
  }
}

TEST_F(ElfVmcoreTest, ImpossibleSegmentsAreCorruptWithTheirHeaderOffset) {
  ElfImage image;
  image.segs = {{.paddr = 0x0, .data = pattern(0x100, 1), .memsz = 0x80}};
  auto dump = open(image.build());
  ASSERT_FALSE(dump.ok());
  EXPECT_EQ(dump.error().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(dump.error().payload().offset, 64u);

  ElfImage wraps;
  wraps.segs = {{.paddr = ~0ull - 0x10, .data = pattern(0x100, 1)}};
  auto wrapped = open(wraps.build());
  ASSERT_FALSE(wrapped.ok());
  EXPECT_EQ(wrapped.error().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(wrapped.error().payload().physical, ~0ull - 0x10);

  ElfImage offset_wraps;
  offset_wraps.segs = {{.paddr = 0, .data = pattern(0x100, 1)}};
  auto bytes = offset_wraps.build();
  Elf64_Phdr ph;
  std::memcpy(&ph, bytes.data() + 64, sizeof ph);
  ph.p_offset = ~0ull - 0x10;
  std::memcpy(bytes.data() + 64, &ph, sizeof ph);
  auto bad = open(bytes);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kCorrupt);
}

// ---- notes ----------------------------------------------------------------------------------

TEST_F(ElfVmcoreTest, CollectsPrStatusVmcoreinfoQemuAndNetdumpNotes) {
  std::vector<std::byte> notes;
  auto append = [&](const std::vector<std::byte>& n) {
    notes.insert(notes.end(), n.begin(), n.end());
  };
  append(note("CORE", NT_PRSTATUS, prstatus(1, 100)));
  append(note("QEMU", 0, pattern(0x1b8, 3)));
  append(note("CORE", NT_PRSTATUS, prstatus(2, 200)));
  append(note("VMCOREINFO", 0, bytes_of(std::string("OSRELEASE=6.1.0\nPAGESIZE=4096\n\0\0", 31))));
  std::vector<std::byte> task(8);
  put(task, 0, std::uint64_t{0xffff888012345678});
  append(note("CORE", NT_TASKSTRUCT, task, /*namesz=*/4));  // netdump: no NUL counted

  ElfImage image;
  image.phoff = 192;
  image.segs = {{.type = PT_NOTE, .data = notes}, {.paddr = 0, .data = pattern(0x100, 1)}};
  auto dump = open(image.build());
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  const DumpNotes& n = (*dump)->notes();
  ASSERT_EQ(n.prstatus.size(), 2u);
  EXPECT_EQ(n.prstatus[0].index, 0u);
  EXPECT_EQ(n.prstatus[0].pid, 1);
  EXPECT_EQ(n.prstatus[1].index, 1u);
  EXPECT_EQ(n.prstatus[1].pid, 2);
  ASSERT_EQ(n.prstatus[1].registers.size(), kPrStatusRegCount);
  EXPECT_EQ(n.prstatus[1].registers[0], 200u);
  EXPECT_EQ(n.prstatus[1].registers[26], 226u);
  ASSERT_TRUE(n.vmcoreinfo.has_value());
  EXPECT_EQ(*n.vmcoreinfo, "OSRELEASE=6.1.0\nPAGESIZE=4096\n");
  ASSERT_EQ(n.qemu_cpu_state.size(), 1u);
  EXPECT_EQ(n.qemu_cpu_state[0], pattern(0x1b8, 3));
  EXPECT_EQ(n.panic_task, 0xffff888012345678u);
  EXPECT_TRUE((*dump)->problems().empty());
}

TEST_F(ElfVmcoreTest, MalformedNotesAreProblemsNotFailures) {
  std::vector<std::byte> notes = note("CORE", NT_PRSTATUS, prstatus(1, 0));
  auto short_one = note("CORE", NT_PRSTATUS, pattern(100, 1));
  notes.insert(notes.end(), short_one.begin(), short_one.end());
  auto third = note("CORE", NT_PRSTATUS, prstatus(3, 0));
  notes.insert(notes.end(), third.begin(), third.end());
  std::size_t bad_at = notes.size();
  auto overlong = note("VMCOREINFO", 0, bytes_of("X=1\n"));
  put(overlong, 4, std::uint32_t{1000});  // descsz past the segment
  notes.insert(notes.end(), overlong.begin(), overlong.end());

  ElfImage image;
  image.segs = {{.type = PT_NOTE, .data = notes}, {.paddr = 0, .data = pattern(0x100, 1)}};
  auto dump = open(image.build());
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  const DumpNotes& n = (*dump)->notes();
  ASSERT_EQ(n.prstatus.size(), 2u);
  EXPECT_EQ(n.prstatus[1].index, 2u);  // the short note keeps CPU 1's place
  EXPECT_EQ(n.prstatus[1].pid, 3);
  EXPECT_FALSE(n.vmcoreinfo.has_value());
  ASSERT_EQ((*dump)->problems().size(), 2u);
  for (const Error& e : (*dump)->problems()) EXPECT_EQ(e.code(), ErrorCode::kCorrupt);
  std::uint64_t notes_at = 64 + 2 * sizeof(Elf64_Phdr);
  EXPECT_EQ((*dump)->problems()[1].payload().offset, notes_at + bad_at);
}

TEST_F(ElfVmcoreTest, NoteSegmentPastTheEndIsTruncated) {
  ElfImage image;
  image.segs = {{.type = PT_NOTE, .data = note("CORE", NT_PRSTATUS, prstatus(1, 0))},
                {.paddr = 0, .data = pattern(0x100, 1)}};
  auto bytes = image.build();
  auto dump = open(bytes, 64 + 2 * sizeof(Elf64_Phdr) + 40);
  ASSERT_FALSE(dump.ok());
  EXPECT_EQ(dump.error().code(), ErrorCode::kTruncated);
}

}  // namespace
}  // namespace vmscope
