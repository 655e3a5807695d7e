#include "surgilink/media/frame_playout.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

namespace surgilink::media {
namespace {

using core::CaptureTime;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

const CaptureTime kT0{std::chrono::seconds{1'700'000'000}};
constexpr milliseconds kFreezeAfter{100};  // FrameLatencyTracker::kFrozenAfter
// The console's clock runs 3.2 s ahead of the OR's: only differences of transit may matter.
constexpr nanoseconds kClockOffset{3'200'000'000};

double ms(nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

// What a mentor sees of `frames` frames `interval` apart whose transit (beyond 60 ms) is `extra(i)`: frames
// complete in order (one behind a late frame waits for it, as the jitter buffer releases in order), each goes
// to the decoder when `playout` says. The time frozen (pictures more than kFreezeAfter apart) after the
// first `settle` frames, and the holds seen.
struct Watched {
  nanoseconds frozen{0};
  std::vector<nanoseconds> holds;
  nanoseconds longest_added{0};  // the most any frame was held beyond its completion
};
Watched watch(FramePlayout& playout, int frames, nanoseconds interval, int settle,
              const std::function<nanoseconds(int)>& extra) {
  Watched w;
  CaptureTime complete_before{}, shown_before{};
  for (int i = 0; i < frames; ++i) {
    const CaptureTime captured = kT0 + i * interval;
    CaptureTime complete = captured + kClockOffset + milliseconds{60} + extra(i);
    if (i > 0) complete = std::max(complete, complete_before);
    const CaptureTime shown = playout.due(captured, complete);
    EXPECT_GE(shown, complete) << "frame " << i << " went to the decoder before it was complete";
    if (i > 0) {
      EXPECT_GE(shown, shown_before) << "frame " << i << " overtook the one before";
    }
    if (i > settle) w.frozen += std::max(nanoseconds{0}, shown - shown_before - kFreezeAfter);
    w.longest_added = std::max(w.longest_added, shown - complete);
    w.holds.push_back(playout.hold());
    complete_before = complete;
    shown_before = shown;
  }
  return w;
}

constexpr nanoseconds k30fps{33'333'333};

// Before the first frame there is nothing to measure: no freeze, no hold (the status asks at any time).
TEST(FramePlayout, BeforeAnyFrameNothingIsFrozenOrHeld) {
  const FramePlayout playout(milliseconds{100}, kFreezeAfter);
  EXPECT_EQ(playout.frozen_unheld(), 0.0);
  EXPECT_EQ(playout.hold(), nanoseconds{0});
}

// A steady link (a LAN, a quiet WAN): frames vary by a few milliseconds; nothing is ever held.
TEST(FramePlayout, ASteadyLinkIsNeverHeld) {
  FramePlayout playout(milliseconds{100}, kFreezeAfter);
  const auto w = watch(playout, 900, k30fps, 0, [](int i) { return milliseconds{(i * 7) % 4}; });
  EXPECT_EQ(playout.hold(), nanoseconds{0});
  EXPECT_EQ(w.longest_added, nanoseconds{0});
}

// A WAN with retransmissions: one frame in twenty waits 50 ms for its repair. Pictures 83 ms apart are no
// freeze, so nothing is held and the mentor keeps the lowest latency.
TEST(FramePlayout, LateFramesThatDoNotFreezeThePictureAreNotHeldFor) {
  FramePlayout playout(milliseconds{100}, kFreezeAfter);
  const auto w = watch(playout, 900, k30fps, 0, [](int i) { return milliseconds{i % 20 == 7 ? 50 : 0}; });
  EXPECT_EQ(playout.hold(), nanoseconds{0});
  EXPECT_EQ(w.frozen, nanoseconds{0});
}

// A WAN whose repairs come back a little too late now and then (one frame in fifty, 75 ms): unheld the
// picture is frozen 0.5 % of the time; a 23-ms hold on every frame would cost more than it saves.
TEST(FramePlayout, RareShortFreezesAreNotWorthHoldingEveryFrameFor) {
  FramePlayout playout(milliseconds{100}, kFreezeAfter);
  const auto w = watch(playout, 900, k30fps, 0, [](int i) { return milliseconds{i % 50 == 7 ? 75 : 0}; });
  EXPECT_LT(playout.frozen_unheld(), FramePlayout::kWorthHolding);
  EXPECT_GT(playout.frozen_unheld(), 0.002);
  EXPECT_EQ(w.longest_added, nanoseconds{0});
}

// A rural link: one frame in twenty waits a round trip (90 ms) for its retransmission. Sent on at once, each
// such frame freezes the picture; held, the picture is steady, at the cost of the smallest hold that does it.
TEST(FramePlayout, FramesWaitingARoundTripAreAbsorbedByTheSmallestHoldThatDoesIt) {
  const auto rural = [](int i) { return milliseconds{i % 20 == 7 ? 90 : 0}; };
  FramePlayout never(nanoseconds{0}, kFreezeAfter);
  const auto unheld = watch(never, 900, k30fps, 120, rural);
  EXPECT_GT(ms(unheld.frozen), 200.0) << "the link as it is: 39 freezes of about 23 ms";
  EXPECT_EQ(never.hold(), nanoseconds{0});

  FramePlayout playout(milliseconds{100}, kFreezeAfter);
  const auto held = watch(playout, 900, k30fps, 120, rural);
  EXPECT_EQ(held.frozen, nanoseconds{0}) << "after the first four seconds";
  // 90 ms late, 100 − 33 − 15 = 52 ms of it bearable: held about 38 ms.
  EXPECT_NEAR(ms(playout.hold()), 38.0, 2.0);
  for (std::size_t i = 1; i < held.holds.size(); ++i)
    ASSERT_LE(held.holds[i] - held.holds[i - 1], FramePlayout::kRiseStep) << "frame " << i;
}

// However late the frames, a frame is never held longer than the budget: beyond it a keyframe is the repair.
TEST(FramePlayout, NeverHoldsBeyondItsBudget) {
  FramePlayout playout(milliseconds{60}, kFreezeAfter);
  const auto w = watch(playout, 600, k30fps, 0, [](int i) { return milliseconds{i % 10 == 3 ? 300 : 0}; });
  EXPECT_EQ(playout.hold(), milliseconds{60});
  EXPECT_LE(w.longest_added, milliseconds{60});
}

// At 15 fps pictures are 67 ms apart already: less lateness is bearable, so the same late frames need more.
TEST(FramePlayout, ALowerFrameRateBearsLessLateness) {
  const auto late = [](int i) { return milliseconds{i % 10 == 3 ? 50 : 0}; };
  FramePlayout at30(milliseconds{100}, kFreezeAfter), at15(milliseconds{100}, kFreezeAfter);
  watch(at30, 600, k30fps, 0, late);
  watch(at15, 300, 2 * k30fps, 0, late);
  EXPECT_EQ(at30.hold(), nanoseconds{0});
  EXPECT_NEAR(ms(at15.hold()), 50.0 - (100.0 - 66.7 - 15.0), 2.0);
}

// When the link calms down the hold goes: not at once (a quiet second does not undo it), but steadily, once
// the late frames are too few in the window to be worth holding for.
TEST(FramePlayout, TheHoldGoesWhenTheLinkCalmsDown) {
  FramePlayout playout(milliseconds{100}, kFreezeAfter);
  const auto w =
      watch(playout, 1500, k30fps, 0, [](int i) { return milliseconds{i < 600 && i % 20 == 7 ? 90 : 0}; });
  constexpr std::size_t kCalm = 600;
  EXPECT_NEAR(ms(w.holds[kCalm]), 38.0, 2.0);
  EXPECT_NEAR(ms(w.holds[kCalm + 30]), 38.0, 2.0) << "a second later";
  for (std::size_t i = kCalm + 1; i < w.holds.size(); ++i)
    ASSERT_GE(w.holds[i] - w.holds[i - 1], -nanoseconds{FramePlayout::kFallStep}) << "frame " << i;
  EXPECT_EQ(playout.hold(), nanoseconds{0}) << "30 s later";
}

// An outage (the line dark for 3 s) freezes the picture whatever is held; its restart (a gap waited for, a
// keyframe) makes the first frames after it late. Neither says how late the link's frames usually are: the
// hold stays where the link had it.
TEST(FramePlayout, AnOutageAndItsRestartDoNotRaiseTheHold) {
  FramePlayout playout(milliseconds{100}, kFreezeAfter);
  nanoseconds most{0};
  for (int i = 0; i < 1200; ++i) {
    if (i >= 600 && i < 690) continue;  // sent into the dark
    const CaptureTime captured = kT0 + i * k30fps;
    const milliseconds extra{i >= 690 && i < 698 ? 200 - (i - 690) * 20 : 0};
    playout.due(captured, captured + kClockOffset + milliseconds{60} + extra);
    most = std::max(most, playout.hold());
  }
  EXPECT_EQ(most, nanoseconds{0});
}

// Nothing is held before the window has enough frames to say how late the late ones are.
TEST(FramePlayout, TheFirstSecondsAreNeverHeld) {
  FramePlayout playout(milliseconds{100}, kFreezeAfter);
  const auto w = watch(playout, static_cast<int>(FramePlayout::kMinFrames) - 1, k30fps, 0,
                       [](int i) { return milliseconds{i % 5 == 2 ? 150 : 0}; });
  EXPECT_EQ(w.longest_added, nanoseconds{0});
}

}  // namespace
}  // namespace surgilink::media
