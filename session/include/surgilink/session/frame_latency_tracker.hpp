#pragma once
// How old each picture is when the mentor sees it (DESIGN.md §4): every frame's way from capture at the OR
// (first packet sent → last packet received → released to the decoder → decoded → on screen), turned into
// glass-to-glass and per-stage figures — live over the last 10 s for the HUD, and bounded whole-run series
// for the report. Pure: every time is passed in, so it is unit-tested with a simulated clock.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/latency_statistics.hpp"
#include "surgilink/session/clock_sync.hpp"

namespace surgilink::session {

// Per-stage figures of the frames' way (DESIGN.md §4). Plain value type.
struct StageLatencies {
  core::LatencySummary encode, network, jitter, decode, render;
};

// Network thread only.
class FrameLatencyTracker {
 public:
  // With a window, glass-to-glass ends when the frame is on screen (presented), else when it is decoded.
  // Whole-run figures leave out `report_warmup` after the first picture (decoder start, first keyframe).
  FrameLatencyTracker(bool measure_at_presentation, std::chrono::nanoseconds report_warmup);

  // A frame's first packet arrived, carrying its capture time and the time it was sent (sender clock).
  void on_frame_start(core::CaptureTime captured, std::optional<core::CaptureTime> sent);
  // Any packet of the frame captured at `captured` arrived at `at` (console clock).
  void on_packet(core::CaptureTime captured, core::CaptureTime at);
  // Its packets went to the decoder at `at`; `damaged` when one of them was lost, `starts_keyframe` when one
  // starts a keyframe. True when this is the first damage seen for that frame (the caller counts it once and
  // asks for a keyframe).
  bool on_released(core::CaptureTime captured, core::CaptureTime at, bool damaged,
                   bool starts_keyframe = false);
  // The link disturbed the picture at `at`: the first packet after a loss arrived (the burst is over), or
  // packets came again after a silence (an outage). Recovery runs from the first such moment to the next
  // clean picture: decoded whole from packets that arrived after it — a keyframe if a picture was damaged
  // in between (the ones after a damaged picture refer to it).
  void on_link_disturbed(core::CaptureTime at);
  // The decoder produced the frame captured at `captured` (sender clock) at `at` (console clock); the
  // pixel code's capture time when it read. `sync` maps sender times to this clock.
  void on_decoded(core::CaptureTime captured, core::CaptureTime at,
                  std::optional<core::CaptureTime> pixel_capture, bool pixel_code_expected,
                  const ClockSync& sync);
  // The frame reached the screen (window mode).
  void on_presented(core::CaptureTime captured, core::CaptureTime at, const ClockSync& sync);
  // A new connection: the link's start-up transient starts again.
  void on_new_link();
  // The OR paused the picture on purpose (privacy pause): a gap between pictures that ends by `until` is
  // not a freeze; nullopt: gaps count again.
  void excuse_gaps_until(std::optional<core::CaptureTime> until) { gaps_excused_until_ = until; }

  // Live figures.
  core::LatencySummary g2g_10s(core::CaptureTime now) { return g2g_window_.summary(now); }
  core::LatencySummary pixel_10s(core::CaptureTime now) { return pixel_window_.summary(now); }
  StageLatencies stages_10s(core::CaptureTime now);
  double g2g_last_ms() const { return g2g_last_ms_; }
  // now − capture time of the newest picture (console clock); none before the first.
  std::optional<double> picture_age_ms(core::CaptureTime now) const;
  // The video's own glass-to-glass, smoothed: how long vitals wait to show with their picture.
  std::chrono::nanoseconds smoothed_g2g() const { return smoothed_g2g_; }
  std::optional<core::CaptureTime> last_decoded_at() const { return last_decoded_at_; }
  std::optional<core::CaptureTime> first_picture_at() const { return first_picture_at_; }
  std::optional<core::CaptureTime> link_first_picture_at() const { return link_first_picture_at_; }
  // Whether `at` is in the report (after the warm-up).
  bool in_report(core::CaptureTime at) const;

