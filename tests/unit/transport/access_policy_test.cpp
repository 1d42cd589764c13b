#include "transport/access_policy.h"

#include <gtest/gtest.h>

namespace vmscope::transport {
namespace {

TEST(AccessPolicyTest, LoopbackHosts) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LocalHost"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "example.com", "",
                           "localhost.evil.example", "127.0.0.1.nip.io", "::2", "[::1"}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

TEST(AccessPolicyTest, NonLoopbackBindNeedsAToken) {
  EXPECT_TRUE(check_bind_policy("127.0.0.1", "").ok());
  EXPECT_TRUE(check_bind_policy("::1", "").ok());
  Status refused = check_bind_policy("0.0.0.0", "");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(refused.error().message().find("--token"), std::string::npos);
  EXPECT_TRUE(check_bind_policy("0.0.0.0", "s3cret").ok());
  EXPECT_FALSE(check_bind_policy("192.168.1.5", "").ok());
}

TEST(AccessPolicyTest, BearerTokenMustMatchExactly) {
  EXPECT_TRUE(bearer_token_matches("Bearer s3cret", "s3cret"));
  EXPECT_TRUE(bearer_token_matches("bearer s3cret", "s3cret"));   // the scheme is case-blind
  EXPECT_FALSE(bearer_token_matches("Bearer S3cret", "s3cret"));  // the token is not
  EXPECT_FALSE(bearer_token_matches("Bearer s3cre", "s3cret"));
  EXPECT_FALSE(bearer_token_matches("Bearer s3crett", "s3cret"));
  EXPECT_FALSE(bearer_token_matches("Bearer ", "s3cret"));
  EXPECT_FALSE(bearer_token_matches("Basic czNjcmV0", "s3cret"));
  EXPECT_FALSE(bearer_token_matches("s3cret", "s3cret"));
  EXPECT_FALSE(bearer_token_matches("", "s3cret"));
  EXPECT_FALSE(bearer_token_matches("Bearer ", ""));  // no token configured matches nothing
}

TEST(AccessPolicyTest, HostHeaderMustNameALoopbackHost) {
  for (const char* host :
       {"127.0.0.1:7151", "localhost:7151", "[::1]:8080", "localhost", "127.0.0.1", ""}) {
    EXPECT_TRUE(host_header_is_loopback(host)) << host;
  }
  for (const char* host : {"evil.example:7151", "evil.example", "10.0.0.1:7151", "[::2]:80", "[::1",
                           "localhost.evil.example:7151"}) {
    EXPECT_FALSE(host_header_is_loopback(host)) << host;
  }
}

}  // namespace
}  // namespace vmscope::transport
