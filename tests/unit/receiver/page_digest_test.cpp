#include "receiver/page_digest.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstring>
#include <vector>

namespace vmscope {
namespace {

// BLAKE2s-256 of the empty input (RFC 7693 reference): the digest with no page added.
TEST(PageDigestTest, EmptyInputIsBlake2s256OfNothing) {
  PageDigest d;
  ASSERT_TRUE(d.ok());
  auto v = d.value();
  const unsigned char expected[] = {0x69, 0x21, 0x7a, 0x30, 0x79, 0x90, 0x80, 0x94,
                                    0xe1, 0x11, 0x21, 0xd0, 0x42, 0x35, 0x4a, 0x7c,
                                    0x1f, 0x55, 0xb6, 0x48, 0x2c, 0xa1, 0xa5, 0x1e,
                                    0x1b, 0x25, 0x0d, 0xfd, 0x1e, 0xd0, 0xee, 0xf9};
  for (std::size_t i = 0; i < 32; ++i) EXPECT_EQ(std::to_integer<unsigned char>(v[i]), expected[i]);
}

TEST(PageDigestTest, IsBlake2sOfLe64PfnAndPageInOrder) {
  std::vector<std::byte> a(4096, std::byte{1}), b(4096, std::byte{2});
  PageDigest d;
  d.add_page(0x0102030405060708, a);
  d.add_page(9, b);
  std::vector<unsigned char> input = {8, 7, 6, 5, 4, 3, 2, 1};
  input.insert(input.end(), 4096, 1);
  input.insert(input.end(), {9, 0, 0, 0, 0, 0, 0, 0});
  input.insert(input.end(), 4096, 2);
  unsigned char expected[32];
  unsigned int length = 0;
  ASSERT_EQ(EVP_Digest(input.data(), input.size(), expected, &length, EVP_blake2s256(), nullptr),
            1);
  auto v = d.value();
  EXPECT_EQ(std::memcmp(v.data(), expected, 32), 0);
  PageDigest swapped;
  swapped.add_page(9, b);
  swapped.add_page(0x0102030405060708, a);
  EXPECT_NE(swapped.value(), v);  // order matters
}

}  // namespace
}  // namespace vmscope
