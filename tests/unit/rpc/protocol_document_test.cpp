#include "rpc/protocol_document.h"

#include <gtest/gtest.h>

#include "rpc/dispatcher.h"
#include "rpc/methods_discover.h"

namespace vmscope::rpc {
namespace {

TEST(ProtocolDocumentTest, EmbeddedDocumentIsTheOpenRpcSpec) {
  const Json& doc = protocol_document();
  EXPECT_TRUE(doc.contains("openrpc"));
  EXPECT_EQ(doc["info"]["title"], "vmscope");
  ASSERT_TRUE(doc["methods"].is_array());
  EXPECT_FALSE(doc["methods"].empty());
}

TEST(ProtocolDocumentTest, DiscoverReturnsTheDocument) {
  Dispatcher dispatcher;
  register_discover(dispatcher);
  Result<Json> r = dispatcher.call("rpc.discover", Json::object(), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, protocol_document());
}

}  // namespace
}  // namespace vmscope::rpc
