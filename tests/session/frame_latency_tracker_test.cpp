// A frame's way on the console, driven by a simulated clock: glass-to-glass, stages, warm-up, presentation.
#include "surgilink/session/frame_latency_tracker.hpp"

#include <gtest/gtest.h>

namespace surgilink::session {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Clock sync with the sender's clock exactly 5 s ahead of the console's, ±1 ms.
ClockSync synced_5s_ahead(core::CaptureTime console_now) {
  ClockSync sync;
  sync.add({console_now, console_now + seconds{5} + milliseconds{1},
            console_now + seconds{5} + milliseconds{1}, console_now + milliseconds{2}});
  return sync;
}

class FrameLatencyTrackerTest : public ::testing::Test {
 protected:
  // One frame captured now (sender clock), sent 8 ms later, received at +12 ms, released at +13 ms, decoded
  // at +25 ms (console clock). Returns its capture time.
  core::CaptureTime frame(FrameLatencyTracker& t, bool damaged = false) {
    const core::CaptureTime captured = clock_.now() + seconds{5};
    t.on_frame_start(captured, captured + milliseconds{8});
    t.on_packet(captured, clock_.now() + milliseconds{12});
    t.on_released(captured, clock_.now() + milliseconds{13}, damaged);
    t.on_decoded(captured, clock_.now() + milliseconds{25}, captured, true, sync_);
    clock_.advance(milliseconds{33});
    return captured;
  }

