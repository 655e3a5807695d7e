#include "surgilink/vitals/hl7_ack.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "surgilink/vitals/oru_message.hpp"

namespace surgilink::vitals {
namespace {

using ::testing::HasSubstr;

std::string read_data(const std::string& name) {
  std::ifstream in(std::string(SURGILINK_TEST_DATA) + "/hl7/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

AckStamp stamp(std::int64_t unix_seconds, std::string id) {
  return AckStamp{core::CaptureTime{std::chrono::seconds{unix_seconds}}, std::move(id)};
}

OruMessage parsed(const std::string& name) {
  return OruMessage::parse(read_data(name), ObservationCodeMap::defaults(), core::CaptureTime{}).value();
}

TEST(Hl7Ack, GoldenBytesOfAnAeAck) {
  const OruMessage m = parsed("bad_non_numeric.hl7");
  const std::string ack =
      make_ack(m.header, AckCode::kError, m.problems, stamp(1705314721, "SL1705314721.1"));
  EXPECT_EQ(ack, read_data("ack_v1.hl7"));
}

TEST(Hl7Ack, GoldenBytesOfAnAaAck) {
  const OruMessage m = parsed("intellivue_pcd01.hl7");
  const std::string ack = make_ack(m.header, AckCode::kAccept, "", stamp(1705311001, "SL1705311001.1"));
  EXPECT_EQ(ack, read_data("ack_v1_aa.hl7"));
}

TEST(Hl7Ack, ReadsBackWhatItWrites) {
  const OruMessage m = parsed("bad_non_numeric.hl7");
  auto ack = Hl7Ack::parse(make_ack(m.header, AckCode::kError, m.problems, stamp(1705314721, "A1")));
  ASSERT_TRUE(ack) << ack.error().reason;
  EXPECT_EQ(ack.value().code, AckCode::kError);
  EXPECT_EQ(ack.value().acknowledged_control_id, "BAD-0001");
  EXPECT_EQ(ack.value().text, "OBX 2 (spo2): OBX-5 value 'abc' is not a number");
  ASSERT_EQ(ack.value().errors.size(), 1u);
  EXPECT_EQ(ack.value().errors[0].location, "OBX^2^5");
  EXPECT_EQ(ack.value().errors[0].hl7_condition, 102);
  EXPECT_EQ(ack.value().errors[0].reason, "OBX 2 (spo2): OBX-5 value 'abc' is not a number");
  EXPECT_EQ(ack.value().header.control_id, "A1");
  EXPECT_EQ(ack.value().header.trigger_event, "R01");
}

TEST(Hl7Ack, EscapesDelimitersInEchoedText) {
  const OruMessage m = parsed("escapes_repeats.hl7");  // control id "ESC^0042", facility "Cardio | OR 2"
  const std::string text = "bad | value ^ with & delimiters ~ and \\ escape\r";
  const std::string ack = make_ack(m.header, AckCode::kReject, text, stamp(1705314721, "X"));
  EXPECT_THAT(ack, HasSubstr("|Gateway\\T\\North^0012AB^EUI-64|Cardio \\F\\ OR 2|"));
  EXPECT_THAT(
      ack,
      HasSubstr(
          "MSA|AR|ESC\\S\\0042|bad \\F\\ value \\S\\ with \\T\\ delimiters \\R\\ and \\E\\ escape\\X0D\\\r"));
  EXPECT_EQ(std::count(ack.begin(), ack.end(), '\r'), 3);  // MSH, MSA, ERR: no line end leaks from the text
  auto back = Hl7Ack::parse(ack);
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value().acknowledged_control_id, "ESC^0042");
  EXPECT_EQ(back.value().text, text);
  EXPECT_EQ(back.value().code, AckCode::kReject);
}

// An ACK goes back to whoever sent the message, so everything it copies from that message (MSH-3..6 as its
// addresses, the trigger event, MSH-10, MSH-11, MSH-12) is bounded and cleaned: a hostile header can neither
// make the ACK huge nor put a segment end or an MLLP framing byte into it.
TEST(Hl7Ack, EchoedHeaderFieldsAreBoundedAndHoldNoControlBytes) {
  const std::string big(100'000, 'A');
  const std::string message = "MSH|^~\\&|" + big + "^" + big + "^" + big + "^" + big + "^" + big +
                              "|FAC\\X1C0D0B\\ILITY\\X00\\&SUB|" + big + "|" + big + "|20240115||ORU^R01" +
                              big + "|" + std::string(199, 'C') + "|P" + big + "|2.5" + big + "\r";
  auto header = Hl7Header::parse(message);
  ASSERT_TRUE(header) << header.error().reason;
  for (AckCode code : {AckCode::kAccept, AckCode::kError}) {
    const std::string ack =
        make_ack(header.value(), code, code == AckCode::kAccept ? "" : "refused", stamp(1705314721, "SL1"));
    EXPECT_LT(ack.size(), 2500u);
    for (char c : ack) {
      const auto u = static_cast<unsigned char>(c);
      EXPECT_TRUE(c == '\r' || (u >= 0x20 && u != 0x7F)) << "byte " << int(u) << " in the ACK";
    }
    EXPECT_EQ(std::count(ack.begin(), ack.end(), '\r'), code == AckCode::kAccept ? 2 : 3);
    auto back = Hl7Ack::parse(ack);
    ASSERT_TRUE(back) << back.error().reason;
    EXPECT_EQ(back.value().acknowledged_control_id, std::string(199, 'C'));  // MSH-10 is ST(199): whole
    ASSERT_LE(back.value().header.receiving_application.size(), 3u);         // HD has three components
    for (const std::string& c : back.value().header.receiving_application) EXPECT_LE(c.size(), 199u);
    EXPECT_THAT(back.value().header.receiving_facility.at(0), HasSubstr("FAC"));
    EXPECT_EQ(back.value().header.processing_id, "P");
    EXPECT_EQ(back.value().header.version, "2.5");
  }
  // A control id over its 199 characters is refused by parse(); salvage() keeps the first 199 for the AR.
  const Hl7Header salvaged = Hl7Header::salvage("MSH|^~\\&|A|B|||20240115||ORU^R01|" + big + "|P|2.6\r");
  const std::string ar = make_ack(salvaged, AckCode::kReject, "too long", stamp(0, "Z"));
  EXPECT_EQ(Hl7Ack::parse(ar).value().acknowledged_control_id, std::string(199, 'A'));
}

TEST(Hl7Ack, AtMostTenErrSegmentsAndACountInMsa3) {
  std::vector<Rejection> problems;
  for (int i = 1; i <= 12; ++i) {
    Rejection r = reject(core::Fault::kMalformed, "problem " + std::to_string(i));
    r.location = "OBX^" + std::to_string(i) + "^5";
    problems.push_back(r);
  }
  const OruMessage m = parsed("ucum_units_lf.hl7");
  auto ack = Hl7Ack::parse(make_ack(m.header, AckCode::kError, problems, stamp(0, "Z")));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack.value().text, "problem 1 (+11 more)");
  EXPECT_EQ(ack.value().errors.size(), 10u);
  EXPECT_EQ(ack.value().header.version, "2.5.1");
  // The original receiver becomes the ACK's sender.
  EXPECT_EQ(ack.value().header.sending_application, std::vector<std::string>{"SURGILINK"});
  EXPECT_EQ(ack.value().header.sending_facility, std::vector<std::string>{"OR4"});
  EXPECT_EQ(ack.value().header.receiving_application, std::vector<std::string>{"VitalsGW"});
}

TEST(Hl7Ack, RejectOfAMessageWhoseHeaderIsBroken) {
  const std::string raw = read_data("bad_encoding_characters.hl7");
  auto refused = OruMessage::parse(raw, ObservationCodeMap::defaults(), core::CaptureTime{});
  ASSERT_FALSE(refused);
  const std::string ack = make_ack(Hl7Header::salvage(raw), AckCode::kReject,
                                   std::span<const Rejection>(&refused.error(), 1), stamp(1705314721, "Y"));
  auto back = Hl7Ack::parse(ack);
  ASSERT_TRUE(back) << back.error().reason;
  EXPECT_EQ(back.value().code, AckCode::kReject);
  EXPECT_EQ(back.value().acknowledged_control_id, "BAD-0003");
  EXPECT_THAT(back.value().text, HasSubstr("MSH-2 encoding characters '^~^&' repeat the delimiter '^'"));
  EXPECT_EQ(back.value().errors.at(0).location, "MSH^1^2");

  // Nothing salvageable at all: still a valid ACK, with an empty MSA-2 and default version.
  const std::string blind =
      make_ack(Hl7Header::salvage("\x01garbage"), AckCode::kReject, "not HL7", stamp(0, "Z"));
  auto blind_back = Hl7Ack::parse(blind);
  ASSERT_TRUE(blind_back) << blind;
  EXPECT_EQ(blind_back.value().acknowledged_control_id, "");
  EXPECT_EQ(blind_back.value().header.version, "2.6");
  EXPECT_EQ(blind_back.value().header.message_code, "ACK");
}

TEST(Hl7Ack, ParseRefusesWhatIsNotAnAck) {
  EXPECT_FALSE(Hl7Ack::parse(read_data("intellivue_pcd01.hl7")));
  EXPECT_FALSE(Hl7Ack::parse("MSH|^~\\&|A|B|||20240115||ACK|1|P|2.6\r"));            // no MSA
  EXPECT_FALSE(Hl7Ack::parse("MSH|^~\\&|A|B|||20240115||ACK|1|P|2.6\rMSA|ZZ|1\r"));  // unknown code
  EXPECT_EQ(ack_code_text(AckCode::kAccept), "AA");
  EXPECT_EQ(ack_code_text(AckCode::kError), "AE");
  EXPECT_EQ(ack_code_text(AckCode::kReject), "AR");
}

}  // namespace
}  // namespace surgilink::vitals
