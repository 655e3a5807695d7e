#include "surgilink/vitals/alarm_limits.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace surgilink::vitals {
namespace {

using ::testing::HasSubstr;

std::string config_error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const core::ConfigError& e) {
    return e.what();
  }
  return "<no ConfigError>";
}

TEST(AlarmLimits, DefaultsAreTheDocumentedOnes) {
  const AlarmLimits d = AlarmLimits::defaults();
  EXPECT_EQ(d[Parameter::kHr].low, 50);
  EXPECT_EQ(d[Parameter::kHr].high, 120);
  EXPECT_EQ(d[Parameter::kHr].hysteresis, 5);
  EXPECT_EQ(d[Parameter::kSpo2].low, 90);
  EXPECT_EQ(d[Parameter::kSpo2].high, std::nullopt);
  EXPECT_EQ(d[Parameter::kAbpMean].low, 65);
  EXPECT_EQ(d[Parameter::kTemp].high, 38.5);
  for (const ParameterInfo& p : all_parameters()) {
    EXPECT_TRUE(d[p.parameter].enabled) << p.short_name;
    EXPECT_TRUE(d[p.parameter].low || d[p.parameter].high) << p.short_name;
  }
}

TEST(AlarmLimits, ConfigOverridesSomeKeysAndKeepsTheRest) {
  core::ConfigTable root = core::ConfigTable::parse(
      "[alarms.hr]\nlow = 45\nhigh = 130\n"
      "[alarms.spo2]\nlow = 92.5\nhysteresis = 1\n"
      "[alarms.bis]\nenabled = false\n",
      "sender.toml");
  core::ConfigTable alarms = root.table("alarms");
  const AlarmLimits l = load_alarm_limits(alarms);
  root.finish();
  EXPECT_EQ(l[Parameter::kHr].low, 45);
  EXPECT_EQ(l[Parameter::kHr].high, 130);
  EXPECT_EQ(l[Parameter::kHr].hysteresis, 5);  // default kept
  EXPECT_EQ(l[Parameter::kSpo2].low, 92.5);
  EXPECT_EQ(l[Parameter::kSpo2].hysteresis, 1);
  EXPECT_FALSE(l[Parameter::kBis].enabled);
  EXPECT_EQ(l[Parameter::kTemp], AlarmLimits::defaults()[Parameter::kTemp]);
}

TEST(AlarmLimits, BadConfigNamesFileLineAndKey) {
  auto load = [](const std::string& text) {
    core::ConfigTable root = core::ConfigTable::parse(text, "sender.toml");
    core::ConfigTable alarms = root.table("alarms");
    load_alarm_limits(alarms);
    root.finish();
  };
  EXPECT_THAT(config_error_of([&] { load("[alarms.hr]\nlow = 130\nhigh = 120\n"); }),
              HasSubstr("sender.toml:2: key 'alarms.hr.low': low 130 must be below high 120"));
  EXPECT_THAT(config_error_of([&] { load("[alarms.spo2]\nlow = 101\n"); }),
              HasSubstr("key 'alarms.spo2.low': value 101 is outside 0..100"));
  EXPECT_THAT(config_error_of([&] { load("[alarms.hr]\nhysteresis = 40\n"); }),
              HasSubstr("hysteresis 40 must be smaller than half of the 50..120 band"));
  EXPECT_THAT(config_error_of([&] { load("[alarms.hr]\nlwo = 40\n"); }),
              HasSubstr("key 'alarms.hr.lwo': unknown setting"));
  EXPECT_THAT(config_error_of([&] { load("[alarms.heart]\nlow = 40\n"); }),
              HasSubstr("key 'alarms.heart': unknown setting"));
}

}  // namespace
}  // namespace surgilink::vitals
