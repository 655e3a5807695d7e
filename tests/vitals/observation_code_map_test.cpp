#include "surgilink/vitals/observation_code_map.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace surgilink::vitals {
namespace {

using ::testing::HasSubstr;

TEST(ObservationCodeMap, DefaultsKnowMdcCodesReferenceIdsAndLoinc) {
  const ObservationCodeMap map = ObservationCodeMap::defaults();
  EXPECT_EQ(map.find("150456", "MDC_PULS_OXIM_SAT_O2", "MDC"), Parameter::kSpo2);
  EXPECT_EQ(map.find("150456", "SpO2", "mdc"), Parameter::kSpo2);  // systems compare case-insensitively
  EXPECT_EQ(map.find("", "MDC_PULS_OXIM_SAT_O2", "MDC"), Parameter::kSpo2);
  EXPECT_EQ(map.find("150021", "MDC_PRESS_BLD_NONINV_SYS", "MDC"), Parameter::kNibpSys);
  EXPECT_EQ(map.find("192590", "", "MDC"), Parameter::kBis);
  EXPECT_EQ(map.find("8867-4", "Heart rate", "LN"), Parameter::kHr);
  EXPECT_EQ(map.find("8480-6", "whatever text", "LN"), Parameter::kNibpSys);
  EXPECT_EQ(map.find("", "MNDRY_EEG_BISPECTRAL_INDEX", "99MNDRY"), Parameter::kBis);
  EXPECT_EQ(map.find("150456", "MDC_PULS_OXIM_SAT_O2", ""), std::nullopt);  // no coding system
  EXPECT_EQ(map.find("150456", "", "LN"), std::nullopt);
  EXPECT_EQ(map.find("131330", "MDC_ECG_ELEC_POTL_II", "MDC"), std::nullopt);  // waveform, not numeric
  EXPECT_EQ(map.find("", "", ""), std::nullopt);
}

TEST(ObservationCodeMap, AddMatchesByCodeOrByText) {
  ObservationCodeMap map;
  EXPECT_TRUE(map.add("HR2^Heart rate^99ACME", Parameter::kHr));
  EXPECT_TRUE(map.add("^ETCO2 (kPa)^99ACME", Parameter::kEtco2));
  EXPECT_FALSE(map.add("HR^Heart rate", Parameter::kHr));  // no system
  EXPECT_FALSE(map.add("^^99ACME", Parameter::kHr));       // nothing to match
  EXPECT_FALSE(map.add("a^b^c^d", Parameter::kHr));        // not CODE^TEXT^SYSTEM
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(map.find("HR2", "any text", "99ACME"), Parameter::kHr);
  EXPECT_EQ(map.find("HR2", "", "99OTHER"), std::nullopt);
  EXPECT_EQ(map.find("X", "ETCO2 (kPa)", "99ACME"), Parameter::kEtco2);
  EXPECT_EQ(map.find("X", "etco2 (kpa)", "99ACME"), std::nullopt);  // texts compare exactly
  EXPECT_TRUE(map.add("HR2^Heart rate^99ACME", Parameter::kPr));    // later entries replace earlier ones
  EXPECT_EQ(map.find("HR2", "", "99ACME"), Parameter::kPr);
}

TEST(ObservationCodeMap, LoadsEntriesFromTheSiteConfigFile) {
  core::ConfigTable t = core::ConfigTable::load(SURGILINK_TEST_DATA "/hl7/vendor_codes.toml");
  const ObservationCodeMap map = ObservationCodeMap::load(t);
  t.finish();
  EXPECT_EQ(map.find("0002-4182", "HR", "MDIL"), Parameter::kHr);
  EXPECT_EQ(map.find("BIS", "", "99NK"), Parameter::kBis);
  EXPECT_EQ(map.find("150456", "", "MDC"), Parameter::kSpo2);  // defaults kept
  EXPECT_EQ(map.size(), ObservationCodeMap::defaults().size() + 7);

  core::ConfigTable only = core::ConfigTable::parse(
      "use_defaults = false\n[[observation]]\nid = \"HR^HR^99X\"\nparameter = \"hr\"\n", "codes.toml");
  EXPECT_EQ(ObservationCodeMap::load(only).size(), 1u);
}

TEST(ObservationCodeMap, BadEntriesAreConfigErrors) {
  auto error_of = [](const std::string& text) -> std::string {
    try {
      core::ConfigTable t = core::ConfigTable::parse(text, "codes.toml");
      ObservationCodeMap::load(t);
      t.finish();
    } catch (const core::ConfigError& e) {
      return e.what();
    }
    return "<no ConfigError>";
  };
  EXPECT_THAT(error_of("[[observation]]\nid = \"HR^HR\"\nparameter = \"hr\"\n"),
              HasSubstr("codes.toml:2: key 'observation[0].id': 'HR^HR' is not CODE^TEXT^SYSTEM"));
  EXPECT_THAT(error_of("[[observation]]\nid = \"HR^HR^99X\"\nparameter = \"heart\"\n"),
              HasSubstr("'heart' is not one of: hr, pr, spo2"));
  EXPECT_THAT(error_of("[[observation]]\nparameter = \"hr\"\n"),
              HasSubstr("'observation[0].id': is required"));
  EXPECT_THAT(error_of("[[observation]]\nid = \"A^B^C\"\nparameter = \"hr\"\nunit = \"x\"\n"),
              HasSubstr("unknown setting"));
}

}  // namespace
}  // namespace surgilink::vitals