  core::SimulatedClock clock_;
  ClockSync sync_ = synced_5s_ahead(clock_.now());
};

TEST_F(FrameLatencyTrackerTest, GlassToGlassAndStagesOfDecodedFrames) {
  FrameLatencyTracker t(false, milliseconds{0});
  for (int i = 0; i < 30; ++i) frame(t);
  const auto g2g = t.g2g_10s(clock_.now());
  EXPECT_EQ(g2g.count, 30u);
  EXPECT_NEAR(g2g.p95_ms, 25.0, 0.01);
  EXPECT_NEAR(t.g2g_last_ms(), 25.0, 0.01);
  const auto stages = t.stages_10s(clock_.now());
  EXPECT_NEAR(stages.encode.p50_ms, 8.0, 0.01);
  EXPECT_NEAR(stages.network.p50_ms, 4.0, 0.01);
  EXPECT_NEAR(stages.jitter.p50_ms, 1.0, 0.01);
  EXPECT_NEAR(stages.decode.p50_ms, 12.0, 0.01);
  EXPECT_EQ(t.g2g_run().count, 30u);
  EXPECT_NEAR(t.pixel_run().p50_ms, 25.0, 0.01);
  EXPECT_NEAR(t.totals().max_metadata_pixel_disagreement_ms, 0.0, 0.001);
  EXPECT_NEAR(t.smoothed_g2g().count() / 1e6, 25.0, 0.01);
}

// issue 15's frozen_ratio: a picture more than 100 ms after the one before is a freeze, and the time beyond
// those 100 ms is frozen time; gaps in the warm-up are left out like its latency.
TEST_F(FrameLatencyTrackerTest, GapsBetweenPicturesOverThreeFrameIntervalsAreFreezes) {
  FrameLatencyTracker t(false, seconds{1});
  frame(t);
  clock_.advance(milliseconds{500});  // a freeze in the warm-up: not counted
  for (int i = 0; i < 40; ++i) frame(t);
  EXPECT_EQ(t.totals().freezes, 0u);
  clock_.advance(milliseconds{67});  // 100 ms between two pictures: not yet a freeze
  frame(t);
  EXPECT_EQ(t.totals().freezes, 0u);
  clock_.advance(milliseconds{317});  // 350 ms: frozen for 250 ms
  frame(t);
  clock_.advance(milliseconds{117});  // 150 ms: 50 ms
  frame(t);
  EXPECT_EQ(t.totals().freezes, 2u);
  EXPECT_NEAR(t.totals().frozen.count() / 1e6, 300.0, 0.01);
  EXPECT_NEAR(t.totals().longest_freeze.count() / 1e6, 250.0, 0.01);
}

TEST_F(FrameLatencyTrackerTest, TheWarmUpIsLeftOutOfTheReportButNotOutOfTheHud) {
  FrameLatencyTracker t(false, seconds{1});
  for (int i = 0; i < 60; ++i) frame(t);  // ~2 s
  EXPECT_EQ(t.g2g_10s(clock_.now()).count, 60u);
  EXPECT_LT(t.g2g_run().count, 60u);
  EXPECT_GT(t.g2g_run().count, 25u);
  EXPECT_EQ(t.totals().frames_after_warmup, t.g2g_run().count);
}

// Issue 15's clean joining: the pictures of each connection's first second are kept apart, warm-up or not.
TEST_F(FrameLatencyTrackerTest, TheFirstSecondOfEachConnectionIsMeasuredApart) {
  FrameLatencyTracker t(false, seconds{2});
  // The joining keyframe and the two pictures queued behind it, shown together 150 ms after capture.
  for (const auto late : {milliseconds{150}, milliseconds{117}, milliseconds{84}}) {
    const core::CaptureTime captured = clock_.now() + seconds{5};
    t.on_decoded(captured, clock_.now() + late, std::nullopt, false, sync_);
    clock_.advance(milliseconds{33});
  }
  clock_.advance(milliseconds{51});       // to the moment they were shown
  for (int i = 0; i < 90; ++i) frame(t);  // 3 s at 25 ms, shown at +25 ms, +58 ms, ...
  auto join = t.join_g2g_run();
  EXPECT_EQ(join.count, 3u + 30u) << "pictures shown within 1 s of the first: +25 ... +982 ms";
  EXPECT_NEAR(join.max_ms, 150.0, 0.01);
  EXPECT_NEAR(t.g2g_run().max_ms, 25.0, 0.01) << "the warm-up leaves the join out of the run's figures";
  t.on_new_link();  // a reconnection is a join again
  frame(t);
  join = t.join_g2g_run();
  EXPECT_EQ(join.count, 34u);
  EXPECT_NEAR(join.max_ms, 150.0, 0.01);
}

// What an ordinary second looks like on the link, to hold the join against: each whole second's oldest
// picture, leaving out the seconds that hold pictures of a connection's first second.
TEST_F(FrameLatencyTrackerTest, EachOrdinarySecondsOldestPictureIsMeasured) {
  FrameLatencyTracker t(false, milliseconds{0});
  const auto show = [&](milliseconds late) {
    const core::CaptureTime captured = clock_.now() + seconds{5};
    t.on_decoded(captured, clock_.now() + late, std::nullopt, false, sync_);
    clock_.advance(milliseconds{33});
  };
  // Shown 33 ms apart from +25 ms: second 0 (the join) holds pictures 0-30, 1 holds 31-60, 2 holds the one
  // that waited for a retransmission (75, 200 ms), 4 is not over yet.
  for (int i = 0; i < 150; ++i) show(i == 75 ? milliseconds{200} : milliseconds{25});
  auto seconds_oldest = t.second_oldest_g2g_run();
  EXPECT_EQ(seconds_oldest.count, 3u) << "seconds 1-3";
  EXPECT_NEAR(seconds_oldest.p50_ms, 25.0, 0.01);
  EXPECT_NEAR(seconds_oldest.max_ms, 200.0, 0.01);
  t.on_new_link();  // a reconnection: its first second (pictures 150-180) touches seconds 4 and 5
  for (int i = 150; i < 240; ++i) show(milliseconds{25});
  seconds_oldest = t.second_oldest_g2g_run();
  EXPECT_EQ(seconds_oldest.count, 4u) << "seconds 1-3 and 6; 7 is not over";
  EXPECT_NEAR(seconds_oldest.max_ms, 200.0, 0.01);
}

// A joining keyframe lost from its start: whole frames go to the decoder, none can be shown, and no gap says
// so. Overdue after kFirstPictureWait of released frames, until a picture is shown; each connection anew.
TEST_F(FrameLatencyTrackerTest, NoPictureAfterFramesWentToTheDecoderIsOverdue) {
  FrameLatencyTracker t(false, seconds{2});
  EXPECT_FALSE(t.first_picture_overdue(clock_.now())) << "nothing released yet";
  const auto release_undecodable = [&] {
    const core::CaptureTime captured = clock_.now() + seconds{5};
    t.on_frame_start(captured, captured + milliseconds{8});
    EXPECT_FALSE(t.on_released(captured, clock_.now() + milliseconds{13}, false)) << "whole, not damaged";
    clock_.advance(milliseconds{33});
  };
  for (int i = 0; i < 9; ++i) release_undecodable();  // 9 x 33 = 297 ms after the first release
  EXPECT_FALSE(t.first_picture_overdue(clock_.now() + milliseconds{13}));
  release_undecodable();
  EXPECT_TRUE(t.first_picture_overdue(clock_.now() + milliseconds{13}));
  EXPECT_FALSE(t.awaiting_keyframe()) << "no damage was seen: only the missing picture says it";
  frame(t);  // the keyframe asked for is shown
  EXPECT_FALSE(t.first_picture_overdue(clock_.now()));
  t.on_new_link();
  release_undecodable();
  clock_.advance(seconds{1});
  EXPECT_TRUE(t.first_picture_overdue(clock_.now())) << "a reconnection needs its own first picture";
}

TEST_F(FrameLatencyTrackerTest, WithAWindowGlassToGlassEndsOnScreen) {
  FrameLatencyTracker t(true, milliseconds{0});
  const auto captured = frame(t);
  EXPECT_EQ(t.g2g_10s(clock_.now()).count, 0u) << "decoded is not yet seen";
  t.on_presented(captured, clock_.now(), sync_);  // 33 ms after capture
  const auto g2g = t.g2g_10s(clock_.now());
  ASSERT_EQ(g2g.count, 1u);
  EXPECT_NEAR(g2g.p50_ms, 33.0, 0.01);
  EXPECT_NEAR(t.stages_10s(clock_.now()).render.p50_ms, 8.0, 0.01);
}

TEST_F(FrameLatencyTrackerTest, NoFiguresBeforeClockSyncAndAgeOnlyAfterAPicture) {
  FrameLatencyTracker t(false, milliseconds{0});
  EXPECT_FALSE(t.picture_age_ms(clock_.now()));
  ClockSync none;
  const core::CaptureTime captured = clock_.now();
  t.on_decoded(captured, clock_.now(), std::nullopt, true, none);
  EXPECT_EQ(t.totals().frames_decoded, 1u);
  EXPECT_EQ(t.g2g_10s(clock_.now()).count, 0u);
  EXPECT_TRUE(t.first_picture_at());
  frame(t);
  ASSERT_TRUE(t.picture_age_ms(clock_.now()));
  EXPECT_NEAR(*t.picture_age_ms(clock_.now()), 33.0, 0.01);
}

TEST_F(FrameLatencyTrackerTest, ADamagedFrameCountsOnceAndAnUnreadablePixelCodeIsCounted) {
  FrameLatencyTracker t(false, milliseconds{0});
  const core::CaptureTime captured = clock_.now() + seconds{5};
  t.on_frame_start(captured, std::nullopt);
  EXPECT_TRUE(t.on_released(captured, clock_.now(), true));
  EXPECT_FALSE(t.on_released(captured, clock_.now(), true)) << "the same frame's second packet";
  EXPECT_EQ(t.totals().frames_undecodable, 1u);
  t.on_decoded(captured, clock_.now() + milliseconds{20}, std::nullopt, true, sync_);
  EXPECT_EQ(t.totals().frames_pixel_unreadable, 1u);
  // A frame whose first packet was lost is not tracked; the receiver estimates its capture time from the RTP
  // clock for each packet (microseconds apart). Its 40 packets are one damaged frame, the next frame another.
  const core::CaptureTime untracked = captured + milliseconds{33};
  EXPECT_TRUE(t.on_released(untracked, clock_.now(), true));
  for (int i = 1; i < 40; ++i)
    EXPECT_FALSE(t.on_released(untracked + std::chrono::microseconds{i % 3 - 1}, clock_.now(), true)) << i;
  EXPECT_TRUE(t.on_released(untracked + milliseconds{33}, clock_.now(), true));
  EXPECT_EQ(t.totals().frames_undecodable, 3u);
}

TEST_F(FrameLatencyTrackerTest, FramesInFlightAreBoundedAndANewLinkStartsAgain) {
  FrameLatencyTracker t(false, milliseconds{0});
  for (std::size_t i = 0; i < 10 * FrameLatencyTracker::kMaxTrackedFrames; ++i)
    t.on_frame_start(clock_.now() + milliseconds{static_cast<long>(i)}, std::nullopt);
  // The oldest frames were forgotten: releasing one finds nothing (no stage figures, no crash).
  EXPECT_TRUE(t.on_released(clock_.now(), clock_.now(), true));
  frame(t);
  EXPECT_TRUE(t.link_first_picture_at());
  t.on_new_link();
  EXPECT_FALSE(t.link_first_picture_at());
  EXPECT_TRUE(t.first_picture_at()) << "the session's first picture stays";
}

// issue 15's recovery_ms: from the end of a loss (the first packet after it arrived) to the next clean
// picture. A loss repaired in time recovers when its frame is shown; a picture decoded from packets that came
// before the loss does not end it.
TEST_F(FrameLatencyTrackerTest, ARepairedLossRecoversWhenItsFrameIsShown) {
  FrameLatencyTracker t(false, milliseconds{0});
  for (int i = 0; i < 3; ++i) frame(t);
  const core::CaptureTime t0 = clock_.now();
  const core::CaptureTime older = t0 + seconds{5} - milliseconds{33};
  const core::CaptureTime lossy = t0 + seconds{5};
  t.on_frame_start(older, older + milliseconds{8});
  t.on_packet(older, t0 + milliseconds{5});
  t.on_released(older, t0 + milliseconds{6}, false);
  t.on_frame_start(lossy, lossy + milliseconds{8});
  t.on_packet(lossy, t0 + milliseconds{12});
  t.on_link_disturbed(t0 + milliseconds{14});  // a packet beyond the gap arrived
  t.on_decoded(older, t0 + milliseconds{20}, std::nullopt, false, sync_);
  EXPECT_EQ(t.recovery_run().count, 0u) << "its packets came before the loss";
  t.on_link_disturbed(t0 + milliseconds{30});  // a second gap while the first is repaired: one recovery
  t.on_packet(lossy, t0 + milliseconds{64});   // the retransmission
  t.on_released(lossy, t0 + milliseconds{65}, false);
  t.on_decoded(lossy, t0 + milliseconds{77}, std::nullopt, false, sync_);
  const auto r = t.recovery_run();
  EXPECT_EQ(r.count, 1u);
  EXPECT_NEAR(r.p50_ms, 63.0, 0.01);
  clock_.advance(milliseconds{100});
  frame(t);
  EXPECT_EQ(t.recovery_run().count, 1u) << "no disturbance, no recovery";
}

// A picture shown damaged breaks the ones after it (they refer to it): the recovery ends at a keyframe.
TEST_F(FrameLatencyTrackerTest, ADamagedPictureRecoversAtTheNextKeyframe) {
  FrameLatencyTracker t(false, milliseconds{0});
  frame(t);
  const core::CaptureTime t0 = clock_.now();
  const auto shown = [&](core::CaptureTime captured, milliseconds arrived, bool damaged, bool keyframe,
                         milliseconds decoded) {
    t.on_frame_start(captured, captured + milliseconds{8});
    t.on_packet(captured, t0 + arrived);
    t.on_released(captured, t0 + arrived + milliseconds{1}, damaged, keyframe);
    t.on_decoded(captured, t0 + decoded, std::nullopt, false, sync_);
  };
  t.on_link_disturbed(t0 + milliseconds{10});
  shown(t0 + seconds{5}, milliseconds{11}, true, false, milliseconds{20});  // given up on: damaged
  EXPECT_TRUE(t.awaiting_keyframe());
  shown(t0 + seconds{5} + milliseconds{33}, milliseconds{44}, false, false, milliseconds{55});
  EXPECT_EQ(t.recovery_run().count, 0u) << "whole, but it refers to the damaged one";
  EXPECT_TRUE(t.awaiting_keyframe()) << "the console asks for a keyframe again";
  shown(t0 + seconds{5} + milliseconds{66}, milliseconds{130}, false, true, milliseconds{150});
  EXPECT_FALSE(t.awaiting_keyframe());
  EXPECT_EQ(t.recovery_run().count, 1u);
  EXPECT_NEAR(t.recovery_run().p50_ms, 140.0, 0.01);
  // A damaged picture no gap was seen for (the buffer overflowed) starts a recovery of its own.
  shown(t0 + seconds{5} + milliseconds{99}, milliseconds{170}, true, false, milliseconds{180});
  shown(t0 + seconds{5} + milliseconds{132}, milliseconds{200}, false, true, milliseconds{221});
  EXPECT_EQ(t.recovery_run().count, 2u);
  EXPECT_NEAR(t.recovery_run().max_ms, 140.0, 0.01);
}

// An outage's end (the console marks the first packet after a silence) to the first picture through; the
// OR's privacy pause and the warm-up are not the link's doing and are left out.
TEST_F(FrameLatencyTrackerTest, AnOutageRecoversAtTheFirstWholePictureButNotAPauseOrTheWarmUp) {
  FrameLatencyTracker t(false, seconds{1});
  frame(t);
  const core::CaptureTime warm = clock_.now();
  t.on_link_disturbed(warm);  // in the warm-up
  frame(t);
  EXPECT_EQ(t.recovery_run().count, 0u);
  clock_.advance(seconds{2});
  const core::CaptureTime back = clock_.now();
  t.on_link_disturbed(back);
  frame(t);  // its packet arrived 12 ms after, decoded at 25 ms
  EXPECT_EQ(t.recovery_run().count, 1u);
  EXPECT_NEAR(t.recovery_run().p50_ms, 25.0, 0.01);
  t.excuse_gaps_until(clock_.now() + seconds{1});
  t.on_link_disturbed(clock_.now());
  frame(t);
  EXPECT_EQ(t.recovery_run().count, 1u) << "the OR paused";
}

}  // namespace
}  // namespace surgilink::session
