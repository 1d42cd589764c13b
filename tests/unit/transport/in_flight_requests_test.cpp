#include "transport/in_flight_requests.h"

#include <gtest/gtest.h>

namespace vmscope::transport {
namespace {

using rpc::Json;

TEST(InFlightRequestsTest, CancelReachesOnlyTheMatchingIdInTheSameScope) {
  InFlightRequests table;
  auto a = table.add("stdio", 1);
  auto b = table.add("stdio", 2);
  auto other_scope = table.add("http", 1);
  auto string_id = table.add("stdio", "1");
  EXPECT_EQ(table.size(), 4u);
  EXPECT_EQ(table.cancel("stdio", 1), 1u);
  EXPECT_TRUE(a->token().cancelled());
  EXPECT_FALSE(b->token().cancelled());
  EXPECT_FALSE(other_scope->token().cancelled());
  EXPECT_FALSE(string_id->token().cancelled());  // "1" is not 1
}

TEST(InFlightRequestsTest, RegistrationLeavesTheTableWhenDestroyed) {
  InFlightRequests table;
  auto a = table.add("s", 1);
  {
    auto b = table.add("s", 2);
    EXPECT_EQ(table.size(), 2u);
  }
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.cancel("s", 2), 0u);  // finished requests are unknown ids
  a.reset();
  EXPECT_EQ(table.size(), 0u);
}

TEST(InFlightRequestsTest, DuplicateIdsAreBothCancelledAndRemovedOneByOne) {
  InFlightRequests table;
  auto first = table.add("s", "dup");
  auto second = table.add("s", "dup");
  EXPECT_EQ(table.cancel("s", "dup"), 2u);
  EXPECT_TRUE(first->token().cancelled());
  EXPECT_TRUE(second->token().cancelled());
  first.reset();
  EXPECT_EQ(table.size(), 1u);
  auto third = table.add("s", "dup");
  EXPECT_FALSE(third->token().cancelled());  // a new request with an old id starts fresh
}

TEST(InFlightRequestsTest, CancelAllReachesEveryScope) {
  InFlightRequests table;
  auto a = table.add("x", 1);
  auto b = table.add("y", Json("z"));
  table.cancel_all();
  EXPECT_TRUE(a->token().cancelled());
  EXPECT_TRUE(b->token().cancelled());
  EXPECT_EQ(a->token().check().error().code(), ErrorCode::kCancelled);
}

}  // namespace
}  // namespace vmscope::transport
