#include "inspect/reached.hpp"

#include <boost/asio/ip/address.hpp>

namespace foxport::detail {
namespace ip = boost::asio::ip;

std::vector<platform::Listener> listeners_reached(const std::vector<platform::Listener>& listeners,
                                                  const std::string& host) {
  boost::system::error_code ec;
  auto address = ip::make_address(host, ec);
  if (ec) return listeners;  // not an address: nothing to narrow it by
  if (address.is_v6() && address.to_v6().is_v4_mapped()) address = ip::make_address_v4(ip::v4_mapped, address.to_v6());
  if (address.is_unspecified()) {
    address = address.is_v4() ? ip::address(ip::address_v4::loopback()) : ip::address(ip::address_v6::loopback());
  }
  // The kernel's order: the exact address first, then the family's wildcard, then (IPv4) "::".
  std::vector<std::string> tiers[3];
  if (address.is_v4()) {
    tiers[0] = {address.to_string(), "::ffff:" + address.to_string()};
    tiers[1] = {"0.0.0.0"};
    tiers[2] = {"::"};
  } else {
    tiers[0] = {address.to_string()};
    tiers[1] = {"::"};
  }
  for (const auto& tier : tiers) {
    std::vector<platform::Listener> reached;
    for (const auto& listener : listeners) {
      for (const auto& name : tier) {
        if (listener.address == name) reached.push_back(listener);
      }
    }
    if (!reached.empty()) return reached;
  }
  return {};
}

}  // namespace foxport::detail
