#include "surgilink/vitals/alarm_monitor.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace surgilink::vitals {
namespace {

using std::chrono::seconds;
using Transition = AlarmEvent::Transition;

const core::CaptureTime kStart{seconds{1'700'000'000}};

NumericSample sample(Parameter p, std::optional<double> v, int at_s) {
  return make_numeric_sample(p, v, kStart + seconds{at_s});
}

TEST(AlarmMonitor, StartsBelowLowAndEndsOnlyPastTheHysteresis) {
  AlarmMonitor m;  // hr 50..120, hysteresis 5
  EXPECT_TRUE(m.feed(sample(Parameter::kHr, 72, 0)).empty());
  EXPECT_TRUE(m.feed(sample(Parameter::kHr, 50, 1)).empty());  // at the limit: not below it
  auto start = m.feed(sample(Parameter::kHr, 49, 2));
  ASSERT_EQ(start.size(), 1u);
  EXPECT_EQ(start[0].transition, Transition::kStart);
  EXPECT_EQ(start[0].condition, AlarmCondition::kLow);
  EXPECT_EQ(start[0].value, 49);
  EXPECT_EQ(start[0].limit, 50);
  EXPECT_EQ(start[0].at, kStart + seconds{2});
  ASSERT_TRUE(m.active(Parameter::kHr));
  // Hovering just above the limit does not end it (no flicker).
  EXPECT_TRUE(m.feed(sample(Parameter::kHr, 51, 3)).empty());
  EXPECT_TRUE(m.feed(sample(Parameter::kHr, 49, 4)).empty());
  EXPECT_TRUE(m.feed(sample(Parameter::kHr, 54, 5)).empty());
  auto end = m.feed(sample(Parameter::kHr, 55, 6));
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].transition, Transition::kEnd);
  EXPECT_EQ(end[0].condition, AlarmCondition::kLow);
  EXPECT_EQ(end[0].started, kStart + seconds{2});
  EXPECT_EQ(end[0].at, kStart + seconds{6});
  EXPECT_FALSE(m.active(Parameter::kHr));
}

TEST(AlarmMonitor, HighAlarmAndAJumpFromLowToHigh) {
  AlarmMonitor m;
  ASSERT_EQ(m.feed(sample(Parameter::kAbpMean, 60, 0)).size(), 1u);  // low (65)
  auto events = m.feed(sample(Parameter::kAbpMean, 120, 1));         // straight past high (110)
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].transition, Transition::kEnd);
  EXPECT_EQ(events[0].condition, AlarmCondition::kLow);
  EXPECT_EQ(events[1].transition, Transition::kStart);
  EXPECT_EQ(events[1].condition, AlarmCondition::kHigh);
  EXPECT_EQ(m.active(Parameter::kAbpMean)->condition, AlarmCondition::kHigh);
  EXPECT_TRUE(m.feed(sample(Parameter::kAbpMean, 106, 2)).empty());  // 110 - 5 not reached
  EXPECT_EQ(m.feed(sample(Parameter::kAbpMean, 105, 3)).size(), 1u);
}

TEST(AlarmMonitor, NotAvailableChangesNothingAndParametersAreIndependent) {
  AlarmMonitor m;
  ASSERT_EQ(m.feed(sample(Parameter::kSpo2, 85, 0)).size(), 1u);
  EXPECT_TRUE(m.feed(sample(Parameter::kSpo2, std::nullopt, 1)).empty());
  EXPECT_TRUE(m.active(Parameter::kSpo2));
  EXPECT_TRUE(m.feed(sample(Parameter::kHr, 75, 1)).empty());
  EXPECT_EQ(m.active().size(), 1u);
  EXPECT_TRUE(m.feed(sample(Parameter::kSpo2, 100, 2)).size() == 1u);  // no high limit on spo2
  EXPECT_TRUE(m.active().empty());
}

TEST(AlarmMonitor, DisabledLimitsEndTheirAlarmAndNeverStartOne) {
  AlarmMonitor m;
  ASSERT_EQ(m.feed(sample(Parameter::kRr, 40, 0)).size(), 1u);
  AlarmLimits limits = AlarmLimits::defaults();
  limits[Parameter::kRr].enabled = false;
  m.set_limits(limits);
  auto end = m.feed(sample(Parameter::kRr, 40, 1));
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].transition, Transition::kEnd);
  EXPECT_TRUE(m.feed(sample(Parameter::kRr, 45, 2)).empty());
}

TEST(AlarmMonitor, FeedsABatchInOrder) {
  AlarmMonitor m;
  std::vector<NumericSample> batch = {sample(Parameter::kHr, 130, 0), sample(Parameter::kTemp, 34.0, 0),
                                      sample(Parameter::kHr, 100, 1)};
  auto events = m.feed(batch);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].parameter, Parameter::kHr);
  EXPECT_EQ(events[1].parameter, Parameter::kTemp);
  EXPECT_EQ(events[2].transition, Transition::kEnd);
}

}  // namespace
}  // namespace surgilink::vitals
