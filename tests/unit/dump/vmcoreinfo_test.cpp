#include "dump/vmcoreinfo.h"

#include <gtest/gtest.h>

namespace vmscope {
namespace {

// Lines in the formats kernel/crash_core.c and arch/x86/kernel/crash.c write.
constexpr std::string_view kX86Sample =
    "OSRELEASE=6.1.0-57-cloud-amd64\n"
    "BUILD-ID=01d2640d3a13145ee314eb05b155f141b7b7058b\n"
    "PAGESIZE=4096\n"
    "SYMBOL(init_uts_ns)=ffffffff82ff9b60\n"
    "OFFSET(uts_namespace.name)=0\n"
    "LENGTH(mem_section)=2048\n"
    "SIZE(page)=64\n"
    "OFFSET(page._refcount)=52\n"
    "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
    "NUMBER(phys_base)=207618048\n"
    "KERNELOFFSET=400000\n"
    "NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n"
    "CRASHTIME=1764430000\n";

TEST(VmcoreinfoTest, TypedValuesInTheKernelsFormats) {
  Vmcoreinfo info = Vmcoreinfo::parse(kX86Sample);
  EXPECT_TRUE(info.problems().empty());
  EXPECT_EQ(info.osrelease().value(), "6.1.0-57-cloud-amd64");
  EXPECT_EQ(info.build_id().value(), "01d2640d3a13145ee314eb05b155f141b7b7058b");
  EXPECT_EQ(info.page_size().value(), 4096u);
  EXPECT_EQ(info.symbol("init_uts_ns").value(), 0xffffffff82ff9b60u);
  EXPECT_EQ(info.offset("uts_namespace.name").value(), 0u);
  EXPECT_EQ(info.offset("page", "_refcount").value(), 52u);
  EXPECT_EQ(info.length("mem_section").value(), 2048u);
  EXPECT_EQ(info.size("page").value(), 64u);
  EXPECT_EQ(info.number("PAGE_BUDDY_MAPCOUNT_VALUE").value(), -129);
  EXPECT_EQ(info.number("phys_base").value(), 0xc600000);  // decimal on the wire
  EXPECT_EQ(info.kernel_offset().value(), 0x400000u);      // hex on the wire
  EXPECT_EQ(info.crash_time().value(), 1764430000);
  EXPECT_EQ(info.raw("SYMBOL(init_uts_ns)").value(), "ffffffff82ff9b60");
  EXPECT_EQ(info.entries().size(), 13u);
  EXPECT_EQ(info.entries().front().first, "OSRELEASE");
}

TEST(VmcoreinfoTest, HexNumbersAsArm64WritesThem) {
  Vmcoreinfo info =
      Vmcoreinfo::parse("NUMBER(kimage_voffset)=0xffff800008000000\nNUMBER(VA_BITS)=48\n");
  EXPECT_TRUE(info.problems().empty());
  EXPECT_EQ(static_cast<std::uint64_t>(info.number("kimage_voffset").value()), 0xffff800008000000u);
  EXPECT_EQ(info.number("VA_BITS").value(), 48);
}

TEST(VmcoreinfoTest, MissingKeysAreNotFoundWithTheKeyName) {
  Vmcoreinfo info = Vmcoreinfo::parse(kX86Sample);
  auto missing = info.symbol("no_such_symbol");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().payload().name, "SYMBOL(no_such_symbol)");
  // A symbol is not a number: kinds do not mix.
  EXPECT_FALSE(info.number("init_uts_ns").ok());
  EXPECT_FALSE(Vmcoreinfo::parse("").osrelease().ok());
  EXPECT_FALSE(info.raw("OSRELEASE=").has_value());
}

TEST(VmcoreinfoTest, MalformedLinesAreRecordedAndTheRestKept) {
  Vmcoreinfo info = Vmcoreinfo::parse(
      "OSRELEASE=6.1\n"
      "garbage without equals\n"
      "SYMBOL(x)=not-hex\n"
      "SYMBOL(=1\n"
      "SIZE()=4\n"
      "SIZE(a)b=4\n"
      "=5\n"
      "PAGESIZE=-4096\n"
      "NUMBER(n)=12abc\n"
      "BUILD-ID=xyz\n"
      "KERNELOFFSET=10000000000000000\n"  // 17 hex digits: overflows 64 bits
      "SYMBOL(y)=ff\n"
      "SYMBOL(y)=ee\n"
      "OFFSET(a.b)=8");  // no final newline
  EXPECT_EQ(info.osrelease().value(), "6.1");
  EXPECT_EQ(info.symbol("y").value(), 0xffu);  // the first value wins
  EXPECT_EQ(info.offset("a.b").value(), 8u);
  EXPECT_FALSE(info.symbol("x").ok());
  EXPECT_FALSE(info.page_size().ok());
  EXPECT_FALSE(info.kernel_offset().ok());
  ASSERT_EQ(info.problems().size(), 11u);
  EXPECT_EQ(info.problems()[0].line, 2u);
  EXPECT_EQ(info.problems()[0].text, "garbage without equals");
  EXPECT_EQ(info.problems().back().line, 13u);
  EXPECT_EQ(info.entries().size(), 3u);
}

TEST(VmcoreinfoTest, StopsAtNulAndToleratesCarriageReturnsAndBlankLines) {
  std::string text("PAGESIZE=4096\r\n\n\nSYMBOL(a)=10\n\0SYMBOL(b)=20\n", 42);
  Vmcoreinfo info = Vmcoreinfo::parse(text);
  EXPECT_TRUE(info.problems().empty());
  EXPECT_EQ(info.page_size().value(), 4096u);
  EXPECT_EQ(info.symbol("a").value(), 0x10u);
  EXPECT_FALSE(info.symbol("b").ok());
}

TEST(VmcoreinfoTest, ProblemsAreBoundedOnGarbage) {
  std::string garbage;
  for (int i = 0; i < 5000; ++i) garbage += "x\n";
  Vmcoreinfo info = Vmcoreinfo::parse(garbage);
  ASSERT_LE(info.problems().size(), 257u);
  EXPECT_NE(info.problems().back().reason.find("not recorded"), std::string::npos);
}

TEST(VmcoreinfoTest, LongLinesAreQuotedShort) {
  std::string line(10000, 'a');
  Vmcoreinfo info = Vmcoreinfo::parse(line);
  ASSERT_EQ(info.problems().size(), 1u);
  EXPECT_LE(info.problems()[0].text.size(), 120u);
}

}  // namespace
}  // namespace vmscope
