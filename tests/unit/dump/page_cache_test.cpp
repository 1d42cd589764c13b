#include "dump/page_cache.h"

#include <gtest/gtest.h>

#include <thread>

namespace vmscope {
namespace {

constexpr std::size_t kPage = 64;

std::vector<std::byte> page_for(std::uint64_t key) {
  std::vector<std::byte> page(kPage);
  for (std::size_t i = 0; i < kPage; ++i) page[i] = std::byte((key * 31 + i) & 0xff);
  return page;
}

bool cached(PageCache& cache, std::uint64_t key) {
  std::vector<std::byte> out(1);
  return cache.copy_out(key, 0, out);
}

TEST(PageCacheTest, CopiesOutSlicesOfCachedPages) {
  PageCache cache(kPage, 8, 2);
  std::vector<std::byte> out(10);
  EXPECT_FALSE(cache.copy_out(5, 0, out));
  cache.insert(5, page_for(5));
  ASSERT_TRUE(cache.copy_out(5, 20, out));
  std::vector<std::byte> page = page_for(5);
  EXPECT_EQ(out, std::vector<std::byte>(page.begin() + 20, page.begin() + 30));
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
}

TEST(PageCacheTest, EvictsTheLeastRecentlyUsedPageOfAFullShard) {
  PageCache cache(kPage, 3, 1);
  cache.insert(1, page_for(1));
  cache.insert(2, page_for(2));
  cache.insert(3, page_for(3));
  EXPECT_TRUE(cached(cache, 1));  // 1 is now the most recent; 2 the least
  cache.insert(4, page_for(4));
  EXPECT_FALSE(cached(cache, 2));
  EXPECT_TRUE(cached(cache, 1));
  EXPECT_TRUE(cached(cache, 3));
  EXPECT_TRUE(cached(cache, 4));
  EXPECT_EQ(cache.size(), 3u);
}

TEST(PageCacheTest, StaysWithinCapacity) {
  PageCache cache(kPage, 100, 8);
  for (std::uint64_t key = 0; key < 10000; ++key) cache.insert(key, page_for(key));
  EXPECT_LE(cache.size(), cache.capacity());
  EXPECT_GE(cache.capacity(), 100u);
  EXPECT_LT(cache.capacity(), 100u + 8);
}

TEST(PageCacheTest, ReinsertReplacesTheBytes) {
  PageCache cache(kPage, 4, 1);
  cache.insert(9, page_for(1));
  cache.insert(9, page_for(9));
  std::vector<std::byte> out(kPage);
  ASSERT_TRUE(cache.copy_out(9, 0, out));
  EXPECT_EQ(out, page_for(9));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(PageCacheTest, ConcurrentReadersAndWritersSeeWholePages) {
  PageCache cache(kPage, 64, 4);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::byte> out(kPage);
      for (std::uint64_t i = 0; i < 20000; ++i) {
        std::uint64_t key = (i * 7 + static_cast<std::uint64_t>(t)) % 200;
        if (cache.copy_out(key, 0, out)) {
          if (out != page_for(key)) ++wrong;
        } else {
          cache.insert(key, page_for(key));
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache.size(), cache.capacity());
}

}  // namespace
}  // namespace vmscope
