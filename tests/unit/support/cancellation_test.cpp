#include "support/cancellation.h"

#include <gtest/gtest.h>

namespace vmscope {
namespace {

TEST(CancellationTest, DefaultTokenIsNeverCancelled) {
  CancellationToken token;
  EXPECT_FALSE(token.cancelled());
  EXPECT_TRUE(token.check().ok());
}

TEST(CancellationTest, CancelReachesEveryCopyOfTheToken) {
  CancellationSource source;
  CancellationToken first = source.token();
  CancellationToken copy = first;
  EXPECT_FALSE(copy.cancelled());
  source.cancel();
  EXPECT_TRUE(first.cancelled());
  EXPECT_TRUE(copy.cancelled());
  EXPECT_EQ(copy.check().error().code(), ErrorCode::kCancelled);
}

}  // namespace
}  // namespace vmscope
