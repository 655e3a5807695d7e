#pragma once
// The addresses that may connect to the MLLP listener: the hospital's monitor gateways, as single addresses
// or networks (CIDR), IPv4 or IPv6.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace surgilink::vitals {

// Plain value type; any thread.
class GatewayAllowList {
 public:
  // No entries: every address may connect.
  GatewayAllowList() = default;
  // Entries as a site writes them: "10.1.2.3", "10.1.2.0/24", "fd00:12::/64". Throws std::invalid_argument
  // naming the entry when it is not an address or a network, its prefix is out of range, or it has host bits
  // set ("10.1.2.5/24": a typo for 10.1.2.0/24 or for 10.1.2.5/32).
  explicit GatewayAllowList(std::span<const std::string> entries);

  bool allows_any() const { return networks_.empty(); }
  // True when `peer` lies in one of the entries (or there are none). An IPv4 peer that a dual-stack socket
  // reports as an IPv4-mapped IPv6 address (::ffff:10.1.2.3) counts as the IPv4 address.
  bool allows(const boost::asio::ip::address& peer) const;
  // The entries in canonical form, for the log: "10.1.2.0/24, 10.9.9.9/32"; "any" without entries.
  std::string describe() const;

  // `peer` as the listener keys and compares it: an IPv4-mapped IPv6 address becomes the IPv4 address.
  static boost::asio::ip::address normalised(const boost::asio::ip::address& peer);

 private:
  struct Network {
    std::array<std::uint8_t, 16> bytes{};  // 4 used for IPv4
    bool v4 = true;
    unsigned prefix = 0;  // bits
  };
  std::vector<Network> networks_;
};

}  // namespace surgilink::vitals
