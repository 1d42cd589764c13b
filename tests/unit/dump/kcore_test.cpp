#include "dump/kcore.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "dump/elf_notes.h"

namespace vmscope {
namespace {

template <typename T>
void put(std::vector<std::byte>& buf, std::size_t at, const T& value) {
  if (buf.size() < at + sizeof(T)) buf.resize(at + sizeof(T));
  std::memcpy(buf.data() + at, &value, sizeof(T));
}

void add_note(std::vector<std::byte>& out, std::string_view name, std::uint32_t type,
              const std::vector<std::byte>& desc) {
  std::size_t at = out.size();
  auto namesz = static_cast<std::uint32_t>(name.size() + 1);
  put(out, at, namesz);
  put(out, at + 4, static_cast<std::uint32_t>(desc.size()));
  put(out, at + 8, type);
  std::size_t desc_at = at + 12 + (namesz + 3) / 4 * 4;
  out.resize(desc_at + (desc.size() + 3) / 4 * 4);
  std::memcpy(out.data() + at + 12, name.data(), name.size());
  std::memcpy(out.data() + desc_at, desc.data(), desc.size());
}

struct Load {
  std::uint64_t vaddr, paddr, size;
  std::uint8_t fill;
};

// An ELF laid out as fs/proc/kcore.c writes it: notes first, then one PT_LOAD per kcore list
// entry with p_paddr = ~0 for entries that have no physical address.
std::vector<std::byte> kcore_image(const std::vector<Load>& loads, bool with_vmcoreinfo = true) {
  std::vector<std::byte> notes;
  add_note(notes, "CORE", NT_PRSTATUS, std::vector<std::byte>(kPrStatusSize));
  add_note(notes, "CORE", NT_PRPSINFO, std::vector<std::byte>(136));
  add_note(notes, "CORE", NT_TASKSTRUCT, std::vector<std::byte>(9000, std::byte{0x7f}));
  if (with_vmcoreinfo) {
    std::string text = "OSRELEASE=6.1.0\nPAGESIZE=4096\n";
    std::vector<std::byte> desc(text.size());
    std::memcpy(desc.data(), text.data(), text.size());
    add_note(notes, "VMCOREINFO", 0, desc);
  }
  std::size_t phnum = 1 + loads.size();
  std::uint64_t data_at = 64 + phnum * sizeof(Elf64_Phdr);
  std::vector<std::byte> out;
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_CORE;
  eh.e_machine = EM_X86_64;
  eh.e_phoff = 64;
  eh.e_ehsize = 64;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = static_cast<std::uint16_t>(phnum);
  put(out, 0, eh);
  Elf64_Phdr note_ph{};
  note_ph.p_type = PT_NOTE;
  note_ph.p_offset = data_at;
  note_ph.p_filesz = notes.size();
  put(out, 64, note_ph);
  out.resize(data_at);
  out.insert(out.end(), notes.begin(), notes.end());
  for (std::size_t i = 0; i < loads.size(); ++i) {
    Elf64_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_offset = out.size();
    ph.p_vaddr = loads[i].vaddr;
    ph.p_paddr = loads[i].paddr;
    ph.p_filesz = ph.p_memsz = loads[i].size;
    ph.p_align = 4096;
    put(out, 64 + (i + 1) * sizeof(Elf64_Phdr), ph);
    out.resize(out.size() + loads[i].size, std::byte{loads[i].fill});
  }
  return out;
}

class KcoreTest : public ::testing::Test {
 protected:
  void TearDown() override { std::remove(path_.c_str()); }
  void write(const std::vector<std::byte>& bytes) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  Result<std::unique_ptr<Kcore>> open(const std::vector<std::byte>& bytes) {
    write(bytes);
    auto file = PosixFile::open(path_);
    if (!file.ok()) return file.error();
    return Kcore::open(std::move(file).value());
  }
  std::string path_ = ::testing::TempDir() + "/" + std::to_string(::getpid()) + "-kcore_test.elf";
};

constexpr std::uint64_t kNoPaddr = ~0ull;

const std::vector<Load> kTypicalLoads = {
    {0xffffffff81000000, 0x1000000, 0x2000, 0x11},  // KCORE_TEXT, inside RAM
    {0xffffc90000000000, kNoPaddr, 0x3000, 0x22},   // KCORE_VMALLOC
    {0xffff888000000000, 0x0, 0x2000000, 0x33},     // KCORE_RAM
    {0xffffea0000000000, kNoPaddr, 0x1000, 0x44},   // KCORE_VMEMMAP
};

TEST_F(KcoreTest, RecognisedByItsProgramHeaders) {
  write(kcore_image(kTypicalLoads));
  auto opened = PosixFile::open(path_);
  ASSERT_TRUE(opened.ok());
  auto header = read_elf_core_header(**opened);
  ASSERT_TRUE(header.ok()) << header.error().to_string();
  EXPECT_TRUE(looks_like_kcore(*header));

  ElfCoreHeader vmcore;
  vmcore.segments = {{.index = 0, .type = PT_LOAD, .paddr = 0, .memsz = 0x1000},
                     {.index = 1, .type = PT_LOAD, .paddr = 0x100000, .memsz = 0x1000}};
  EXPECT_FALSE(looks_like_kcore(vmcore));
  // One segment at physical 0 is an ordinary vmcore; several all at 0 is an old kcore.
  vmcore.segments[1].paddr = 0;
  EXPECT_TRUE(looks_like_kcore(vmcore));
}

TEST_F(KcoreTest, PhysicalMemoryIsTheRamAndTextSegments) {
  auto kcore = open(kcore_image(kTypicalLoads));
  ASSERT_TRUE(kcore.ok()) << kcore.error().to_string();
  EXPECT_EQ((*kcore)->format_name(), "kcore");
  const PhysicalMemory& mem = (*kcore)->memory();
  auto ranges = mem.ranges();
  ASSERT_EQ(ranges.size(), 1u);  // RAM; text lies inside it; vmalloc/vmemmap have no paddr
  EXPECT_EQ(ranges[0].start, 0u);
  EXPECT_EQ(ranges[0].size, 0x2000000u);
  std::vector<std::byte> buf(16);
  ASSERT_TRUE(mem.read(0x1000ff8, buf).ok());
  // Text and RAM differ here (a synthetic file); kcore does not compare live copies, and the
  // RAM segment (lower p_paddr) provides the bytes.
  EXPECT_EQ(buf[0], std::byte{0x33});
  EXPECT_EQ(mem.read(0x2000000, buf).error().code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ((*kcore)->segments().size(), 5u);  // all program headers stay visible
}

TEST_F(KcoreTest, KeepsVmcoreinfoDropsTheZeroRegistersAndTheReadersTask) {
  auto kcore = open(kcore_image(kTypicalLoads));
  ASSERT_TRUE(kcore.ok()) << kcore.error().to_string();
  const DumpNotes& notes = (*kcore)->notes();
  EXPECT_EQ(notes.vmcoreinfo, "OSRELEASE=6.1.0\nPAGESIZE=4096\n");
  EXPECT_TRUE(notes.prstatus.empty());
  EXPECT_FALSE(notes.panic_task.has_value());
  EXPECT_TRUE((*kcore)->problems().empty());
}

// A kcore is a running kernel's memory; any other dump is a crash's (or a snapshot's).
class SomeVmcore final : public Dump {
 public:
  const PhysicalMemory& memory() const override { return *memory_; }
  const DumpNotes& notes() const override { return notes_; }
  std::string format_name() const override { return "elf"; }
  const std::vector<Error>& problems() const override { return problems_; }

 private:
  std::unique_ptr<PhysicalMemory> memory_;
  DumpNotes notes_;
  std::vector<Error> problems_;
};

TEST_F(KcoreTest, IsALiveKernelAndAVmcoreIsNot) {
  auto kcore = open(kcore_image(kTypicalLoads));
  ASSERT_TRUE(kcore.ok()) << kcore.error().to_string();
  EXPECT_TRUE(is_live_kernel(**kcore));
  EXPECT_FALSE(is_live_kernel(SomeVmcore()));
}

TEST_F(KcoreTest, OldKernelsWithoutPhysicalAddressesAreUnsupported) {
  auto kcore =
      open(kcore_image({{0xffffffff81000000, 0, 0x1000, 1}, {0xffff888000000000, 0, 0x1000, 2}}));
  ASSERT_FALSE(kcore.ok());
  EXPECT_EQ(kcore.error().code(), ErrorCode::kUnsupported);

  auto none = open(kcore_image({{0xffffc90000000000, kNoPaddr, 0x1000, 1}}));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::kUnsupported);
}

// The real thing, when this machine has one and we may read it (root).
TEST(LiveKcoreTest, OpensAndReadsTheFirstRamPage) {
  if (::access("/proc/kcore", R_OK) != 0) {
    GTEST_SKIP()
        << "vmscope-skip: /proc/kcore is not readable here (no CONFIG_PROC_KCORE, or not root)";
  }
  auto file = PosixFile::open("/proc/kcore");
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  auto kcore = Kcore::open(std::move(file).value());
  ASSERT_TRUE(kcore.ok()) << kcore.error().to_string();
  auto ranges = (*kcore)->memory().ranges();
  ASSERT_FALSE(ranges.empty());
  std::vector<std::byte> page(4096);
  std::uint64_t paddr = (ranges[0].start + 4095) / 4096 * 4096;
  Status s = (*kcore)->memory().read(paddr, page);
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_TRUE((*kcore)->notes().vmcoreinfo.has_value());
}

}  // namespace
}  // namespace vmscope
