#include "receiver/dump_source.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "receiver/kdump_writer.h"

namespace vmscope {
namespace {

namespace fs = std::filesystem;

class DumpSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "vmscope-dump-source-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// A synthetic kdump (made by the writer) seen as a source: layout, header facts, notes.
TEST_F(DumpSourceTest, KdumpFactsAndBitmaps) {
  KdumpWriterConfig c;
  c.max_pfn = 64;
  c.nr_cpus = 3;
  c.phys_base = 0x2000000;
  c.dump_level = 31;
  c.utsname = {"Linux", "node", "6.1.0-x", "#1 SMP", "x86_64", ""};
  auto writer = KdumpWriter::create(dir_ / "vmcore", c);
  ASSERT_TRUE(writer.ok());
  std::vector<dumpwire::PfnRange> ram = {{0, 40}, {48, 16}}, dumpable = {{2, 10}, {50, 4}};
  ASSERT_TRUE((*writer)->set_layout(ram, dumpable).ok());
  ASSERT_TRUE((*writer)->set_vmcoreinfo("OSRELEASE=6.1.0-x\nPAGESIZE=4096\n").ok());
  std::vector<std::byte> notes = {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}};
  ASSERT_TRUE((*writer)->set_notes(notes).ok());
  for (std::uint64_t pfn = 2; pfn < 12; ++pfn) ASSERT_TRUE((*writer)->add_zero_page(pfn).ok());
  for (std::uint64_t pfn = 50; pfn < 54; ++pfn) ASSERT_TRUE((*writer)->add_zero_page(pfn).ok());
  ASSERT_TRUE((*writer)->finish(true).ok());

  auto source = open_dump_source((dir_ / "vmcore").string());
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  EXPECT_EQ(source->format, "kdump");
  EXPECT_EQ(source->page_size, 4096u);
  EXPECT_EQ(source->max_pfn, 64u);
  EXPECT_EQ(source->nr_cpus, 3u);
  EXPECT_EQ(source->phys_base, 0x2000000u);
  EXPECT_EQ(source->dump_level, 31);
  EXPECT_EQ(source->e_machine, 62);
  EXPECT_EQ(source->metadata.memory_map, ram);
  EXPECT_EQ(*source->metadata.dumpable, dumpable);
  EXPECT_EQ(source->dumpable_pages(), 14u);
  EXPECT_EQ(*source->metadata.utsname, c.utsname);
  EXPECT_EQ(source->metadata.vmcoreinfo, "OSRELEASE=6.1.0-x\nPAGESIZE=4096\n");
  EXPECT_EQ(source->metadata.elf_notes, notes);
}

TEST_F(DumpSourceTest, NotADump) {
  std::ofstream(dir_ / "text") << "hello, this is not a dump at all";
  auto source = open_dump_source((dir_ / "text").string());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().code(), ErrorCode::kUnsupported);
  EXPECT_FALSE(open_dump_source((dir_ / "missing").string()).ok());
}

}  // namespace
}  // namespace vmscope
