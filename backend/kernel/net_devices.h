// Network devices of the initial network namespace with their addresses, as crash's `net`
// lists them: struct net_device, its name, then its IPv4 addresses (dev->ip_ptr, the
// in_device's ifa_list chain of in_ifaddr) and its IPv6 addresses (dev->ip6_ptr, the
// inet6_dev's addr_list of inet6_ifaddr), in the kernel's order.
//
// The devices hang on init_net.dev_base_head (net_device.dev_list). A kernel built without
// IPv6 has no ip6_ptr member: only IPv4 addresses are listed. Walks are bounded and
// cancellable; a device whose addresses cannot be read is listed with the reason in
// `problems`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "kernel/kernel_layouts.h"
#include "program/list_walker.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct NetDeviceLayout {
  std::uint64_t init_net = 0;
  std::uint64_t net_dev_base_head = 0;
  ListLayout devices;  // entry = struct net_device (dev_list)
  Field name;          // net_device.name
  std::uint64_t ip_ptr = 0;
  std::uint64_t ifa_list = 0, ifa_next = 0, ifa_address = 0;  // in_device / in_ifaddr
  std::optional<std::uint64_t> ip6_ptr;
  std::uint64_t inet6_addr_list = 0;  // offsetof(inet6_dev, addr_list)
  ListLayout inet6_addresses;         // entry = struct inet6_ifaddr (if_list)
  std::uint64_t inet6_addr = 0;       // offsetof(inet6_ifaddr, addr)

  static Result<NetDeviceLayout> resolve(const debuginfo::DebugInfo& debug);
};

struct NetDevice {
  std::uint64_t address = 0;  // struct net_device
  std::string name;
  std::vector<std::string> ipv4;  // dotted quads
  std::vector<std::string> ipv6;  // RFC 5952 text ("::1", "fe80::…")
};

struct NetDevices {
  std::vector<NetDevice> devices;
  std::vector<Error> problems;
  bool partial() const { return !problems.empty(); }
};

Result<NetDevices> list_net_devices(const VirtualMemory& memory, const KernelLayouts& layouts,
                                    const CancellationToken& cancel);

// Text of addresses as they sit in memory (network byte order).
std::string ipv4_text(std::uint32_t network_order);
std::string ipv6_text(const std::array<std::uint8_t, 16>& address);

}  // namespace vmscope::kernel
