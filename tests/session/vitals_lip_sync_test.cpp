// Vitals shown with the picture of the same moment: held for the video's delay, alarms never.
#include "surgilink/session/vitals_lip_sync.hpp"

#include <gtest/gtest.h>

#include "surgilink/vitals/vitals_packet.hpp"

namespace surgilink::session {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The sender's clock 2 s ahead of the console's.
ClockSync synced(core::CaptureTime now) {
  ClockSync sync;
  sync.add({now, now + seconds{2}, now + seconds{2}, now});
  return sync;
}

std::vector<std::uint8_t> payload(double hr, core::CaptureTime captured, bool alarm = false) {
  vitals::VitalsPacket p;
  p.numerics.push_back({vitals::Parameter::kHr, hr, vitals::Unit::kPerMinute, captured, std::nullopt});
  if (alarm) {
    p.carries_alarm_state = true;
    p.alarms.push_back({vitals::Parameter::kHr, vitals::AlarmCondition::kHigh, 120, captured});
  }
  std::vector<std::uint8_t> out;
  vitals::encode(p, out);
  return out;
}

TEST(VitalsLipSync, ANumericWaitsForItsPictureButAnAlarmDoesNot) {
  core::SimulatedClock clock;
  const ClockSync sync = synced(clock.now());
  VitalsLipSync lip_sync(milliseconds{250});
  const core::CaptureTime acquired = clock.now() + seconds{2};  // now, on the sender's clock
  auto alarms = lip_sync.accept(payload(131, acquired, true));
  ASSERT_TRUE(alarms);
  ASSERT_TRUE(alarms.value()) << "the alarm state is shown at once";
  EXPECT_EQ(alarms.value()->alarms.size(), 1u);

  // The picture is 80 ms behind: the number waits 80 ms.
  const auto video_delay = milliseconds{80};
  EXPECT_TRUE(lip_sync.release(clock.now(), sync, video_delay, clock.now(), true).numerics.empty());
  const auto due = lip_sync.next_release_at(sync, video_delay);
  ASSERT_TRUE(due);
  EXPECT_EQ(*due - clock.now(), video_delay);
  clock.advance(video_delay);
  const auto shown = lip_sync.release(clock.now(), sync, video_delay, clock.now() - seconds{1}, true);
  ASSERT_EQ(shown.numerics.size(), 1u);
  EXPECT_EQ(lip_sync.shown()[0]->value, 131);
  EXPECT_NEAR(lip_sync.latency_10s(clock.now()).p50_ms, 80.0, 0.01);
  EXPECT_NEAR(*lip_sync.age_ms(clock.now(), sync), 80.0, 0.01);
}

TEST(VitalsLipSync, TheWaitNeverExceedsItsMaximumAndBeforeClockSyncNothingWaits) {
  core::SimulatedClock clock;
  VitalsLipSync lip_sync(milliseconds{250});
  ASSERT_TRUE(lip_sync.accept(payload(70, clock.now())));
  EXPECT_EQ(lip_sync.release(clock.now(), ClockSync(), seconds{3}, clock.now(), false).numerics.size(), 1u);
  EXPECT_FALSE(lip_sync.age_ms(clock.now(), ClockSync())) << "no age without a common clock";

  const ClockSync sync = synced(clock.now());
  ASSERT_TRUE(lip_sync.accept(payload(72, clock.now() + seconds{2} + milliseconds{1})));
  EXPECT_EQ(*lip_sync.next_release_at(sync, seconds{3}) - clock.now(), milliseconds{251});
}

TEST(VitalsLipSync, WhatWasAcquiredBeforeJoiningIsHistoryNotLatencyAndGarbageIsAFault) {
  core::SimulatedClock clock;
  const ClockSync sync = synced(clock.now());
  VitalsLipSync lip_sync(milliseconds{250});
  ASSERT_TRUE(lip_sync.accept(payload(70, clock.now() + seconds{2} - seconds{30})));
  EXPECT_EQ(lip_sync.release(clock.now(), sync, milliseconds{0}, clock.now(), true).numerics.size(), 1u);
  EXPECT_EQ(lip_sync.latency_10s(clock.now()).count, 0u);
  const std::vector<std::uint8_t> garbage{0xde, 0xad};
  EXPECT_FALSE(lip_sync.accept(garbage));
}

}  // namespace
}  // namespace surgilink::session
