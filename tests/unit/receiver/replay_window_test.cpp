#include "receiver/replay_window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace vmscope::dumpwire {
namespace {

using V = ReplayWindow::Verdict;

TEST(ReplayWindowTest, DuplicatesAndOldPacketsAreRefused) {
  ReplayWindow w;
  EXPECT_EQ(w.check(5), V::kFresh);
  w.mark(5);
  EXPECT_EQ(w.check(5), V::kDuplicate);
  EXPECT_EQ(w.check(4), V::kFresh);  // reordering within the window is fine
  w.mark(4);
  EXPECT_EQ(w.check(4), V::kDuplicate);
  w.mark(5 + 8191);
  EXPECT_EQ(w.check(5), V::kDuplicate);  // still inside the window
  EXPECT_EQ(w.check(4), V::kTooOld);
  w.mark(5 + 8192);
  EXPECT_EQ(w.check(5), V::kTooOld);
  EXPECT_EQ(w.check(6), V::kFresh);  // inside the window, never seen
  EXPECT_EQ(*w.highest(), 5u + 8192u);
}

TEST(ReplayWindowTest, ReusedSlotsStartClear) {
  ReplayWindow w;
  for (std::uint64_t s = 0; s < 100; ++s) w.mark(s);
  w.mark(8192 + 50);  // slots 0..50 now belong to 8192..8242
  for (std::uint64_t s = 8192; s < 8192 + 50; ++s) EXPECT_EQ(w.check(s), V::kFresh) << s;
  EXPECT_EQ(w.check(8192 + 50), V::kDuplicate);
  EXPECT_EQ(w.check(60), V::kDuplicate);
  EXPECT_EQ(w.check(50), V::kTooOld);
  w.mark(1'000'000);  // a jump past the whole window clears it
  EXPECT_EQ(w.check(1'000'000 - 1), V::kFresh);
  EXPECT_EQ(w.check(8192 + 50), V::kTooOld);
}

TEST(ReplayWindowTest, AgreesWithASetOnRandomTraffic) {
  ReplayWindow w;
  std::set<std::uint64_t> seen;
  std::uint64_t highest = 0;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    std::uint64_t seq = i + (rng() % 9000) - std::min<std::uint64_t>(i, 4500);
    V expected = V::kFresh;
    if (!seen.empty() && seq + ReplayWindow::kSize <= highest) {
      expected = V::kTooOld;
    } else if (seen.count(seq)) {
      expected = V::kDuplicate;
    }
    ASSERT_EQ(w.check(seq), expected) << "seq " << seq << " highest " << highest;
    if (expected == V::kFresh) {
      w.mark(seq);
      seen.insert(seq);
      highest = std::max(highest, seq);
    }
  }
}

}  // namespace
}  // namespace vmscope::dumpwire
