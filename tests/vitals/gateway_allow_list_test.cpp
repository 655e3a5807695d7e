#include "surgilink/vitals/gateway_allow_list.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace surgilink::vitals {
namespace {

using ::testing::HasSubstr;

boost::asio::ip::address ip(const char* text) { return boost::asio::ip::make_address(text); }

GatewayAllowList list(std::vector<std::string> entries) { return GatewayAllowList(entries); }

std::string refusal_of(std::vector<std::string> entries) {
  try {
    GatewayAllowList refused(entries);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << entries.at(0) << " was accepted";
  return "";
}

TEST(GatewayAllowList, NoEntriesAllowsEveryone) {
  const GatewayAllowList any;
  EXPECT_TRUE(any.allows_any());
  EXPECT_TRUE(any.allows(ip("203.0.113.9")));
  EXPECT_TRUE(any.allows(ip("2001:db8::1")));
  EXPECT_EQ(any.describe(), "any");
}

TEST(GatewayAllowList, AddressesAndNetworks) {
  const GatewayAllowList allow = list({"10.1.2.3", "10.1.4.0/24", "172.16.0.0/12", "fd00:12::/64", "::1"});
  EXPECT_FALSE(allow.allows_any());
  EXPECT_TRUE(allow.allows(ip("10.1.2.3")));
  EXPECT_FALSE(allow.allows(ip("10.1.2.4")));
  EXPECT_TRUE(allow.allows(ip("10.1.4.0")));
  EXPECT_TRUE(allow.allows(ip("10.1.4.255")));
  EXPECT_FALSE(allow.allows(ip("10.1.5.1")));
  EXPECT_TRUE(allow.allows(ip("172.31.255.254")));  // /12 ends inside a byte
  EXPECT_FALSE(allow.allows(ip("172.32.0.1")));
  EXPECT_TRUE(allow.allows(ip("fd00:12::abcd")));
  EXPECT_FALSE(allow.allows(ip("fd00:13::1")));
  EXPECT_TRUE(allow.allows(ip("::1")));
  // A dual-stack socket reports IPv4 peers as IPv4-mapped IPv6 addresses.
  EXPECT_TRUE(allow.allows(ip("::ffff:10.1.2.3")));
  EXPECT_FALSE(allow.allows(ip("::ffff:10.1.2.4")));
  // An IPv4 entry never matches an IPv6 peer that merely shares leading bytes.
  EXPECT_FALSE(list({"0.0.0.0/0"}).allows(ip("::1")));
  EXPECT_TRUE(list({"0.0.0.0/0"}).allows(ip("192.0.2.1")));
  EXPECT_EQ(allow.describe(), "10.1.2.3/32, 10.1.4.0/24, 172.16.0.0/12, fd00:12::/64, ::1/128");
}

TEST(GatewayAllowList, MistakesAreRefusedNamingTheEntry) {
  EXPECT_THAT(refusal_of({"10.1.2.5/24"}), HasSubstr("'10.1.2.5/24' has host bits set: write the network "
                                                     "(10.1.2.0/24) or the single address (10.1.2.5)"));
  EXPECT_THAT(refusal_of({"10.1.2.0/33"}), HasSubstr("'10.1.2.0/33': the prefix length must be 0..32"));
  EXPECT_THAT(refusal_of({"fd00::/129"}), HasSubstr("must be 0..128"));
  EXPECT_THAT(refusal_of({"10.1.2.0/"}), HasSubstr("prefix length"));
  EXPECT_THAT(refusal_of({"10.1.2.0/2x"}), HasSubstr("prefix length"));
  EXPECT_THAT(refusal_of({"gateway.example"}),
              HasSubstr("'gateway.example' is not an IP address or network"));
  EXPECT_THAT(refusal_of({""}), HasSubstr("is not an IP address"));
}

}  // namespace
}  // namespace surgilink::vitals
