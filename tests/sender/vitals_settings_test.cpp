// The [vitals.hl7] part of the sender's configuration: the MLLP listener's gateway checks and limits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sender_config_file.hpp"
#include "sender_settings.hpp"
#include "surgilink/core/config.hpp"

namespace surgilink::sender {
namespace {

using ::testing::HasSubstr;

// A sender configuration whose [vitals.hl7] table holds `hl7` (the rest as small as the loader allows).
std::filesystem::path config_with(const std::string& hl7) {
  return testing::sender_config_file("vitals_settings", "[vitals]\nsource = \"hl7\"\n[vitals.hl7]\n" + hl7);
}

std::string error_of(const std::string& hl7) {
  try {
    load_sender_settings(config_with(hl7), {});
  } catch (const core::ConfigError& e) {
    return e.what();
  }
  return "<accepted>";
}

TEST(VitalsSettings, GatewayChecksAndLimitsReachTheListener) {
  ASSERT_TRUE(std::filesystem::exists(testing::kDevCerts / "access.toml")) << "run ./surgilink setup";
  const auto s = load_sender_settings(config_with("bind_address = \"10.1.2.1\"\n"
                                                  "allow = [\"10.1.2.3\", \"10.1.2.0/24\"]\n"
                                                  "sending_application = \"ACDE48234567ABCD\"\n"
                                                  "sending_facility = \"OR1\"\n"
                                                  "max_clients_per_address = 4\n"
                                                  "message_timeout_ms = 2000\n"
                                                  "max_message_bytes = 65536\n"),
                                      {});
  const vitals::MllpSettings& m = s.vitals.mllp;
  EXPECT_EQ(m.bind_address, "10.1.2.1");
  EXPECT_EQ(m.allow.describe(), "10.1.2.3/32, 10.1.2.0/24");
  EXPECT_EQ(m.sending_application, "ACDE48234567ABCD");
  EXPECT_EQ(m.sending_facility, "OR1");
  EXPECT_EQ(m.max_clients_per_address, 4u);
  EXPECT_EQ(m.message_timeout.count(), 2000);
  EXPECT_EQ(m.max_frame_bytes, 65536u);
  EXPECT_THAT(describe(s.vitals),
              HasSubstr("on 10.1.2.1:2575 from 10.1.2.3/32, 10.1.2.0/24, MSH-3 ACDE48234567ABCD"));

  const auto open = load_sender_settings(config_with(""), {});
  EXPECT_TRUE(open.vitals.mllp.allow.allows_any());
  EXPECT_EQ(open.vitals.mllp.max_clients_per_address, 16u);
  EXPECT_EQ(open.vitals.mllp.message_timeout.count(), 10'000);
  EXPECT_EQ(open.vitals.mllp.max_frame_bytes, 1024u * 1024u);
}

TEST(VitalsSettings, MistakesNameTheKey) {
  ASSERT_TRUE(std::filesystem::exists(testing::kDevCerts / "access.toml")) << "run ./surgilink setup";
  EXPECT_THAT(error_of("allow = [\"10.1.2.5/24\"]\n"),
              HasSubstr("key 'vitals.hl7.allow': '10.1.2.5/24' has host bits set"));
  EXPECT_THAT(error_of("allow = [\"gateway-1\"]\n"),
              HasSubstr("'gateway-1' is not an IP address or network"));
  EXPECT_THAT(error_of("allow = \"10.1.2.3\"\n"),
              HasSubstr("key 'vitals.hl7.allow': expected an array of strings"));
  EXPECT_THAT(error_of("max_message_bytes = 100\n"), HasSubstr("key 'vitals.hl7.max_message_bytes'"));
  EXPECT_THAT(error_of("alow = [\"10.1.2.3\"]\n"), HasSubstr("alow"));  // a misspelt key is not ignored
}

}  // namespace
}  // namespace surgilink::sender
