#include "program/walk_memory.h"

#include <gtest/gtest.h>

#include "synthetic_target.h"

namespace vmscope {
namespace {

// Counts the translations it is asked for; maps [0, 4 GiB) with 2 MiB pages shifted by 1 GiB.
class CountingTranslator : public AddressTranslator {
 public:
  Result<Translation> translate(std::uint64_t vaddr) const override {
    ++calls;
    if (vaddr >= (4ull << 30)) {
      return Error(ErrorCode::kAddressNotMapped, "unmapped", {.address = vaddr});
    }
    return Translation{vaddr + (1ull << 30), 2ull << 20};
  }
  mutable int calls = 0;
};

TEST(WalkMemoryTest, TranslationsOfAPageAreMadeOnce) {
  CountingTranslator inner;
  TranslationCache cache(inner);
  for (std::uint64_t a = 0x200000; a < 0x400000; a += 0x1000) {
    auto t = cache.translate(a + 8);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->physical, a + 8 + (1ull << 30));
    EXPECT_EQ(t->page_size, 2ull << 20);
  }
  EXPECT_EQ(inner.calls, 1);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 511u);
  // Another page misses once; failures are not cached.
  EXPECT_TRUE(cache.translate(0x600000).ok());
  EXPECT_EQ(inner.calls, 2);
  EXPECT_FALSE(cache.translate(5ull << 30).ok());
  EXPECT_FALSE(cache.translate(5ull << 30).ok());
  EXPECT_EQ(inner.calls, 4);
}

TEST(WalkMemoryTest, ManyPagesEvictTheOldest) {
  CountingTranslator inner;
  TranslationCache cache(inner);
  for (std::uint64_t page = 0; page < 40; ++page) ASSERT_TRUE(cache.translate(page << 21).ok());
  EXPECT_EQ(inner.calls, 40);
  ASSERT_TRUE(cache.translate(39ull << 21).ok());  // recent: still cached
  EXPECT_EQ(inner.calls, 40);
  ASSERT_TRUE(cache.translate(0).ok());  // long evicted
  EXPECT_EQ(inner.calls, 41);
}

TEST(WalkMemoryTest, ReadsGoThroughTheCache) {
  testing::SyntheticTarget target;
  target.put<std::uint64_t>(0x5008, 42);
  WalkMemory walk(target.memory());
  EXPECT_EQ(*walk.memory().read_u64(0x5008), 42u);
  EXPECT_EQ(*walk.memory().read_u64(0x5008), 42u);
  EXPECT_EQ(walk.cache().hits(), 1u);
  auto missing = walk.memory().read_u64(0x9000);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().payload().address, 0x9000u);
}

}  // namespace
}  // namespace vmscope
