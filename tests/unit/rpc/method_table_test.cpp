#include "rpc/method_table.h"

#include <gtest/gtest.h>

#include <set>

#include "rpc/protocol_document.h"

namespace vmscope::rpc {
namespace {

std::set<std::string> names_in(const Json& list) {
  std::set<std::string> names;
  for (const Json& entry : list) names.insert(entry.at("name").get<std::string>());
  return names;
}

std::set<std::string> registered(bool test_methods) {
  server::SessionRegistry sessions({});
  Dispatcher dispatcher;
  register_all_methods(dispatcher, {.sessions = &sessions,
                                    .status = [] { return ServerStatus{}; },
                                    .test_methods = test_methods});
  auto methods = dispatcher.methods();
  return {methods.begin(), methods.end()};
}

// The spec is the source of truth: what a server registers is exactly what it specifies.
TEST(MethodTableTest, RegisteredMethodsAreExactlyTheSpecifiedOnes) {
  EXPECT_EQ(registered(false), names_in(protocol_document().at("methods")));
}

TEST(MethodTableTest, TestMethodsAreSpecifiedApartAndOnlyRegisteredOnRequest) {
  std::set<std::string> with_tests = registered(true);
  std::set<std::string> expected = names_in(protocol_document().at("methods"));
  std::set<std::string> test_methods = names_in(protocol_document().at("x-test-methods"));
  EXPECT_FALSE(test_methods.empty());
  for (const std::string& name : test_methods) {
    EXPECT_EQ(expected.count(name), 0u) << name << " is both a method and a test method";
    expected.insert(name);
  }
  EXPECT_EQ(with_tests, expected);
}

TEST(MethodTableTest, NotificationsAreSpecifiedWithADirectionAndParams) {
  const Json& notifications = protocol_document().at("x-notifications");
  std::set<std::string> names = names_in(notifications);
  for (const char* name : {"$/progress", "$/cancelRequest", "notifications/dropped"}) {
    EXPECT_EQ(names.count(name), 1u) << name;
  }
  for (const Json& n : notifications) {
    EXPECT_TRUE(n.at("direction") == "server-to-client" || n.at("direction") == "client-to-server")
        << n.at("name");
    EXPECT_TRUE(n.at("params").is_object()) << n.at("name");
    EXPECT_FALSE(n.at("examples").empty()) << n.at("name");
  }
}

}  // namespace
}  // namespace vmscope::rpc
