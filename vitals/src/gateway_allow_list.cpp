#include "surgilink/vitals/gateway_allow_list.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace surgilink::vitals {

namespace asio = boost::asio;

namespace {

// The first `prefix` bits of `a` and `b` are equal.
bool same_prefix(const std::uint8_t* a, const std::uint8_t* b, unsigned prefix) {
  const unsigned whole = prefix / 8;
  if (!std::equal(a, a + whole, b)) return false;
  const unsigned rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

// "address/prefix" of a network.
std::string cidr(const std::array<std::uint8_t, 16>& bytes, bool v4, unsigned prefix) {
  const std::string address =
      v4 ? asio::ip::address_v4(asio::ip::address_v4::bytes_type{bytes[0], bytes[1], bytes[2], bytes[3]})
               .to_string()
         : asio::ip::address_v6(bytes).to_string();
  return address + "/" + std::to_string(prefix);
}

}  // namespace

asio::ip::address GatewayAllowList::normalised(const asio::ip::address& peer) {
  if (peer.is_v6() && peer.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, peer.to_v6());
  }
  return peer;
}

GatewayAllowList::GatewayAllowList(std::span<const std::string> entries) {
  for (const std::string& entry : entries) {
    const std::size_t slash = entry.find('/');
    const std::string address_text = entry.substr(0, slash);
    boost::system::error_code ec;
    const asio::ip::address address = normalised(asio::ip::make_address(address_text, ec));
    if (ec) {
      throw std::invalid_argument("'" + entry +
                                  "' is not an IP address or network (e.g. 10.1.2.3, 10.1.2.0/24)");
    }
    Network n;
    n.v4 = address.is_v4();
    const unsigned bits = n.v4 ? 32 : 128;
    n.prefix = bits;
    if (slash != std::string::npos) {
      const std::string_view text = std::string_view(entry).substr(slash + 1);
      const auto [end, parse_ec] = std::from_chars(text.data(), text.data() + text.size(), n.prefix);
      if (text.empty() || parse_ec != std::errc{} || end != text.data() + text.size() || n.prefix > bits) {
        throw std::invalid_argument("'" + entry + "': the prefix length must be 0.." + std::to_string(bits));
      }
    }
    if (n.v4) {
      const auto b = address.to_v4().to_bytes();
      std::copy(b.begin(), b.end(), n.bytes.begin());
    } else {
      n.bytes = address.to_v6().to_bytes();
    }
    std::array<std::uint8_t, 16> network_bytes{};
    const unsigned whole = n.prefix / 8;
    std::copy(n.bytes.begin(), n.bytes.begin() + whole, network_bytes.begin());
    if (n.prefix % 8 != 0) {
      network_bytes[whole] = static_cast<std::uint8_t>(n.bytes[whole] & (0xFF << (8 - n.prefix % 8)));
    }
    if (network_bytes != n.bytes) {
      throw std::invalid_argument("'" + entry + "' has host bits set: write the network (" +
                                  cidr(network_bytes, n.v4, n.prefix) + ") or the single address (" +
                                  address_text + ")");
    }
    networks_.push_back(n);
  }
}

bool GatewayAllowList::allows(const asio::ip::address& peer) const {
  if (networks_.empty()) return true;
  const asio::ip::address p = normalised(peer);
  std::array<std::uint8_t, 16> bytes{};
  if (p.is_v4()) {
    const auto b = p.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), bytes.begin());
  } else {
    bytes = p.to_v6().to_bytes();
  }
  return std::any_of(networks_.begin(), networks_.end(), [&](const Network& n) {
    return n.v4 == p.is_v4() && same_prefix(n.bytes.data(), bytes.data(), n.prefix);
  });
}

std::string GatewayAllowList::describe() const {
  if (networks_.empty()) return "any";
  std::string out;
  for (const Network& n : networks_) out += (out.empty() ? "" : ", ") + cidr(n.bytes, n.v4, n.prefix);
  return out;
}

}  // namespace surgilink::vitals
