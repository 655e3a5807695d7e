#include "surgilink/vitals/hl7_header.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

namespace surgilink::vitals {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Hl7Header, ReadsTheMshFields) {
  auto h = Hl7Header::parse(
      "MSH|^~\\&|Gateway\\T\\North^0012AB^EUI-64|Cardio \\F\\ OR 2|SURGILINK|OR|20240115103050+0000||"
      "ORU^R01^ORU_R01|ESC\\S\\0042|P^T|2.6^^|||AL|NE\rPID|||1");
  ASSERT_TRUE(h) << h.error().reason;
  EXPECT_THAT(h.value().sending_application, ElementsAre("Gateway&North", "0012AB", "EUI-64"));
  EXPECT_THAT(h.value().sending_facility, ElementsAre("Cardio | OR 2"));
  EXPECT_THAT(h.value().receiving_application, ElementsAre("SURGILINK"));
  EXPECT_EQ(h.value().message_time, core::CaptureTime{std::chrono::seconds{1705314650}});
  EXPECT_EQ(h.value().message_code, "ORU");
  EXPECT_EQ(h.value().trigger_event, "R01");
  EXPECT_EQ(h.value().message_structure, "ORU_R01");
  EXPECT_EQ(h.value().control_id, "ESC^0042");
  EXPECT_EQ(h.value().processing_id, "P");
  EXPECT_EQ(h.value().version, "2.6");
}

TEST(Hl7Header, RefusesMissingOrBadRequiredFields) {
  auto no_type = Hl7Header::parse("MSH|^~\\&|A|B|||20240115||||P|2.5");
  ASSERT_FALSE(no_type);
  EXPECT_THAT(no_type.error().reason, HasSubstr("MSH-9 message type is missing"));
  EXPECT_EQ(no_type.error().location, "MSH^1^9");
  EXPECT_EQ(no_type.error().hl7_condition, 101);

  auto no_id = Hl7Header::parse("MSH|^~\\&|A|B|||20240115||ORU^R01||P|2.5");
  ASSERT_FALSE(no_id);
  EXPECT_THAT(no_id.error().reason, HasSubstr("MSH-10 message control id is missing"));

  auto long_id = Hl7Header::parse("MSH|^~\\&|A|B|||20240115||ORU^R01|" + std::string(200, '7') + "|P|2.5");
  ASSERT_FALSE(long_id);
  EXPECT_THAT(long_id.error().reason, HasSubstr("longer than 199"));

  auto v3 = Hl7Header::parse("MSH|^~\\&|A|B|||20240115||ORU^R01|1|P|3.0");
  ASSERT_FALSE(v3);
  EXPECT_EQ(v3.error().fault, core::Fault::kUnsupportedVersion);
  EXPECT_EQ(v3.error().hl7_condition, 203);
  EXPECT_THAT(v3.error().reason, HasSubstr("MSH-12 version '3.0' is not HL7 v2.x"));

  auto no_version = Hl7Header::parse("MSH|^~\\&|A|B|||20240115||ORU^R01|1|P");
  ASSERT_FALSE(no_version);
  EXPECT_THAT(no_version.error().reason, HasSubstr("MSH-12 version id is missing"));
}

TEST(Hl7Header, SalvagesWhatItCanOfABrokenHeader) {
  const Hl7Header h = Hl7Header::salvage("MSH|^~^&|GW|OR4|||20240115||ORU^R01|BAD-0003|P|2.5.1\rOBX|1");
  EXPECT_EQ(h.control_id, "BAD-0003");
  EXPECT_THAT(h.sending_application, ElementsAre("GW"));
  EXPECT_EQ(h.version, "2.5.1");
  EXPECT_EQ(h.encoding, Hl7Encoding{});

  const Hl7Header odd = Hl7Header::salvage("MSH|^~\\&|||||||ORU^R01|ID\x01\x02ok|P|9.9");
  EXPECT_EQ(odd.control_id, "IDok");
  EXPECT_EQ(odd.version, "");

  EXPECT_EQ(Hl7Header::salvage("garbage").control_id, "");
  EXPECT_EQ(Hl7Header::salvage("").control_id, "");
}

}  // namespace
}  // namespace surgilink::vitals
