#include "surgilink/vitals/vital_sign.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "surgilink/vitals/numeric_sample.hpp"

namespace surgilink::vitals {
namespace {

TEST(VitalSign, ShortNamesAreTheDocumentedKeys) {
  std::string names;
  for (const ParameterInfo& p : all_parameters()) names += std::string(p.short_name) + " ";
  EXPECT_EQ(names, "hr pr spo2 nibp_sys nibp_dia nibp_mean abp_sys abp_dia abp_mean etco2 rr temp bis ");
}

TEST(VitalSign, MdcCodesAreIeee11073Terms) {
  EXPECT_EQ(info(Parameter::kHr).mdc_code, 147842u);
  EXPECT_EQ(info(Parameter::kHr).mdc_name, "MDC_ECG_HEART_RATE");
  EXPECT_EQ(info(Parameter::kSpo2).mdc_code, 150456u);
  EXPECT_EQ(info(Parameter::kPr).mdc_code, 149530u);
  EXPECT_EQ(info(Parameter::kNibpSys).mdc_code, 150301u);
  EXPECT_EQ(info(Parameter::kNibpDia).mdc_code, 150302u);
  EXPECT_EQ(info(Parameter::kNibpMean).mdc_code, 150303u);
  EXPECT_EQ(info(Parameter::kAbpSys).mdc_code, 150037u);
  EXPECT_EQ(info(Parameter::kAbpDia).mdc_code, 150038u);
  EXPECT_EQ(info(Parameter::kAbpMean).mdc_code, 150039u);
  EXPECT_EQ(info(Parameter::kEtco2).mdc_code, 151708u);
  EXPECT_EQ(info(Parameter::kRr).mdc_code, 151562u);
  EXPECT_EQ(info(Parameter::kTemp).mdc_code, 150344u);
  EXPECT_EQ(info(Parameter::kBis).mdc_code, 192590u);
  EXPECT_EQ(info(Waveform::kEcgII).mdc_code, 131330u);
  EXPECT_EQ(info(Waveform::kPleth).mdc_code, 150452u);
  EXPECT_EQ(info(Waveform::kCapnogram).mdc_code, 151724u);
  EXPECT_EQ(info(Waveform::kAbp).mdc_code, 150036u);
}

TEST(VitalSign, CanonicalUnits) {
  EXPECT_EQ(info(info(Parameter::kHr).unit).ucum, "/min");
  EXPECT_EQ(info(info(Parameter::kSpo2).unit).ucum, "%");
  EXPECT_EQ(info(info(Parameter::kNibpSys).unit).ucum, "mm[Hg]");
  EXPECT_EQ(info(info(Parameter::kNibpSys).unit).symbol, "mmHg");
  EXPECT_EQ(info(info(Parameter::kEtco2).unit).symbol, "mmHg");
  EXPECT_EQ(info(info(Parameter::kTemp).unit).ucum, "Cel");
  EXPECT_EQ(info(info(Parameter::kTemp).unit).symbol, "\302\260C");
  EXPECT_EQ(info(Unit::kMmHg).mdc_code, 266016u);
  EXPECT_EQ(info(Unit::kPerMinute).mdc_code, 264864u);
  EXPECT_EQ(info(Unit::kCelsius).mdc_code, 268192u);
  EXPECT_EQ(info(Unit::kPercent).mdc_code, 262688u);
}

TEST(VitalSign, LookupsByNameCodeAndAlias) {
  EXPECT_EQ(parameter_from_short_name("nibp_mean"), Parameter::kNibpMean);
  EXPECT_EQ(parameter_from_short_name("HR"), std::nullopt);
  EXPECT_EQ(parameter_from_mdc_code(150456), Parameter::kSpo2);
  EXPECT_EQ(parameter_from_mdc_code(150021), Parameter::kNibpSys);  // MDC_PRESS_BLD_NONINV_SYS
  EXPECT_EQ(parameter_from_mdc_code(150364), Parameter::kTemp);     // MDC_TEMP_BODY
  EXPECT_EQ(parameter_from_mdc_code(0), std::nullopt);
  EXPECT_EQ(parameter_from_mdc_code(131330), std::nullopt);  // a waveform, not a numeric
  EXPECT_EQ(parameter_from_mdc_name("MDC_TTHOR_RESP_RATE"), Parameter::kRr);
  EXPECT_EQ(parameter_from_mdc_name("MDC_PRESS_BLD_NONINV_DIA"), Parameter::kNibpDia);
  // Every alias names an existing parameter, and the preferred term of each parameter is listed.
  std::set<Parameter> preferred;
  for (const MdcAlias& a : mdc_aliases()) {
    if (a.code == info(a.parameter).mdc_code && a.reference_id == info(a.parameter).mdc_name) {
      preferred.insert(a.parameter);
    }
  }
  EXPECT_EQ(preferred.size(), all_parameters().size());
}

TEST(NumericSample, NonFiniteValuesAreNotAvailable) {
  const core::CaptureTime t{std::chrono::seconds{1'700'000'000}};
  EXPECT_EQ(make_numeric_sample(Parameter::kHr, 72.0, t).value, 72.0);
  EXPECT_EQ(make_numeric_sample(Parameter::kHr, NAN, t).value, std::nullopt);
  EXPECT_EQ(make_numeric_sample(Parameter::kHr, INFINITY, t).value, std::nullopt);
  EXPECT_EQ(make_numeric_sample(Parameter::kHr, -INFINITY, t).value, std::nullopt);
  EXPECT_EQ(make_numeric_sample(Parameter::kTemp, std::nullopt, t).value, std::nullopt);
  EXPECT_EQ(make_numeric_sample(Parameter::kTemp, 36.6, t).unit, Unit::kCelsius);
  EXPECT_EQ(make_numeric_sample(Parameter::kTemp, 36.6, t).captured, t);
}

}  // namespace
}  // namespace surgilink::vitals
