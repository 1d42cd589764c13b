#include "dump/open_dump.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

namespace vmscope {
namespace {

std::vector<std::byte> bytes_of(std::string_view s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

TEST(DetectDumpFormatTest, Signatures) {
  EXPECT_EQ(detect_dump_format(bytes_of("\x7f"
                                        "ELF\x02\x01\x01")),
            DumpFormat::kElf);
  EXPECT_EQ(detect_dump_format(bytes_of("KDUMP   \x06\x00\x00\x00")), DumpFormat::kKdumpCompressed);
  EXPECT_EQ(detect_dump_format(bytes_of("DISKDUMP")), DumpFormat::kKdumpCompressed);
  EXPECT_EQ(detect_dump_format(bytes_of(std::string_view("makedumpfile\0\0\0\0\0\0\0\0", 20))),
            DumpFormat::kFlattened);
  // Near misses.
  EXPECT_EQ(detect_dump_format(bytes_of("KDUMP")), DumpFormat::kUnknown);
  EXPECT_EQ(detect_dump_format(bytes_of("KDUMP  X")), DumpFormat::kUnknown);
  EXPECT_EQ(detect_dump_format(bytes_of("makedumpfile-R")), DumpFormat::kUnknown);
  EXPECT_EQ(detect_dump_format(bytes_of("\x7f"
                                        "EL")),
            DumpFormat::kUnknown);
  EXPECT_EQ(detect_dump_format({}), DumpFormat::kUnknown);
}

TEST(DescribeLeadingBytesTest, HexTextAndHints) {
  EXPECT_EQ(describe_leading_bytes(bytes_of("AB\x01")), "first bytes 41 42 01 (\"AB.\")");
  EXPECT_NE(describe_leading_bytes(bytes_of("\x1f\x8b\x08\x00")).find("gzip"), std::string::npos);
  EXPECT_NE(describe_leading_bytes(bytes_of("\x28\xb5\x2f\xfd")).find("zstd"), std::string::npos);
  EXPECT_EQ(describe_leading_bytes({}), "the file is empty");
  std::string long_one = describe_leading_bytes(bytes_of(std::string(100, 'z')));
  EXPECT_NE(long_one.find(std::string(16, 'z')), std::string::npos);
  EXPECT_EQ(long_one.find(std::string(17, 'z')), std::string::npos);
}

class OpenDumpTest : public ::testing::Test {
 protected:
  void TearDown() override { std::remove(path_.c_str()); }
  std::string write(const std::vector<std::byte>& bytes) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return path_;
  }
  std::string path_ =
      ::testing::TempDir() + "/" + std::to_string(::getpid()) + "-open_dump_test.bin";
};

// A one-segment ELF core whose PT_LOAD has the given physical address.
std::vector<std::byte> tiny_elf(std::uint64_t paddr, std::uint64_t paddr2) {
  std::vector<std::byte> out(64 + 2 * sizeof(Elf64_Phdr) + 0x2000);
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_type = ET_CORE;
  eh.e_machine = EM_X86_64;
  eh.e_phoff = 64;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 2;
  std::memcpy(out.data(), &eh, sizeof eh);
  std::uint64_t paddrs[2] = {paddr, paddr2};
  for (int i = 0; i < 2; ++i) {
    Elf64_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_offset = 64 + 2 * sizeof(Elf64_Phdr) + static_cast<std::uint64_t>(i) * 0x1000;
    ph.p_paddr = paddrs[i];
    ph.p_filesz = ph.p_memsz = 0x1000;
    std::memcpy(out.data() + 64 + i * sizeof ph, &ph, sizeof ph);
    std::memset(out.data() + ph.p_offset, 0x5a + i, 0x1000);
  }
  return out;
}

TEST_F(OpenDumpTest, ElfVmcoreByContent) {
  auto dump = open_dump(write(tiny_elf(0x1000, 0x2000)));
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  EXPECT_EQ((*dump)->format_name(), "elf");
  std::vector<std::byte> buf(2);
  ASSERT_TRUE((*dump)->memory().read(0x1fff, buf).ok());
  EXPECT_EQ(buf[0], std::byte{0x5a});
  EXPECT_EQ(buf[1], std::byte{0x5b});
}

// A truncated dump opens, and every reader's findings reach the caller through the common
// Dump interface, not only through the concrete reader's type.
TEST_F(OpenDumpTest, ProblemsAreVisibleThroughTheDumpInterface) {
  std::vector<std::byte> whole = tiny_elf(0x1000, 0x2000);
  auto healthy = open_dump(write(whole));
  ASSERT_TRUE(healthy.ok()) << healthy.error().to_string();
  EXPECT_TRUE((*healthy)->problems().empty());

  whole.resize(whole.size() - 0x800);  // the second segment loses its last half page
  auto truncated = open_dump(write(whole));
  ASSERT_TRUE(truncated.ok()) << truncated.error().to_string();
  const Dump& dump = **truncated;
  ASSERT_EQ(dump.problems().size(), 1u);
  EXPECT_EQ(dump.problems()[0].code(), ErrorCode::kTruncated);
  std::vector<std::byte> buf(1);
  EXPECT_TRUE(dump.memory().read(0x2000, buf).ok());
  EXPECT_EQ(dump.memory().read(0x2fff, buf).error().code(), ErrorCode::kPageAbsent);
}

TEST_F(OpenDumpTest, KcoreByContent) {
  auto dump = open_dump(write(tiny_elf(0x0, ~0ull)));
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  EXPECT_EQ((*dump)->format_name(), "kcore");
  EXPECT_EQ((*dump)->memory().ranges().size(), 1u);
}

TEST_F(OpenDumpTest, UnknownEmptyAndMissingFiles) {
  auto text = open_dump(write(bytes_of("hello, this is not a dump\n")));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(text.error().message().find("68 65 6c 6c 6f"), std::string::npos)
      << text.error().message();
  EXPECT_EQ(text.error().payload().name, path_);

  auto gz = open_dump(write(bytes_of("\x1f\x8b\x08\x00\x00\x00\x00\x00")));
  ASSERT_FALSE(gz.ok());
  EXPECT_NE(gz.error().message().find("gzip"), std::string::npos);

  auto empty = open_dump(write({}));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(empty.error().message().find("empty"), std::string::npos);

  auto missing = open_dump("/nonexistent/vmcore");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
}

// makedumpfile's flattened stream: a 4096-byte header, then big-endian {offset, size} records
// and an end marker. Here the records carry an ELF core in two out-of-order pieces, as
// makedumpfile -E -F would write it.
std::vector<std::byte> flattened(const std::vector<std::byte>& file) {
  std::vector<std::byte> out(4096);
  std::memcpy(out.data(), "makedumpfile", 12);
  auto put_be64 = [&out](std::int64_t v) {
    for (int i = 7; i >= 0; --i) {
      out.push_back(std::byte(static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * i))));
    }
  };
  std::size_t at = 16;
  for (std::int64_t v : {std::int64_t{1}, std::int64_t{1}}) {  // type 1, version 1
    for (int i = 7; i >= 0; --i) {
      out[at++] = std::byte(static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * i)));
    }
  }
  std::size_t half = file.size() / 2;
  auto record = [&](std::size_t from, std::size_t n) {
    put_be64(static_cast<std::int64_t>(from));
    put_be64(static_cast<std::int64_t>(n));
    out.insert(out.end(), file.begin() + static_cast<std::ptrdiff_t>(from),
               file.begin() + static_cast<std::ptrdiff_t>(from + n));
  };
  record(half, file.size() - half);
  record(0, half);
  put_be64(-1);
  put_be64(-1);
  return out;
}

