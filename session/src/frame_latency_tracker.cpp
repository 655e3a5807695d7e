#include "surgilink/session/frame_latency_tracker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace surgilink::session {

using std::chrono::nanoseconds;

FrameLatencyTracker::FrameLatencyTracker(bool measure_at_presentation, nanoseconds report_warmup)
    : measure_at_presentation_(measure_at_presentation), report_warmup_(report_warmup) {}

FrameLatencyTracker::Frame* FrameLatencyTracker::find(core::CaptureTime captured) {
  const auto it = frames_.find(captured.time_since_epoch().count());
  return it == frames_.end() ? nullptr : &it->second;
}

void FrameLatencyTracker::on_frame_start(core::CaptureTime captured, std::optional<core::CaptureTime> sent) {
  Frame& f = frames_[captured.time_since_epoch().count()];
  f.captured = captured;
  if (sent) f.sent = sent;
  while (frames_.size() > kMaxTrackedFrames) frames_.erase(frames_.begin());
}

void FrameLatencyTracker::on_packet(core::CaptureTime captured, core::CaptureTime at) {
  if (Frame* f = find(captured)) f->received_last = at;
}

bool FrameLatencyTracker::on_released(core::CaptureTime captured, core::CaptureTime at, bool damaged,
                                      bool starts_keyframe) {
  if (!link_first_release_at_) link_first_release_at_ = at;
  Frame* f = find(captured);
  if (f != nullptr) {
    f->released = at;
    f->keyframe = f->keyframe || starts_keyframe;
  }
  if (!damaged) return false;
  // A damaged picture needs a keyframe to end the recovery (a gap given up without being seen, too: the
  // buffer overflowed).
  on_link_disturbed(at);
  if (disturbed_since_) damaged_since_disturbance_ = true;
  if (f != nullptr && f->damaged) return false;
  if (f != nullptr) f->damaged = true;
  if (f == nullptr) {
    // A frame whose first packet (the one carrying its capture time) was lost: the receiver estimates the
    // capture time from the RTP clock, a few microseconds apart between its packets. It counts once.
    const auto apart = untracked_damaged_ ? captured - *untracked_damaged_ : std::chrono::nanoseconds::max();
    untracked_damaged_ = captured;
    if (apart > -kSameUntrackedFrame && apart < kSameUntrackedFrame) return false;
  }
  ++totals_.frames_undecodable;
  return true;
}

bool FrameLatencyTracker::in_report(core::CaptureTime at) const {
  return first_picture_at_ && at >= *first_picture_at_ + report_warmup_;
}

void FrameLatencyTracker::add_g2g(core::CaptureTime at, nanoseconds g2g) {
  const bool joining = link_first_picture_at_ && at - *link_first_picture_at_ <= kJoinWindow;
  if (in_report(at)) {
    g2g_run_.add(g2g);
    const std::int64_t second = (at - (*first_picture_at_ + report_warmup_)) / std::chrono::seconds{1};
    if (second != second_index_) {
      // A second is whole once a picture of a later one is shown; the run's last one never is.
      if (second_index_ && !second_has_join_) second_oldest_run_.add(second_oldest_);
      second_index_ = second;
      second_oldest_ = nanoseconds{0};
      second_has_join_ = false;
    }
    second_oldest_ = std::max(second_oldest_, g2g);
    second_has_join_ = second_has_join_ || joining;
  }
  if (joining) {
    join_run_.add(g2g);
    spdlog::debug("joining: picture {:.0f} ms after the first, {:.1f} ms old",
                  core::to_ms(at - *link_first_picture_at_), core::to_ms(g2g));
  }
  g2g_window_.add(at, g2g);
  g2g_last_ms_ = core::to_ms(g2g);
  smoothed_g2g_ = smoothed_g2g_.count() == 0 ? g2g : (smoothed_g2g_ * 7 + g2g) / 8;
}

