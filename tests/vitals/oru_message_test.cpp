#include "surgilink/vitals/oru_message.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "surgilink/vitals/hl7_ack.hpp"
#include "surgilink/vitals/hl7_time.hpp"
#include "surgilink/vitals/unit_conversion.hpp"

namespace surgilink::vitals {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const core::CaptureTime kReceived{std::chrono::seconds{1'705'311'000}};

std::string read_message(const std::string& name) {
  std::ifstream in(std::string(SURGILINK_TEST_DATA) + "/hl7/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

core::CaptureTime at(std::string_view hl7_time) { return parse_hl7_time(hl7_time).value(); }

OruMessage parse_ok(const std::string& text,
                    const ObservationCodeMap& codes = ObservationCodeMap::defaults()) {
  auto m = OruMessage::parse(text, codes, kReceived);
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().reason);
  return m ? std::move(m).value() : OruMessage{};
}

OruMessage parse_file(const std::string& name,
                      const ObservationCodeMap& codes = ObservationCodeMap::defaults()) {
  return parse_ok(read_message(name), codes);
}

std::string refusal_of(const std::string& text) {
  auto m = OruMessage::parse(text, ObservationCodeMap::defaults(), kReceived);
  EXPECT_FALSE(m.has_value());
  return m ? std::string() : m.error().reason;
}

struct Expected {
  Parameter parameter;
  std::optional<double> value;
  std::optional<core::CaptureTime> source_time = std::nullopt;
};

void expect_samples(const OruMessage& m, const std::vector<Expected>& expected, double tolerance = 0) {
  ASSERT_EQ(m.samples.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const NumericSample& s = m.samples[i];
    const Expected& e = expected[i];
    EXPECT_EQ(s.parameter, e.parameter) << i;
    EXPECT_EQ(s.unit, info(e.parameter).unit) << i;
    EXPECT_EQ(s.captured, kReceived) << i;
    ASSERT_EQ(s.value.has_value(), e.value.has_value()) << i << " " << info(e.parameter).short_name;
    if (e.value) {
      EXPECT_NEAR(*s.value, *e.value, tolerance) << i << " " << info(e.parameter).short_name;
    }
    if (e.source_time) {
      EXPECT_EQ(s.source_time, e.source_time) << i;
    }
  }
}

TEST(OruMessage, PhilipsStylePcd01WithDeviceHierarchy) {
  const OruMessage m = parse_file("intellivue_pcd01.hl7");
  EXPECT_EQ(m.header.control_id, "MSG00001");
  EXPECT_EQ(m.header.version, "2.6");
  EXPECT_THAT(m.header.sending_application, ElementsAre("AcmeInc", "ACDE48234567ABCD", "EUI-64"));
  EXPECT_TRUE(m.problems.empty());
  EXPECT_EQ(m.observations, 8u);
  EXPECT_EQ(m.unknown_observations, 2u);  // the MDS and channel rows of the device hierarchy
  const auto t = at("20240115102959+0100");
  expect_samples(m, {{Parameter::kHr, 72, t},
                     {Parameter::kSpo2, 97, t},
                     {Parameter::kPr, 71, t},
                     {Parameter::kAbpSys, 118, t},
                     {Parameter::kAbpDia, 76, t},
                     {Parameter::kAbpMean, 90, t}});
}

TEST(OruMessage, MindrayStyleWithPrivateCodesAndMillisecondTimes) {
  const OruMessage m = parse_file("mindray_benelink.hl7");
  EXPECT_EQ(m.header.control_id, "2001");
  EXPECT_TRUE(m.problems.empty());
  EXPECT_EQ(m.unknown_observations, 2u);
  EXPECT_THAT(m.unknown_codes,
              ElementsAre("148066^MDC_ECG_V_P_C_RATE^MDC", "108^MNDRY_ECG_PAUSE_RATE^99MNDRY"));
  const auto now = at("20240115103005+0000");
  const auto cuff = at("20240115102900+0000");
  expect_samples(m, {{Parameter::kHr, 88, now},
                     {Parameter::kRr, 16, now},
                     {Parameter::kSpo2, 99, now},
                     {Parameter::kNibpSys, 131, cuff},
                     {Parameter::kNibpDia, 84, cuff},
                     {Parameter::kNibpMean, 100, cuff},
                     {Parameter::kBis, 52, now}});  // no unit: an index is dimensionless
}

TEST(OruMessage, UcumUnitsAndLineFeedSegments) {
  const OruMessage m = parse_file("ucum_units_lf.hl7");
  EXPECT_EQ(m.header.control_id, "GW-000123");
  EXPECT_TRUE(m.problems.empty());
  const auto t = at("20240115103010");  // no offset: read as UTC
  expect_samples(m, {{Parameter::kHr, 64, t},
                     {Parameter::kSpo2, 96, t},
                     {Parameter::kNibpSys, 112, t},
                     {Parameter::kNibpDia, 71, t},
                     {Parameter::kNibpMean, 85, t},
                     {Parameter::kTemp, 36.4, t},
                     {Parameter::kEtco2, 38, t},
                     {Parameter::kRr, 12, t}});
}

TEST(OruMessage, LoincCodesVendorUnitsFahrenheitAndCrLf) {
  const OruMessage m = parse_file("loinc_vendor_units_crlf.hl7");
  EXPECT_EQ(m.header.version, "2.3");
  EXPECT_TRUE(m.problems.empty());
  const auto obr = at("20240115153020+0000");  // OBR-7, for OBX without OBX-14
  expect_samples(m,
                 {{Parameter::kHr, 58, obr},
                  {Parameter::kSpo2, 100, obr},
                  {Parameter::kNibpSys, 142, obr},
                  {Parameter::kNibpDia, 91, obr},
                  {Parameter::kTemp, 37.0, obr},  // 98.6 degF
                  {Parameter::kRr, 18, obr}},
                 1e-9);
}

TEST(OruMessage, KilopascalPressuresAndEtco2BecomeMmHg) {
  const OruMessage m = parse_file("kpa_units.hl7");
  EXPECT_TRUE(m.problems.empty());
  const double k = UnitConversion::kMmHgPerKiloPascal;
  expect_samples(m,
                 {{Parameter::kNibpSys, 16.0 * k},
                  {Parameter::kNibpDia, 10.7 * k},
                  {Parameter::kNibpMean, 12.5 * k},
                  {Parameter::kEtco2, 5.1 * k},
                  {Parameter::kTemp, 36.9}},
                 1e-9);
  EXPECT_NEAR(*m.samples[0].value, 120.0099, 1e-4);
}

TEST(OruMessage, NotAvailableValuesAreNullNotErrors) {
  const OruMessage m = parse_file("not_available.hl7");
  EXPECT_TRUE(m.problems.empty());
  expect_samples(m, {{Parameter::kHr, std::nullopt},       // NaN
                     {Parameter::kSpo2, std::nullopt},     // empty, status X
                     {Parameter::kEtco2, std::nullopt},    // NRes
                     {Parameter::kAbpSys, std::nullopt},   // +INF
                     {Parameter::kAbpDia, std::nullopt},   // -INF
                     {Parameter::kAbpMean, std::nullopt},  // empty
                     {Parameter::kPr, 68},
                     {Parameter::kRr, std::nullopt}});  // a value, but status X
}

TEST(OruMessage, EscapeSequencesAndRepeatedFields) {
  const OruMessage m = parse_file("escapes_repeats.hl7");
  EXPECT_TRUE(m.problems.empty());
  EXPECT_EQ(m.header.control_id, "ESC^0042");
  EXPECT_THAT(m.header.sending_application, ElementsAre("Gateway&North", "0012AB", "EUI-64"));
  EXPECT_THAT(m.header.sending_facility, ElementsAre("Cardio | OR 2"));
  EXPECT_EQ(m.unknown_observations, 1u);
  EXPECT_THAT(m.unknown_codes, ElementsAre("HR2^Heart rate ^ ECG lead II^99ACME"));
  expect_samples(m, {{Parameter::kHr, 81}, {Parameter::kSpo2, 95}, {Parameter::kTemp, 37.2}});
}

TEST(OruMessage, AlternateIdentifiersStructuredNumericAndV27Delimiters) {
  const OruMessage m = parse_file("alternate_identifier_lf.hl7");
  EXPECT_TRUE(m.problems.empty());
  EXPECT_EQ(m.header.encoding.truncation, '#');
  EXPECT_EQ(m.header.processing_id, "T");
  expect_samples(
      m, {{Parameter::kHr, 77}, {Parameter::kSpo2, 94}, {Parameter::kAbpMean, 83}, {Parameter::kRr, 15}});
}

TEST(OruMessage, VendorCodesNeedTheSiteCodeMap) {
  const OruMessage without = parse_file("vendor_codes.hl7");
  EXPECT_TRUE(without.samples.empty());
  EXPECT_TRUE(without.problems.empty());
  EXPECT_EQ(without.unknown_observations, 7u);

  core::ConfigTable t = core::ConfigTable::load(SURGILINK_TEST_DATA "/hl7/vendor_codes.toml");
  const ObservationCodeMap site = ObservationCodeMap::load(t);
  const OruMessage with = parse_file("vendor_codes.hl7", site);
  EXPECT_TRUE(with.problems.empty());
  EXPECT_EQ(with.unknown_observations, 0u);
  expect_samples(with, {{Parameter::kHr, 67},
                        {Parameter::kSpo2, 98},
                        {Parameter::kNibpSys, 124},
                        {Parameter::kNibpDia, 79},
                        {Parameter::kNibpMean, 94},
                        {Parameter::kRr, 13},
                        {Parameter::kBis, 41}});
}

TEST(OruMessage, TwoObservationGroupsKeepTheirOwnTimes) {
  const OruMessage m = parse_file("two_devices_lf.hl7");
  EXPECT_TRUE(m.problems.empty());
  expect_samples(m, {{Parameter::kTemp, 36.6, at("20240115103119+0000")},
                     {Parameter::kBis, 47, at("20240115103119+0000")},
                     {Parameter::kEtco2, 35, at("20240115103118+0000")},
                     {Parameter::kRr, 12, at("20240115103118+0000")},
                     {Parameter::kNibpSys, 108, at("20240115103000+0000")}});
}

TEST(OruMessage, WaveformObservationsAreSkippedNumericsKept) {
  const OruMessage m = parse_file("waveform_and_numerics.hl7");
  EXPECT_TRUE(m.problems.empty());
  EXPECT_EQ(m.unknown_observations, 2u);
  expect_samples(m, {{Parameter::kHr, 91}, {Parameter::kSpo2, 93}});
}

TEST(OruMessage, PatientDataIsNeverKept) {
  for (const char* name : {"intellivue_pcd01.hl7", "escapes_repeats.hl7", "loinc_vendor_units_crlf.hl7"}) {
    const OruMessage m = parse_file(name);
    std::string everything = m.header.control_id;
    for (const auto& s : m.unknown_codes) everything += s;
    for (const auto& p : m.problems) everything += p.reason;
    EXPECT_THAT(everything, ::testing::Not(HasSubstr("Doe")));
    EXPECT_THAT(everything, ::testing::Not(HasSubstr("Roe")));
  }
}

TEST(OruMessage, NonNumericValueIsAProblemOfItsObx) {
  const OruMessage m = parse_file("bad_non_numeric.hl7");
  ASSERT_EQ(m.problems.size(), 1u);
  EXPECT_EQ(m.problems[0].reason, "OBX 2 (spo2): OBX-5 value 'abc' is not a number");
  EXPECT_EQ(m.problems[0].location, "OBX^2^5");
  EXPECT_EQ(m.problems[0].hl7_condition, 102);
  // The good OBX is read; the refused one is there as "not available", so SpO2 shows as missing rather than
  // keeping an older value.
  expect_samples(m, {{Parameter::kHr, 70}, {Parameter::kSpo2, std::nullopt}});
}

TEST(OruMessage, OneRefusedObservationLosesNothingElse) {
  const OruMessage m = parse_file("bad_spo2_range.hl7");
  ASSERT_EQ(m.problems.size(), 1u);
  EXPECT_EQ(m.problems[0].location, "OBX^2^5");
  EXPECT_THAT(m.problems[0].reason,
              HasSubstr("OBX 2 (spo2): spo2 value 101 % is outside the plausible range"));
  expect_samples(m,
                 {{Parameter::kHr, 72},
                  {Parameter::kSpo2, std::nullopt},
                  {Parameter::kEtco2, 35},
                  {Parameter::kTemp, 36.8}},
                 1e-9);
}

TEST(OruMessage, UnknownUnitIsAProblemOfItsObx) {
  const OruMessage m = parse_file("bad_unknown_unit.hl7");
  ASSERT_EQ(m.problems.size(), 1u);
  EXPECT_EQ(m.problems[0].reason, "OBX 1 (hr): OBX-6 unknown unit 'furlongs/fortnight'");
  EXPECT_EQ(m.problems[0].location, "OBX^1^6");
  EXPECT_EQ(m.problems[0].hl7_condition, 103);
  expect_samples(m, {{Parameter::kHr, std::nullopt}});
}

TEST(OruMessage, Etco2InPercentIsRefused) {
  const OruMessage m = parse_file("bad_etco2_percent.hl7");
  ASSERT_EQ(m.problems.size(), 1u);
  EXPECT_THAT(m.problems[0].reason, HasSubstr("OBX 1 (etco2): etco2 is a pressure (mmHg or kPa); unit %"));
  EXPECT_THAT(m.problems[0].reason, HasSubstr("not a partial pressure"));
}

TEST(OruMessage, BadSegmentIdIsAProblem) {
  const OruMessage m = parse_file("bad_segment.hl7");
  ASSERT_EQ(m.problems.size(), 1u);
  EXPECT_EQ(m.problems[0].reason, "segment 3 does not start with a segment id (3 capital letters or digits)");
  EXPECT_EQ(m.problems[0].hl7_condition, 100);
}

TEST(OruMessage, BrokenHeaderOrWrongTypeFailsTheWholeMessage) {
  EXPECT_THAT(refusal_of(read_message("bad_encoding_characters.hl7")),
              HasSubstr("MSH-2 encoding characters '^~^&' repeat the delimiter '^'"));
  EXPECT_THAT(refusal_of(read_message("bad_message_type.hl7")),
              HasSubstr("MSH-9 message type 'ADT' is not ORU (ORU^R01)"));
  EXPECT_THAT(refusal_of("MSH|^~\\&|A|B|||20240115||ORU^R30|1|P|2.6\r"), HasSubstr("trigger event 'R30'"));
  EXPECT_THAT(refusal_of(""), HasSubstr("does not start with an MSH segment"));
  EXPECT_THAT(
      refusal_of("MSH|^~\\&|A|B|||20240115||ORU^R01|1|P|2.6\rMSH|^~\\&|A|B|||20240115||ORU^R01|2|P|2.6\r"),
      HasSubstr("a second MSH segment"));
}

const std::string kHead = "MSH|^~\\&|GW|OR|||20240115103000||ORU^R01|T1|P|2.6\r";

std::string one_obx(const std::string& obx) { return kHead + obx + "\r"; }

std::string problem_of(const std::string& obx) {
  const OruMessage m = parse_ok(one_obx(obx));
  EXPECT_EQ(m.problems.size(), 1u) << obx;
  // The refused OBX is there as "not available" of its parameter, never as a value.
  EXPECT_EQ(m.samples.size(), 1u) << obx;
  for (const NumericSample& s : m.samples) EXPECT_FALSE(s.value.has_value()) << obx;
  return m.problems.empty() ? std::string() : m.problems[0].reason;
}

TEST(OruMessage, EachObxFieldIsChecked) {
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||1e2|/min"), HasSubstr("OBX-5 value '1e2' is not a number"));
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||72,5|/min"), HasSubstr("'72,5' is not a number"));
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||--7|/min"), HasSubstr("'--7' is not a number"));
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||.|/min"), HasSubstr("'.' is not a number"));
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||72~73|/min"), HasSubstr("OBX-5 holds 2 repetitions"));
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||72^1|/min"), HasSubstr("OBX-5 has components"));
  EXPECT_THAT(problem_of("OBX|1|CWE|147842^^MDC||72|/min"),
              HasSubstr("OBX-2 value type 'CWE' is not numeric"));
  EXPECT_THAT(problem_of("OBX|1|SN|147842^^MDC||<^72|/min"), HasSubstr("structured numeric is not a single"));
  EXPECT_THAT(problem_of("OBX|1|NM|150301^^MDC||120|"), HasSubstr("OBX-6 unit is missing"));
  EXPECT_THAT(problem_of("OBX|1|NM|150344^^MDC||36.5|"), HasSubstr("OBX-6 unit is missing"));
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||72|mmHg"), HasSubstr("hr is a rate (/min); unit mm[Hg]"));
  EXPECT_THAT(problem_of("OBX|1|NM|150456^^MDC||101|%"), HasSubstr("outside the plausible range 0..100"));
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||72|/min|||||Q"), HasSubstr("OBX-11 result status 'Q'"));
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||72|/min|||||F|||2024-01-15"),
              HasSubstr("OBX-14 '2024-01-15' is not an HL7 date/time"));
  EXPECT_THAT(problem_of("OBX|7|NM|147842^^MDC||x|/min"), HasSubstr("OBX 7 (hr): "));
  EXPECT_THAT(problem_of("OBX||NM|147842^^MDC||x|/min"), HasSubstr("OBX 1 (hr): "));  // no set id: ordinal
}

TEST(OruMessage, StatusesAndLenientForms) {
  const OruMessage m = parse_ok(kHead +
                                "OBX|1|NM|147842^^MDC||70|/min|||||W\r"     // wrong: skipped
                                "OBX|2|NM|147842^^MDC||71|/min|||||D\r"     // deleted: skipped
                                "OBX|3|NM|147842^^MDC||72|/min|||||I\r"     // pending: skipped
                                "OBX|4||147842^^MDC||+73.0||||||f\r"        // no type, no unit, lower case
                                "OBX|5|NM|147842^^MDC|| 74 |/min|||||N\r"   // not asked: not available
                                "ZXY|custom|segment\r"                      // Z segment: skipped
                                "OBX|6|NM|150456^^MDC||098.50|%|||||C\r");  // leading zero, correction
  EXPECT_TRUE(m.problems.empty());
  EXPECT_EQ(m.skipped_observations, 3u);
  expect_samples(m, {{Parameter::kHr, 73}, {Parameter::kHr, std::nullopt}, {Parameter::kSpo2, 98.5}});
}

// IEEE 11073-20601 FLOAT (24-bit mantissa) and SFLOAT (12-bit mantissa) reserve exponent-0 mantissas for NaN,
// NRes, +INF, -INF and a reserved value. Gateways that copy the number instead of the text put them into
// OBX-5 as the decoded mantissa (signed), as the raw unsigned word in decimal, or in hex; IHE PCD gateways
// leave OBX-5 empty and name the reason in OBX-8 (NAN, PINF, NINF, NAV, OFF, ...). All mean "not available".
TEST(OruMessage, Ieee11073ReservedMantissasAndPcdNullFlavorsAreNotAvailable) {
  const OruMessage m = parse_file("ieee11073_special_values.hl7");
  for (const Rejection& p : m.problems) ADD_FAILURE() << p.reason;
  std::vector<Expected> expected(20, Expected{Parameter::kHr, std::nullopt});
  for (int i = 0; i < 9; ++i) expected.push_back({Parameter::kSpo2, std::nullopt});
  expected.push_back({Parameter::kPr, 68});  // OBX-8 "N" (normal) is an abnormal flag, not a null flavor
  expect_samples(m, expected);
}

TEST(OruMessage, NumbersNextToTheReservedMantissasAreStillChecked) {
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||2045|/min"), HasSubstr("outside the plausible range"));
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||8388605|/min"), HasSubstr("outside the plausible range"));
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||2047.5|/min"), HasSubstr("outside the plausible range"));
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||0x0048|/min"), HasSubstr("'0x0048' is not a number"));
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||0x7FF0|/min"), HasSubstr("'0x7FF0' is not a number"));
  EXPECT_THAT(problem_of("OBX|1|NM|147842^^MDC||72|/min||H|||Q"), HasSubstr("OBX-11 result status 'Q'"));
  // An abnormal flag keeps the value.
  expect_samples(parse_ok(kHead + "OBX|1|NM|147842^^MDC||130|/min||H|||R\r"), {{Parameter::kHr, 130}});
}

TEST(OruMessage, SizeAndObservationLimits) {
  const std::string big = kHead + "NTE|1||" + std::string(1024 * 1024, 'x') + "\r";
  auto too_big = OruMessage::parse(big, ObservationCodeMap::defaults(), kReceived);
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().fault, core::Fault::kTooLarge);
  EXPECT_THAT(too_big.error().reason, HasSubstr("over the 1048576-byte limit"));

