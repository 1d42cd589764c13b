#include "program/object_handles.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "program/standard_types.h"

namespace vmscope {
namespace {

Object number(std::uint64_t value) {
  return Object::from_integer(nullptr, {standard_types().unsigned_long_type, 0}, value).value();
}

TEST(ObjectHandlesTest, IdsFindTheirObjects) {
  ObjectHandles handles(8);
  const std::uint64_t a = handles.add(number(1));
  const std::uint64_t b = handles.add(number(2));
  EXPECT_NE(a, 0u);
  EXPECT_NE(a, b);
  EXPECT_EQ(*handles.get(b)->read_unsigned(), 2u);
  EXPECT_EQ(*handles.get(a)->read_unsigned(), 1u);
  EXPECT_EQ(handles.size(), 2u);
  auto unknown = handles.get(999);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(unknown.error().message().find("does not exist"), std::string::npos);
}

TEST(ObjectHandlesTest, TheLeastRecentlyUsedIsEvicted) {
  ObjectHandles handles(3);
  const std::uint64_t first = handles.add(number(1));
  const std::uint64_t second = handles.add(number(2));
  handles.add(number(3));
  ASSERT_TRUE(handles.get(first).ok());  // first is now the most recent; second the oldest
  handles.add(number(4));
  EXPECT_EQ(handles.size(), 3u);
  EXPECT_EQ(handles.evictions(), 1u);
  EXPECT_TRUE(handles.get(first).ok());
  auto evicted = handles.get(second);
  ASSERT_FALSE(evicted.ok());
  EXPECT_EQ(evicted.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(evicted.error().message().find("expired"), std::string::npos);
}

TEST(ObjectHandlesTest, IdsAreNeverReused) {
  ObjectHandles handles(1);
  const std::uint64_t a = handles.add(number(1));
  EXPECT_TRUE(handles.release(a));
  EXPECT_FALSE(handles.release(a));
  const std::uint64_t b = handles.add(number(2));
  EXPECT_NE(a, b);
  EXPECT_FALSE(handles.get(a).ok());
  handles.clear();
  EXPECT_EQ(handles.size(), 0u);
}

TEST(ObjectHandlesTest, SafeFromManyThreads) {
  ObjectHandles handles(64);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&handles, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::uint64_t id = handles.add(number(static_cast<std::uint64_t>(t * 10000 + i)));
        auto back = handles.get(id);
        if (back.ok()) {
          EXPECT_EQ(*back->read_unsigned(), static_cast<std::uint64_t>(t * 10000 + i));
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(handles.size(), 64u);
  EXPECT_EQ(handles.evictions(), 4u * 2000 - 64);
}

}  // namespace
}  // namespace vmscope