  // Whole-run figures (report).
  // A new picture later than this after the one before means the mentor saw a frozen picture (three frame
  // intervals at 30 fps); the time beyond it counts as frozen.
  static constexpr std::chrono::milliseconds kFrozenAfter{100};
  struct Totals {
    std::uint64_t frames_decoded = 0;
    // Freezes in the report window (after the warm-up): how many, the time frozen, the longest.
    std::uint64_t freezes = 0;
    std::chrono::nanoseconds frozen{0}, longest_freeze{0};
    std::uint64_t frames_after_warmup = 0;
    std::uint64_t frames_undecodable = 0;
    std::uint64_t frames_pixel_unreadable = 0;
    double max_metadata_pixel_disagreement_ms = 0;
  };
  const Totals& totals() const { return totals_; }
  core::LatencySummary g2g_run() const { return g2g_run_.summary(); }
  // Glass-to-glass of the pictures shown in the first kJoinWindow of each connection, warm-up or not (those
  // shown before the clock was synced are not measured): how clean joining is.
  core::LatencySummary join_g2g_run() const { return join_run_.summary(); }
  static constexpr std::chrono::seconds kJoinWindow{1};
  // The oldest picture of each whole second of the report window (counted from its start), except a
  // connection's first second: what an ordinary second looks like on this link, to hold the join against.
  core::LatencySummary second_oldest_g2g_run() const { return second_oldest_run_.summary(); }
  core::LatencySummary pixel_run() const { return pixel_run_.summary(); }
  // A picture was damaged and no whole keyframe has been shown since: the pictures refer to the damaged one.
  bool awaiting_keyframe() const { return disturbed_since_.has_value() && damaged_since_disturbance_; }
  // Frames have gone to the decoder on this link for kFirstPictureWait and none was shown: its joining
  // keyframe was lost from its start (the jitter buffer begins at the first packet that arrives, so packets
  // lost before it are never asked for), and every picture after it refers to it.
  bool first_picture_overdue(core::CaptureTime now) const {
    return !link_first_picture_at_ && link_first_release_at_ &&
           now - *link_first_release_at_ >= kFirstPictureWait;
  }
  static constexpr std::chrono::milliseconds kFirstPictureWait{300};
  // Recoveries that began in the report window (on_link_disturbed): from the disturbance to a clean picture.
  core::LatencySummary recovery_run() const { return recovery_run_.summary(); }
  StageLatencies stages_run() const;

  static constexpr std::size_t kMaxTrackedFrames = 240;  // 8 s at 30 fps: frames in flight, never more

 private:
  struct Frame {
    core::CaptureTime captured{};
    std::optional<core::CaptureTime> sent;           // sender clock
    std::optional<core::CaptureTime> received_last;  // console clock
    std::optional<core::CaptureTime> released;       // console clock
    std::optional<core::CaptureTime> decoded;        // console clock
    bool damaged = false;
    bool keyframe = false;
  };
  Frame* find(core::CaptureTime captured);
  void add_g2g(core::CaptureTime at, std::chrono::nanoseconds g2g);

  bool measure_at_presentation_;
  std::chrono::nanoseconds report_warmup_;
  std::map<std::int64_t, Frame> frames_;  // by capture time (ns)
  core::SlidingLatencyWindow g2g_window_{std::chrono::seconds{10}}, pixel_window_{std::chrono::seconds{10}};
  core::SlidingLatencyWindow encode_window_{std::chrono::seconds{10}},
      network_window_{std::chrono::seconds{10}}, jitter_window_{std::chrono::seconds{10}},
      decode_window_{std::chrono::seconds{10}}, render_window_{std::chrono::seconds{10}};
  core::LatencySeries join_run_, recovery_run_, second_oldest_run_;
  std::optional<std::int64_t> second_index_;  // of the report window's second being measured
  std::chrono::nanoseconds second_oldest_{0};
  bool second_has_join_ = false;
  std::optional<core::CaptureTime> disturbed_since_;    // a recovery running since
  std::optional<core::CaptureTime> untracked_damaged_;  // the last damaged frame not tracked (its estimate)
  static constexpr std::chrono::milliseconds kSameUntrackedFrame{5};  // well under a frame interval
  bool damaged_since_disturbance_ = false;
  core::LatencySeries g2g_run_, pixel_run_, encode_run_, network_run_, jitter_run_, decode_run_, render_run_;
  double g2g_last_ms_ = 0;
  std::chrono::nanoseconds smoothed_g2g_{0};
  std::optional<core::CaptureTime> gaps_excused_until_;
  std::optional<core::CaptureTime> newest_capture_local_, last_decoded_at_, first_picture_at_,
      link_first_picture_at_, link_first_release_at_;
  Totals totals_;
};

}  // namespace surgilink::session
