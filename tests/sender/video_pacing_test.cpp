// The video's pace: 2.5 x the encoder's target, and on a bottleneck link (and for 5 s after the estimate
// last was under the profile's need) no more than the link's estimate (issue 15, rural profile).
#include "video_pacing.hpp"

#include <gtest/gtest.h>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::sender {
namespace {

using std::chrono::milliseconds;

// A console joined and no link is known yet: paced as a wide link, so the joining keyframe is spread out.
TEST(VideoPacing, WithNoEstimateYetTheJoiningKeyframeIsPacedAsOnAWideLink) {
  core::SimulatedClock clock;
  VideoPacing pacing;
  EXPECT_EQ(pacing.pace_bps(clock.now(), std::nullopt, 5454, 6765), 13'635'000u);
}

TEST(VideoPacing, AWideLinkIsPacedAtTwoAndAHalfTimesTheTarget) {
  core::SimulatedClock clock;
  VideoPacing pacing;
  // A LAN: the estimate (8.5 Mbit/s) is above what 1080p30 needs (6150 kbit/s).
  EXPECT_EQ(pacing.pace_bps(clock.now(), 8'500'000, 6000, 6150), 15'000'000u);
}

TEST(VideoPacing, ABottleneckLinkIsPacedNearItsEstimateForFiveSecondsAfter) {
  core::SimulatedClock clock;
  VideoPacing pacing;
  // rural: 4.8 Mbit/s estimated, 4.2 Mbit/s target, under the 6.8 Mbit/s the profile needs with parity. (A
  // quarter above it was rural's own 6 Mbit/s: a keyframe filled the link's buffer, not the sender's.)
  EXPECT_EQ(pacing.pace_bps(clock.now(), 4'800'000, 4200, 6800), 4'800'000u);
  // The estimate climbs past the need (and past the link, which nothing has shown yet): still near it.
  clock.advance(milliseconds{1000});
  EXPECT_EQ(pacing.pace_bps(clock.now(), 7'200'000, 6000, 6800), 7'200'000u);
  clock.advance(milliseconds{3900});
  EXPECT_EQ(pacing.pace_bps(clock.now(), 7'200'000, 6000, 6800), 7'200'000u);
  // Five seconds above the need: the link is not the bottleneck any more.
  clock.advance(milliseconds{200});
  EXPECT_EQ(pacing.pace_bps(clock.now(), 7'200'000, 6000, 6800), 15'000'000u);
  // Under it again: near the estimate at once, and never above the usual pace.
  EXPECT_EQ(pacing.pace_bps(clock.now(), 6'500'000, 6000, 6800), 6'500'000u);
  EXPECT_EQ(pacing.pace_bps(clock.now(), 6'500'000, 1000, 6800), 2'500'000u);
}

// Issue 15: while a joining console's link is unknown, the video takes a tenth less than the link carries
// after parity, headers and the reserve, leaving room for the first second's retransmissions.
TEST(JoiningVideoRate, LeavesATenthOfTheLinkFreeAfterParityHeadersAndTheReserve) {
  // No pre-flight: a link taken to carry 1080p30's 6000 kbit/s, parity 1 in 10 (4970 with the link full).
  EXPECT_EQ(joining_video_kbps(6000, 10, 150), 4459u);
  // rural's pre-flight: 5750 kbit/s measured, 2.2 % loss (parity 1 in 9).
  EXPECT_EQ(joining_video_kbps(5750, 9, 150), 4226u);
  EXPECT_EQ(joining_video_kbps(6000, 0, 150), 4906u) << "no parity";
  EXPECT_EQ(joining_video_kbps(150, 10, 150), 0u) << "nothing left after the reserve";
}

}  // namespace
}  // namespace surgilink::sender