  std::string many = kHead;
  for (int i = 1; i <= 1001; ++i) many += "OBX|" + std::to_string(i) + "|NM|147842^^MDC||72|/min\r";
  auto too_many = OruMessage::parse(many, ObservationCodeMap::defaults(), kReceived);
  ASSERT_FALSE(too_many);
  EXPECT_THAT(too_many.error().reason, HasSubstr("more than 1000 OBX segments"));

  std::string thousand = kHead;
  for (int i = 1; i <= 1000; ++i) thousand += "OBX|" + std::to_string(i) + "|NM|147842^^MDC||72|/min\r";
  EXPECT_EQ(parse_ok(thousand).samples.size(), 1000u);
}

// A 1 MiB message of one-character junk lines is half a million refused segments: they are counted, and
// only the first hundred are listed (listing each took 100 MB and half a second per message).
TEST(OruMessage, AFloodOfJunkLinesIsCountedNotListed) {
  std::string junk = kHead + "OBX|1|NM|147842^^MDC||72|/min\r";
  std::size_t lines = 0;
  for (; junk.size() + 2 <= 1024 * 1024; ++lines) junk += "x\r";
  const OruMessage m = parse_ok(junk);
  EXPECT_EQ(m.problems.size(), 100u);
  EXPECT_EQ(m.problems.size() + m.problems_not_listed, lines);
  expect_samples(m, {{Parameter::kHr, 72}});
  auto ack = Hl7Ack::parse(
      make_ack(m.header, AckCode::kError, m.problems, AckStamp{kReceived, "A"}, m.problems_not_listed));
  ASSERT_TRUE(ack);
  EXPECT_THAT(ack.value().text, HasSubstr("(+" + std::to_string(lines - 1) + " more)"));
  EXPECT_EQ(ack.value().errors.size(), 10u);
}

TEST(OruMessage, EveryTruncationAndCorruptionOfEveryValidMessageIsSafe) {
  const ObservationCodeMap codes = ObservationCodeMap::defaults();
  std::size_t parsed = 0;
  for (const char* name :
       {"intellivue_pcd01.hl7", "mindray_benelink.hl7", "ucum_units_lf.hl7", "loinc_vendor_units_crlf.hl7",
        "kpa_units.hl7", "not_available.hl7", "escapes_repeats.hl7", "alternate_identifier_lf.hl7",
        "vendor_codes.hl7", "two_devices_lf.hl7", "waveform_and_numerics.hl7", "bad_non_numeric.hl7"}) {
    const std::string full = read_message(name);
    const std::size_t all_obx = parse_ok(full).observations;
    for (std::size_t n = 0; n <= full.size(); ++n) {
      auto m = OruMessage::parse(std::string_view(full).substr(0, n), codes, kReceived);
      if (m) {
        ++parsed;
        EXPECT_LE(m.value().observations, all_obx);
      } else {
        EXPECT_FALSE(m.error().reason.empty());
      }
    }
    // Every byte replaced by each delimiter, a line end, a NUL and a high byte.
    for (std::size_t i = 0; i < full.size(); ++i) {
      for (char c : {'|', '^', '~', '\\', '&', '\r', '\0', '\xFF'}) {
        std::string bad = full;
        bad[i] = c;
        auto m = OruMessage::parse(bad, codes, kReceived);
        if (m) ++parsed;
      }
    }
  }
  EXPECT_GT(parsed, 1000u);
}

}  // namespace
}  // namespace surgilink::vitals
