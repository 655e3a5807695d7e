#pragma once
// The console's vital signs in step with its picture (DESIGN.md §4): received vitals packets are held until
// the picture captured at the same moment is on screen (the video's own smoothed glass-to-glass, at most
// `max_delay`), alarms never; and how late what the mentor sees is. Pure: every time is passed in.

#include <array>
#include <chrono>
#include <optional>
#include <span>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"
#include "surgilink/core/latency_statistics.hpp"
#include "surgilink/session/clock_sync.hpp"
#include "surgilink/vitals/vitals_playout.hpp"
#include "surgilink/vitals/vitals_receiver.hpp"

namespace surgilink::session {

// Network thread only.
class VitalsLipSync {
 public:
  explicit VitalsLipSync(std::chrono::nanoseconds max_delay) : max_delay_(max_delay) {}

  // One vitals RTP payload. Returns the alarm state to show at once when it changed (alarms are never held
  // back); the rest waits for release(). A payload that does not decode is the fault.
  core::Result<std::optional<vitals::VitalsUpdate>> accept(std::span<const std::uint8_t> payload);

  // What may be shown at `now`: everything acquired at least the video's delay ago (sender clock through
  // `sync`); everything at once before clock sync. Measures acquired → shown for what was acquired after
  // `joined_at` (earlier samples are history the sender repeats, not latency); `in_report` adds them to the
  // whole-run series too.
  vitals::VitalsUpdate release(core::CaptureTime now, const ClockSync& sync,
                               std::chrono::nanoseconds video_delay, core::CaptureTime joined_at,
                               bool in_report);
  // When release() is next due (console clock); none when nothing is held or before clock sync.
  std::optional<core::CaptureTime> next_release_at(const ClockSync& sync,
                                                   std::chrono::nanoseconds video_delay) const;

  // What the mentor sees now, per parameter (after lip sync).
  using Shown =
      std::array<std::optional<vitals::NumericSample>, static_cast<std::size_t>(vitals::Parameter::kCount)>;
  const Shown& shown() const { return shown_; }
  const std::vector<vitals::ActiveAlarm>& alarms() const { return receiver_.alarms(); }
  // now − acquisition of the newest numeric shown (console clock); none before one.
  std::optional<double> age_ms(core::CaptureTime now, const ClockSync& sync) const;
  core::LatencySummary latency_10s(core::CaptureTime now) { return window_.summary(now); }
  core::LatencySummary latency_run() const { return run_.summary(); }
  const vitals::VitalsReceiverCounters& counters() const { return receiver_.counters(); }
  std::size_t held() const { return playout_.held(); }

 private:
  std::chrono::nanoseconds delay(std::chrono::nanoseconds video_delay) const;

  std::chrono::nanoseconds max_delay_;
  vitals::VitalsReceiver receiver_;
  vitals::VitalsPlayout playout_;
  Shown shown_{};
  std::optional<core::CaptureTime> newest_;  // sender clock
  core::SlidingLatencyWindow window_{std::chrono::seconds{10}};
  core::LatencySeries run_;
};

}  // namespace surgilink::session
