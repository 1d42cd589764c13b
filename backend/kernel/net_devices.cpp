#include "kernel/net_devices.h"

#include <arpa/inet.h>

#include <cstdio>

#include "program/name_lookup.h"
#include "program/walk.h"
#include "support/hex.h"

namespace vmscope::kernel {
namespace {

constexpr std::size_t kMaxDevices = std::size_t{1} << 20;
constexpr std::size_t kMaxAddresses = 4096;  // per device and family

}  // namespace

std::string ipv4_text(std::uint32_t network_order) {
  const auto* b = reinterpret_cast<const std::uint8_t*>(&network_order);
  char text[16];
  std::snprintf(text, sizeof text, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
  return text;
}

std::string ipv6_text(const std::array<std::uint8_t, 16>& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(AF_INET6, address.data(), text, sizeof text) == nullptr) return "?";
  return text;
}

Result<NetDeviceLayout> NetDeviceLayout::resolve(const debuginfo::DebugInfo& debug) {
  NetDeviceLayout l;
  const DebugInfoLookup names(debug);
  VMSCOPE_TRY(debuginfo::Variable init_net, debug.find_variable("init_net"));
  l.init_net = init_net.address;
  VMSCOPE_TRY(l.net_dev_base_head, member_offset(names, "struct net", "dev_base_head"));
  VMSCOPE_TRY(l.devices, list_layout(names, "struct net_device", "dev_list"));
  VMSCOPE_TRY(FieldResolver device, FieldResolver::find(debug, "struct net_device"));
  VMSCOPE_TRY(l.name, device.required("name"));
  VMSCOPE_TRY(Field ip_ptr, device.required("ip_ptr"));
  l.ip_ptr = ip_ptr.offset;
  VMSCOPE_TRY(l.ifa_list, member_offset(names, "struct in_device", "ifa_list"));
  VMSCOPE_TRY(l.ifa_next, member_offset(names, "struct in_ifaddr", "ifa_next"));
  VMSCOPE_TRY(l.ifa_address, member_offset(names, "struct in_ifaddr", "ifa_address"));
  if (Field ip6 = device.optional("ip6_ptr"); ip6.present()) {
    l.ip6_ptr = ip6.offset;
    VMSCOPE_TRY(l.inet6_addr_list, member_offset(names, "struct inet6_dev", "addr_list"));
    VMSCOPE_TRY(l.inet6_addresses, list_layout(names, "struct inet6_ifaddr", "if_list"));
    VMSCOPE_TRY(l.inet6_addr, member_offset(names, "struct inet6_ifaddr", "addr"));
  }
  return l;
}

Result<NetDevices> list_net_devices(const VirtualMemory& memory, const KernelLayouts& layouts,
                                    const CancellationToken& cancel) {
  VMSCOPE_TRY(NetDeviceLayout l, NetDeviceLayout::resolve(layouts.debug()));
  VMSCOPE_CHECK(cancel.check());
  NetDevices out;
  WalkOptions options{.cancel = cancel};
  options.max_entries = kMaxDevices;
  auto walk = walk_list(memory, l.init_net + l.net_dev_base_head, l.devices, options);
  if (walk.error && walk.error->code() == ErrorCode::kCancelled) return *walk.error;
  if (walk.error) out.problems.push_back(walk.error->with_context("walking init_net's devices"));

  for (std::uint64_t address : walk.entries) {
    VMSCOPE_CHECK(cancel.check());
    NetDevice dev{.address = address};
    auto note = [&](const Error& e, const std::string& what) {
      out.problems.push_back(e.with_context(what + " of net_device " + hex_u64(address)));
    };
    if (auto window = StructWindow::read(memory, address,
                                         [&] {
                                           ByteSpan span;
                                           span.add(l.name);
                                           return span;
                                         }());
        window.ok()) {
      dev.name = window->string(l.name);
    } else {
      note(window.error(), "reading the name");
    }
    // IPv4: a NULL-terminated chain of in_ifaddr.
    if (auto in_dev = memory.read_u64(address + l.ip_ptr); !in_dev.ok()) {
      note(in_dev.error(), "reading ip_ptr");
    } else if (*in_dev != 0) {
      auto ifa = memory.read_u64(*in_dev + l.ifa_list);
      VisitedNodes seen;
      while (ifa.ok() && *ifa != 0) {
        if (!seen.insert(*ifa) || dev.ipv4.size() >= kMaxAddresses) {
          note(loop_detected("in_ifaddr chain", *ifa), "walking the IPv4 addresses");
          break;
        }
        auto value = memory.read_u32(*ifa + l.ifa_address);
        if (!value.ok()) {
          ifa = Result<std::uint64_t>(value.error());
          break;
        }
        dev.ipv4.push_back(ipv4_text(*value));
        ifa = memory.read_u64(*ifa + l.ifa_next);
      }
      if (!ifa.ok()) note(ifa.error(), "walking the IPv4 addresses");
    }
    // IPv6: inet6_dev.addr_list.
    if (l.ip6_ptr) {
      if (auto in6_dev = memory.read_u64(address + *l.ip6_ptr); !in6_dev.ok()) {
        note(in6_dev.error(), "reading ip6_ptr");
      } else if (*in6_dev != 0) {
        WalkOptions addr_options{.cancel = cancel};
        addr_options.max_entries = kMaxAddresses;
        auto addrs =
            walk_list(memory, *in6_dev + l.inet6_addr_list, l.inet6_addresses, addr_options);
        if (addrs.error && addrs.error->code() == ErrorCode::kCancelled) return *addrs.error;
        if (addrs.error) note(*addrs.error, "walking the IPv6 addresses");
        for (std::uint64_t ifa : addrs.entries) {
          std::array<std::uint8_t, 16> bytes{};
          if (auto s = memory.read(ifa + l.inet6_addr, std::as_writable_bytes(std::span(bytes)));
              s.ok()) {
            dev.ipv6.push_back(ipv6_text(bytes));
          } else {
            note(s.error(), "reading an IPv6 address");
          }
        }
      }
    }
    out.devices.push_back(std::move(dev));
  }
  return out;
}

}  // namespace vmscope::kernel