TEST_F(OpenDumpTest, FlattenedStreamHoldingAnElfCore) {
  auto dump = open_dump(write(flattened(tiny_elf(0x1000, 0x2000))));
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  EXPECT_EQ((*dump)->format_name(), "elf");
  std::vector<std::byte> buf(2);
  ASSERT_TRUE((*dump)->memory().read(0x1fff, buf).ok());
  EXPECT_EQ(buf[0], std::byte{0x5a});
  EXPECT_EQ(buf[1], std::byte{0x5b});
}

TEST_F(OpenDumpTest, FlattenedStreamHoldingSomethingElse) {
  auto dump = open_dump(write(flattened(bytes_of("just some text, not a dump"))));
  ASSERT_FALSE(dump.ok());
  EXPECT_EQ(dump.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(dump.error().message().find("inside its flattened stream"), std::string::npos)
      << dump.error().message();
}

// Signatures route to the kdump and flattened readers, whose own errors come back.
TEST_F(OpenDumpTest, DamagedKdumpAndFlattenedFilesGetTheirReadersErrors) {
  std::vector<std::byte> kdump = bytes_of("KDUMP   ");
  kdump.resize(100);
  auto k = open_dump(write(kdump));
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.error().message().find("not a dump format"), std::string::npos)
      << k.error().message();

  std::vector<std::byte> flat = bytes_of(std::string_view("makedumpfile\0\0\0\0", 16));
  flat.resize(64);  // header cut short
  auto f = open_dump(write(flat));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message().find("not a dump format"), std::string::npos)
      << f.error().message();
}

TEST_F(OpenDumpTest, BrokenElfGivesTheElfReadersError) {
  auto bytes = tiny_elf(0x1000, 0x2000);
  bytes.resize(100);  // program headers cut off
  auto dump = open_dump(write(bytes));
  ASSERT_FALSE(dump.ok());
  EXPECT_EQ(dump.error().code(), ErrorCode::kTruncated);
}

}  // namespace
}  // namespace vmscope
