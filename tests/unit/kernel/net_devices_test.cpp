#include "kernel/net_devices.h"

#include <gtest/gtest.h>

#include <cstring>

namespace vmscope::kernel {
namespace {

TEST(NetDevicesTest, Ipv4InNetworkOrder) {
  const std::uint8_t bytes[4] = {127, 0, 0, 1};
  std::uint32_t value = 0;
  std::memcpy(&value, bytes, 4);
  EXPECT_EQ(ipv4_text(value), "127.0.0.1");
  const std::uint8_t other[4] = {192, 168, 10, 254};
  std::memcpy(&value, other, 4);
  EXPECT_EQ(ipv4_text(value), "192.168.10.254");
}

TEST(NetDevicesTest, Ipv6CompressesLongestZeroRun) {
  std::array<std::uint8_t, 16> loopback{};
  loopback[15] = 1;
  EXPECT_EQ(ipv6_text(loopback), "::1");
  const std::array<std::uint8_t, 16> link = {0xfe, 0x80, 0,    0,    0,    0,    0,    0,
                                             0x58, 0x8f, 0xc2, 0xff, 0xfe, 0xcc, 0xe5, 0x83};
  EXPECT_EQ(ipv6_text(link), "fe80::588f:c2ff:fecc:e583");
  const std::array<std::uint8_t, 16> doc = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1,
                                            0,    0,    0,    0,    0, 0, 0, 1};
  EXPECT_EQ(ipv6_text(doc), "2001:db8:0:1::1");
}

}  // namespace
}  // namespace vmscope::kernel
