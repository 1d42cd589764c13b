#include "kernel/open_files.h"

#include <gtest/gtest.h>

namespace vmscope::kernel {
namespace {

TEST(OpenFilesTest, InodeTypeNamesFollowSIfmt) {
  EXPECT_EQ(inode_type_name(0100644), "REG");
  EXPECT_EQ(inode_type_name(0040755), "DIR");
  EXPECT_EQ(inode_type_name(0020666), "CHR");
  EXPECT_EQ(inode_type_name(0060660), "BLK");
  EXPECT_EQ(inode_type_name(0010600), "FIFO");
  EXPECT_EQ(inode_type_name(0140777), "SOCK");
  EXPECT_EQ(inode_type_name(0120777), "LNK");
  EXPECT_EQ(inode_type_name(0), "UNKN");
  EXPECT_EQ(inode_type_name(0170000), "UNKN");
}

}  // namespace
}  // namespace vmscope::kernel
