#include "dump/vmcoreinfo_scan.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/sparse_physical_memory.h"

namespace vmscope {
namespace {

using testing::SparsePhysicalMemory;

const std::string kInfo =
    "OSRELEASE=6.1.0-57-cloud-amd64\nBUILD-ID=0123abcd\nPAGESIZE=4096\n"
    "SYMBOL(init_uts_ns)=ffffffff82a14aa0\nKERNELOFFSET=24200000\nNUMBER(phys_base)=-281018368\n";

void write_text(SparsePhysicalMemory& memory, std::uint64_t paddr, const std::string& text) {
  memory.write(paddr, text.data(), text.size());
  const char nul = 0;
  memory.write(paddr + text.size(), &nul, 1);
}

TEST(VmcoreinfoScanTest, LooksLikeVmcoreinfoNeedsTheKernelsShape) {
  EXPECT_TRUE(looks_like_vmcoreinfo(kInfo));
  EXPECT_FALSE(looks_like_vmcoreinfo("OSRELEASE=6.1\n"));  // no PAGESIZE/SYMBOL
  EXPECT_FALSE(looks_like_vmcoreinfo("xOSRELEASE=6.1\nPAGESIZE=4096\nSYMBOL(a)=1\n"));
  EXPECT_FALSE(looks_like_vmcoreinfo("OSRELEASE=6.1\x01\nPAGESIZE=4096\nSYMBOL(a)=1\n"));
}

TEST(VmcoreinfoScanTest, FindsTheTextAtAPageStartAndSkipsLookalikes) {
  SparsePhysicalMemory memory;
  write_text(memory, 0x5000, "OSRELEASE=only the word, not the block\n");
  write_text(memory, 0x9000, kInfo);
  memory.write(0xa000, "x", 1);
  memory.exclude_page(0xa000);  // excluded pages are passed over, not errors
  auto found = scan_for_vmcoreinfo(memory, {});
  ASSERT_TRUE(found.ok()) << found.error().to_string();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].physical_address, 0x9000u);
  EXPECT_EQ((*found)[0].text, kInfo);
}

TEST(VmcoreinfoScanTest, InsidePagesOnlyWhenNoPageStartHasItAndAcrossAPageEnd) {
  SparsePhysicalMemory memory;
  // An old kernel's static array: after another string, running over into the next page.
  const std::uint64_t at = 0x3000 + 4096 - 40;
  write_text(memory, at - 6, "hello");
  write_text(memory, at, kInfo);
  auto found = scan_for_vmcoreinfo(memory, {});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].physical_address, at);
  EXPECT_EQ((*found)[0].text, kInfo);

  // With a page-start copy present, the costly inside-page pass does not run.
  write_text(memory, 0x8000, kInfo);
  found = scan_for_vmcoreinfo(memory, {});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].physical_address, 0x8000u);
}

TEST(VmcoreinfoScanTest, SeveralCopiesAreAllReturnedInAddressOrderUpToTheCap) {
  SparsePhysicalMemory memory;
  for (std::uint64_t page : {0x7000u, 0x2000u, 0x4000u}) write_text(memory, page, kInfo);
  auto found = scan_for_vmcoreinfo(memory, {});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 3u);
  EXPECT_EQ((*found)[0].physical_address, 0x2000u);
  EXPECT_EQ((*found)[2].physical_address, 0x7000u);
  found = scan_for_vmcoreinfo(memory, {}, {.max_candidates = 2});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 2u);
}

TEST(VmcoreinfoScanTest, NothingFoundIsAnEmptyAnswerAndCancellationStops) {
  SparsePhysicalMemory memory;
  memory.write(0, "zero page", 9);
  auto found = scan_for_vmcoreinfo(memory, {});
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->empty());

  CancellationSource source;
  source.cancel();
  auto cancelled = scan_for_vmcoreinfo(memory, source.token());
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.error().code(), ErrorCode::kCancelled);
  EXPECT_FALSE(scan_for_vmcoreinfo(memory, {}, {.page_size = 4}).ok());
}

}  // namespace
}  // namespace vmscope
