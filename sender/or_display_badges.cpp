#include "or_display_badges.hpp"

#include <algorithm>

#include "or_picture_box.hpp"

namespace surgilink::sender {

namespace {

// One badge: a filled box in the given YUV colour with light text, at the top right, scaled with the picture.
void draw_badge(media::I420Picture& p, const std::string& text, int row, cv::Scalar yuv,
                Lettering lettering) {
  const double scale = p.height / 1080.0;
  double font_scale = 1.1 * scale;
  const int thickness = std::max(1, static_cast<int>(2 * scale));
  const int pad = static_cast<int>(12 * scale), room = p.width - static_cast<int>(48 * scale) - 2 * pad;
  int baseline = 0;
  cv::Size size = measure_box_text(text, font_scale, thickness, &baseline, lettering);
  // A long text (a translation may be longer than the English) is set smaller rather than left out.
  for (int i = 0; i < 20 && size.width > room; ++i) {
    font_scale *= std::min(0.95, static_cast<double>(room) / std::max(size.width, 1));
    size = measure_box_text(text, font_scale, thickness, &baseline, lettering);
  }
  const int w = (size.width + 2 * pad + 1) & ~1, h = (size.height + baseline + 2 * pad + 1) & ~1;
  const int x = (p.width - w - static_cast<int>(24 * scale)) & ~1;
  const int y = (static_cast<int>(24 * scale) + row * (h + pad)) & ~1;
  draw_text_box(p, cv::Rect(x, y, w, h), text, yuv, font_scale, thickness, pad, lettering);
}

}  // namespace

OrDisplayBadges::OrDisplayBadges(const OrWords& w)
    : words_{w(or_word::kPrivacyPauseBadge),  w(or_word::kAlarm),
             w(or_word::kAuditLogNotWritten), w(or_word::kMediaKeysExported),
             w(or_word::kMentorCheck),        w(or_word::kMentorDisconnected),
             w(or_word::kPenWaitsBadge),      w(or_word::kMentorSpeaking),
             w(or_word::kOrMicMuted),         w(or_word::kAnnotationsHiddenBadge),
             w(or_word::kMentorPenOff),       w(or_word::kRec)},
      translated_(!w.english()) {}

void OrDisplayBadges::set_alarms(std::string text) {
  std::lock_guard lock(mutex_);
  alarms_ = std::move(text);
}

void OrDisplayBadges::set_mentor_disconnected(bool disconnected) {
  std::lock_guard lock(mutex_);
  mentor_disconnected_ = disconnected;
}

void OrDisplayBadges::set_surgeon_controls(bool annotations_hidden, bool pen_revoked) {
  std::lock_guard lock(mutex_);
  annotations_hidden_ = annotations_hidden;
  pen_revoked_ = pen_revoked;
}

void OrDisplayBadges::set_flagged_vitals(std::string text) {
  std::lock_guard lock(mutex_);
  flagged_ = std::move(text);
}

void OrDisplayBadges::set_mentor_latency(std::string text) {
  std::lock_guard lock(mutex_);
  mentor_latency_ = std::move(text);
}

void OrDisplayBadges::set_recording(bool recording) {
  std::lock_guard lock(mutex_);
  recording_ = recording;
}

void OrDisplayBadges::set_recording_warning(std::string text) {
  std::lock_guard lock(mutex_);
  recording_warning_ = std::move(text);
}

void OrDisplayBadges::set_audit_failure(bool failing) {
  std::lock_guard lock(mutex_);
  audit_failure_ = failing;
}

void OrDisplayBadges::set_keys_exported(bool exported) {
  std::lock_guard lock(mutex_);
  keys_exported_ = exported;
}

void OrDisplayBadges::set_pen_waits_for(std::string name) {
  std::lock_guard lock(mutex_);
  pen_waits_for_ = std::move(name);
}

void OrDisplayBadges::set_voice(bool mentor_speaking, bool or_microphone_muted) {
  std::lock_guard lock(mutex_);
  mentor_speaking_ = mentor_speaking;
  or_muted_ = or_microphone_muted;
}

void OrDisplayBadges::set_privacy_paused(bool paused) {
  std::lock_guard lock(mutex_);
  privacy_paused_ = paused;
}

bool OrDisplayBadges::has_content() const {
  std::lock_guard lock(mutex_);
  return privacy_paused_ || mentor_speaking_ || or_muted_ || !alarms_.empty() || mentor_disconnected_ ||
         annotations_hidden_ || pen_revoked_ || !flagged_.empty() || recording_ || !mentor_latency_.empty() ||
         audit_failure_ || !pen_waits_for_.empty() || !recording_warning_.empty() || keys_exported_;
}

void OrDisplayBadges::draw(media::I420Picture picture, core::CaptureTime) {
  std::string alarms;
  bool disconnected = false, hidden = false, revoked = false, recording = false, audit_failure = false,
       keys_exported = false, speaking = false, muted = false, paused = false;
  std::string flagged, mentor_latency, pen_waits_for, recording_warning;
  {
    std::lock_guard lock(mutex_);
    alarms = alarms_;
    disconnected = mentor_disconnected_;
    hidden = annotations_hidden_;
    revoked = pen_revoked_;
    flagged = flagged_;
    recording = recording_;
    mentor_latency = mentor_latency_;
    audit_failure = audit_failure_;
    keys_exported = keys_exported_;
    pen_waits_for = pen_waits_for_;
    recording_warning = recording_warning_;
    speaking = mentor_speaking_;
    muted = or_muted_;
    paused = privacy_paused_;
  }
  if (picture.planes[0] == nullptr) return;
  int row = 0;
  const Words& w = words_;
  const Lettering lettering = translated_ ? Lettering::kTypeface : Lettering::kHersheyForAscii;
  const auto badge = [&](const std::string& text, int at_row, cv::Scalar yuv) {
    draw_badge(picture, text, at_row, yuv, lettering);
  };
  // First: while it is on, the mentors are blind and deaf to the room; nobody should forget to resume.
  if (paused) badge(w.privacy_pause, row++, cv::Scalar(170, 30, 170));
  // BT.601 limited range: red (Y 81, U 90, V 240), amber (Y 170, U 30, V 170).
  if (!alarms.empty()) badge(OrWords::fill(w.alarm, alarms), row++, cv::Scalar(81, 90, 240));
  if (!mentor_latency.empty()) badge(mentor_latency, row++, cv::Scalar(81, 90, 240));
  if (audit_failure) badge(w.audit_log, row++, cv::Scalar(81, 90, 240));
  if (keys_exported) badge(w.media_keys, row++, cv::Scalar(81, 90, 240));
  // Amber: the mentor asks the surgeon to look at these.
  if (!flagged.empty()) badge(OrWords::fill(w.mentor_check, flagged), row++, cv::Scalar(170, 30, 170));
  if (!recording_warning.empty()) badge(recording_warning, row++, cv::Scalar(170, 30, 170));
  if (disconnected) badge(w.mentor_disconnected, row++, cv::Scalar(150, 44, 180));
  if (!pen_waits_for.empty())
    badge(OrWords::fill(w.pen_waits, pen_waits_for), row++, cv::Scalar(170, 30, 170));
  // Green: the mentor's voice is what the room hears now (who is talking, without looking away for long).
  if (speaking) badge(w.mentor_speaking, row++, cv::Scalar(130, 60, 60));
  if (muted) badge(w.or_mic_muted, row++, cv::Scalar(170, 30, 170));
  // Grey: information, not a warning.
  if (hidden) badge(w.annotations_hidden, row++, cv::Scalar(90, 128, 128));
  if (revoked) badge(w.mentor_pen_off, row++, cv::Scalar(90, 128, 128));
  // Dark red, last: a state everyone agreed to, not an alarm.
  if (recording) badge(w.rec, row++, cv::Scalar(50, 110, 190));
}

}  // namespace surgilink::sender