void FrameLatencyTracker::on_decoded(core::CaptureTime captured, core::CaptureTime at,
                                     std::optional<core::CaptureTime> pixel_capture, bool pixel_code_expected,
                                     const ClockSync& sync) {
  ++totals_.frames_decoded;
  const bool excused = gaps_excused_until_ && at <= *gaps_excused_until_;
  if (last_decoded_at_ && at - *last_decoded_at_ > kFrozenAfter && in_report(*last_decoded_at_) && !excused) {
    const nanoseconds frozen = at - *last_decoded_at_ - kFrozenAfter;
    ++totals_.freezes;
    totals_.frozen += frozen;
    totals_.longest_freeze = std::max(totals_.longest_freeze, frozen);
    spdlog::debug("picture frozen {:.0f} ms", core::to_ms(frozen));
  }
  last_decoded_at_ = at;
  if (disturbed_since_) {
    const Frame* f = find(captured);
    const bool clean = f != nullptr && !f->damaged && f->received_last &&
                       *f->received_last >= *disturbed_since_ && (!damaged_since_disturbance_ || f->keyframe);
    if (clean) {
      if (in_report(*disturbed_since_)) recovery_run_.add(at - *disturbed_since_);
      disturbed_since_.reset();
    }
  }
  if (!link_first_picture_at_) link_first_picture_at_ = at;
  if (!first_picture_at_) first_picture_at_ = at;
  if (!sync.synced()) return;  // latency figures need the clock offset
  const bool reported = in_report(at);
  if (reported) ++totals_.frames_after_warmup;
  const core::CaptureTime captured_local = sync.to_local(captured);
  if (!newest_capture_local_ || captured_local > *newest_capture_local_)
    newest_capture_local_ = captured_local;
  const nanoseconds g2g = at - captured_local;
  if (!measure_at_presentation_) add_g2g(at, g2g);
  Frame* f = find(captured);
  if (f != nullptr) f->decoded = at;
  if (pixel_capture) {
    const nanoseconds pixel = at - sync.to_local(*pixel_capture);
    pixel_window_.add(at, pixel);
    if (reported) {
      pixel_run_.add(pixel);
      totals_.max_metadata_pixel_disagreement_ms =
          std::max(totals_.max_metadata_pixel_disagreement_ms, std::abs(core::to_ms(pixel - g2g)));
    }
  } else if (pixel_code_expected && reported) {
    ++totals_.frames_pixel_unreadable;
  }
  if (f == nullptr || !f->sent || !f->released || !f->received_last) return;
  const nanoseconds encode = *f->sent - f->captured;
  const nanoseconds network = *f->received_last - sync.to_local(*f->sent);
  const nanoseconds jitter = *f->released - *f->received_last;
  const nanoseconds decode = at - *f->released;
  encode_window_.add(at, encode);
  network_window_.add(at, network);
  jitter_window_.add(at, jitter);
  decode_window_.add(at, decode);
  if (!reported) return;
  encode_run_.add(encode);
  network_run_.add(network);
  jitter_run_.add(jitter);
  decode_run_.add(decode);
}

void FrameLatencyTracker::on_presented(core::CaptureTime captured, core::CaptureTime at,
                                       const ClockSync& sync) {
  if (!sync.synced() || !measure_at_presentation_) return;
  add_g2g(at, at - sync.to_local(captured));
  const Frame* f = find(captured);
  if (f == nullptr || !f->decoded) return;
  render_window_.add(at, at - *f->decoded);
  if (in_report(at)) render_run_.add(at - *f->decoded);
}

void FrameLatencyTracker::on_link_disturbed(core::CaptureTime at) {
  if (gaps_excused_until_ && at <= *gaps_excused_until_) return;  // the OR paused: not the link
  if (disturbed_since_) return;                                   // the recovery already running
  disturbed_since_ = at;
  damaged_since_disturbance_ = false;
}

void FrameLatencyTracker::on_new_link() {
  link_first_picture_at_.reset();
  link_first_release_at_.reset();
  frames_.clear();
}

std::optional<double> FrameLatencyTracker::picture_age_ms(core::CaptureTime now) const {
  if (!newest_capture_local_) return std::nullopt;
  return core::to_ms(now - *newest_capture_local_);
}

StageLatencies FrameLatencyTracker::stages_10s(core::CaptureTime now) {
  return {encode_window_.summary(now), network_window_.summary(now), jitter_window_.summary(now),
          decode_window_.summary(now), render_window_.summary(now)};
}

StageLatencies FrameLatencyTracker::stages_run() const {
  return {encode_run_.summary(), network_run_.summary(), jitter_run_.summary(), decode_run_.summary(),
          render_run_.summary()};
}

}  // namespace surgilink::session
