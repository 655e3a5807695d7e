#pragma once
// When a complete video frame goes to the decoder. On a link where some frames come late (one waiting for a
// retransmission a round trip away, one queued behind a keyframe on a narrow link), sending each frame on as
// soon as it is complete shows the late ones as freezes: the picture stands still until the late frame and
// every frame behind it arrive. FramePlayout holds frames just long enough that the late ones measured over
// the last seconds still come in time, so the mentor sees a steady picture a little later instead of a
// stuttering one. It never holds on a link whose late frames would not freeze the picture (a LAN, a WAN
// whose retransmissions return within two frame intervals), and never more than its budget.
//
// Each frame's transit (complete at the console − captured at the OR, clock offset included: only
// differences are used) is measured against the quickest transit of the window. The hold is the late
// frames' excess (99th percentile) less the lateness a picture can bear without freezing (a freeze starts
// when pictures are more than `freeze_after` apart, one frame interval of which is the frames' own spacing).
// Latency is what a mentor guides by, so frames are held only where the link would freeze the picture at
// least kWorthHolding of the time without it (measured from the window: a WAN's occasional repair is not
// worth 30 ms on every frame). It rises by at most kRiseStep per frame, so the hold itself never freezes the
// picture, and falls slowly, so one quiet second does not undo it. The frames of the first second after the
// link was lost (no frame for kStall) are left out: an outage's freeze cannot be held away, and its restart
// (a gap waited for, a keyframe) says nothing about the link's usual lateness. Pure logic, one thread; every
// time is passed in.

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::media {

class FramePlayout {
 public:
  // `budget`: the most a frame is ever held (0: never); `freeze_after`: pictures further apart than this are
  // a freeze (FrameLatencyTracker::kFrozenAfter).
  FramePlayout(std::chrono::nanoseconds budget, std::chrono::nanoseconds freeze_after);

  // The frame captured at `captured` (OR clock) is complete at `at` (console clock): when it should go to the
  // decoder, never before `at`.
  core::CaptureTime due(core::CaptureTime captured, core::CaptureTime at);

  // How long a frame that came as quickly as the quickest is held now.
  std::chrono::nanoseconds hold() const { return hold_; }

  static constexpr std::chrono::seconds kWindow{10};
  static constexpr std::size_t kMinFrames = 60;  // two seconds at 30 fps before anything is held
  static constexpr std::chrono::milliseconds kRiseStep{10}, kFallStep{1};
  static constexpr std::chrono::seconds kStall{1}, kAfterStall{1};
  static constexpr double kWorthHolding = 0.005;  // issue 15's frozen target on a WAN

  // The share of the window (kWindow at least) the picture would have been frozen with frames sent on as
  // they completed (0 before any frame).
  double frozen_unheld() const;
  // Lateness kept in reserve below the freeze: the link's spread is measured, not known.
  static constexpr std::chrono::milliseconds kMargin{15};

 private:
  struct Seen {
    core::CaptureTime at{};
    std::chrono::nanoseconds transit{0};
  };
  std::chrono::nanoseconds budget_, freeze_after_;
  std::chrono::nanoseconds hold_{0};
  std::deque<Seen> seen_;
  std::deque<std::chrono::nanoseconds> spacing_;  // between successive captures: the frame interval
  std::optional<core::CaptureTime> last_captured_, last_at_, resumed_at_;
  // Scratch for due()'s percentiles, kept so that a frame costs no allocation.
  std::vector<std::chrono::nanoseconds> excess_, intervals_;
};

}  // namespace surgilink::media
