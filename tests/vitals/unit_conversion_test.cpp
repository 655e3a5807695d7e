#include "surgilink/vitals/unit_conversion.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace surgilink::vitals {
namespace {

using ::testing::HasSubstr;

Unit unit_of(std::string_view text) {
  auto u = UnitConversion::recognise(text);
  EXPECT_TRUE(u.has_value()) << text << ": " << (u ? "" : u.error().reason);
  return u ? u.value() : Unit::kDimensionless;
}

std::string refusal_of(std::string_view text) {
  auto u = UnitConversion::recognise(text);
  EXPECT_FALSE(u.has_value()) << text;
  return u ? std::string() : u.error().reason;
}

TEST(UnitConversion, RecognisesUcumMdcAndVendorForms) {
  EXPECT_EQ(unit_of("mm[Hg]"), Unit::kMmHg);
  EXPECT_EQ(unit_of("mmHg"), Unit::kMmHg);
  EXPECT_EQ(unit_of("266016^MDC_DIM_MMHG^MDC"), Unit::kMmHg);
  EXPECT_EQ(unit_of("^MDC_DIM_MMHG^MDC"), Unit::kMmHg);
  EXPECT_EQ(unit_of("266016"), Unit::kMmHg);  // bare MDC code
  EXPECT_EQ(unit_of("kPa"), Unit::kKiloPascal);
  EXPECT_EQ(unit_of("265987^MDC_DIM_KILO_PASCAL^MDC"), Unit::kKiloPascal);
  EXPECT_EQ(unit_of("%"), Unit::kPercent);
  EXPECT_EQ(unit_of("262688^MDC_DIM_PERCENT^MDC"), Unit::kPercent);
  EXPECT_EQ(unit_of("264864^MDC_DIM_BEAT_PER_MIN^MDC"), Unit::kPerMinute);
  EXPECT_EQ(unit_of("264928^MDC_DIM_RESP_PER_MIN^MDC"), Unit::kPerMinute);
  EXPECT_EQ(unit_of("/min"), Unit::kPerMinute);
  EXPECT_EQ(unit_of("{beat}/min"), Unit::kPerMinute);
  EXPECT_EQ(unit_of("bpm"), Unit::kPerMinute);
  EXPECT_EQ(unit_of("BPM"), Unit::kPerMinute);
  EXPECT_EQ(unit_of("Cel"), Unit::kCelsius);
  EXPECT_EQ(unit_of("268192^MDC_DIM_DEGC^MDC"), Unit::kCelsius);
  EXPECT_EQ(unit_of("\302\260C"), Unit::kCelsius);
  EXPECT_EQ(unit_of("\260C"), Unit::kCelsius);
  EXPECT_EQ(unit_of("degF"), Unit::kFahrenheit);
  EXPECT_EQ(unit_of("[degF]"), Unit::kFahrenheit);
  EXPECT_EQ(unit_of("266560^MDC_DIM_FAHR^MDC"), Unit::kFahrenheit);
  EXPECT_EQ(unit_of("262656^MDC_DIM_DIMLESS^MDC"), Unit::kDimensionless);
  EXPECT_EQ(unit_of("mm[Hg]^millimetre of mercury^UCUM"), Unit::kMmHg);
  EXPECT_EQ(unit_of("0004-0f20^mmHg^MDIL"), Unit::kMmHg);  // unknown vendor code, recognisable text
}

TEST(UnitConversion, RefusesUnknownEmptyAndContradictoryUnits) {
  EXPECT_THAT(refusal_of("furlongs"), HasSubstr("unknown unit 'furlongs'"));
  EXPECT_THAT(refusal_of(""), HasSubstr("no unit"));
  EXPECT_THAT(refusal_of("999999^MDC_DIM_NOTHING^MDC"), HasSubstr("unknown unit"));
  // 262656 is MDC_DIM_DIMLESS: a code and a reference id that disagree are not guessed at.
  EXPECT_THAT(refusal_of("262656^MDC_DIM_MMHG^MDC"),
              HasSubstr("MDC_DIM_DIMLESS, which contradicts MDC_DIM_MMHG"));
  EXPECT_THAT(refusal_of("MV"), HasSubstr("unknown unit"));  // megavolt, not millivolt
}

TEST(UnitConversion, ConvertsIntoCanonicalUnits) {
  EXPECT_DOUBLE_EQ(UnitConversion::to_canonical(Parameter::kHr, 72, Unit::kPerMinute).value(), 72);
  EXPECT_NEAR(UnitConversion::to_canonical(Parameter::kNibpSys, 16.0, Unit::kKiloPascal).value(), 120.00985,
              1e-4);
  EXPECT_NEAR(UnitConversion::to_canonical(Parameter::kEtco2, 5.0, Unit::kKiloPascal).value(), 37.5031, 1e-4);
  EXPECT_DOUBLE_EQ(UnitConversion::to_canonical(Parameter::kAbpMean, 93, Unit::kMmHg).value(), 93);
  EXPECT_NEAR(UnitConversion::to_canonical(Parameter::kTemp, 98.6, Unit::kFahrenheit).value(), 37.0, 1e-9);
  EXPECT_DOUBLE_EQ(UnitConversion::to_canonical(Parameter::kTemp, 36.6, Unit::kCelsius).value(), 36.6);
  EXPECT_DOUBLE_EQ(UnitConversion::to_canonical(Parameter::kBis, 45, Unit::kDimensionless).value(), 45);
  EXPECT_NEAR(UnitConversion::kilopascal_to_mmhg(1.0), 7.5006158, 1e-7);
}

TEST(UnitConversion, RefusesTheWrongKindOfUnit) {
  auto percent_etco2 = UnitConversion::to_canonical(Parameter::kEtco2, 5.0, Unit::kPercent);
  ASSERT_FALSE(percent_etco2);
  EXPECT_THAT(percent_etco2.error().reason, HasSubstr("etco2 is a pressure"));
  EXPECT_THAT(percent_etco2.error().reason, HasSubstr("not a partial pressure"));
  EXPECT_FALSE(UnitConversion::to_canonical(Parameter::kHr, 72, Unit::kMmHg));
  EXPECT_FALSE(UnitConversion::to_canonical(Parameter::kSpo2, 97, Unit::kPerMinute));
  EXPECT_FALSE(UnitConversion::to_canonical(Parameter::kTemp, 36, Unit::kKiloPascal));
  EXPECT_FALSE(UnitConversion::to_canonical(Parameter::kNibpSys, 120, Unit::kCelsius));
}

TEST(UnitConversion, RefusesImplausibleAndNonFiniteValues) {
  auto spo2 = UnitConversion::to_canonical(Parameter::kSpo2, 150, Unit::kPercent);
  ASSERT_FALSE(spo2);
  EXPECT_THAT(spo2.error().reason, HasSubstr("spo2 value 150 % is outside the plausible range 0..100 %"));
  EXPECT_FALSE(UnitConversion::to_canonical(Parameter::kHr, -5, Unit::kPerMinute));
  EXPECT_FALSE(UnitConversion::to_canonical(Parameter::kTemp, 212, Unit::kFahrenheit));  // 100 °C
  EXPECT_FALSE(UnitConversion::to_canonical(Parameter::kHr, NAN, Unit::kPerMinute));
}

TEST(UnitConversion, ImpliedUnitOnlyWhereUnambiguous) {
  EXPECT_EQ(UnitConversion::implied_unit(Parameter::kHr), Unit::kPerMinute);
  EXPECT_EQ(UnitConversion::implied_unit(Parameter::kSpo2), Unit::kPercent);
  EXPECT_EQ(UnitConversion::implied_unit(Parameter::kBis), Unit::kDimensionless);
  EXPECT_EQ(UnitConversion::implied_unit(Parameter::kNibpSys), std::nullopt);
  EXPECT_EQ(UnitConversion::implied_unit(Parameter::kTemp), std::nullopt);
}

}  // namespace
}  // namespace surgilink::vitals
