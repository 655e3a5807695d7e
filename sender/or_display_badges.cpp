#include "or_display_badges.hpp"

#include <opencv2/imgproc.hpp>

#include "or_picture_box.hpp"

namespace surgilink::sender {

namespace {

// One badge: a filled box in the given YUV colour with light text, at the top right, scaled with the picture.
void draw_badge(media::I420Picture& p, const std::string& text, int row, cv::Scalar yuv) {
  const double scale = p.height / 1080.0;
  const double font_scale = 1.1 * scale;
  const int thickness = std::max(1, static_cast<int>(2 * scale));
  int baseline = 0;
  const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, font_scale, thickness, &baseline);
  const int pad = static_cast<int>(12 * scale);
  const int w = (size.width + 2 * pad + 1) & ~1, h = (size.height + baseline + 2 * pad + 1) & ~1;
  const int x = (p.width - w - static_cast<int>(24 * scale)) & ~1;
  const int y = (static_cast<int>(24 * scale) + row * (h + pad)) & ~1;
  draw_text_box(p, cv::Rect(x, y, w, h), text, yuv, font_scale, thickness, pad);
}

}  // namespace

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
  // First: while it is on, the mentors are blind and deaf to the room; nobody should forget to resume.
  if (paused)
    draw_badge(picture, "PRIVACY PAUSE: MENTORS SEE AND HEAR NOTHING", row++, cv::Scalar(170, 30, 170));
  // BT.601 limited range: red (Y 81, U 90, V 240), amber (Y 170, U 30, V 170).
  if (!alarms.empty()) draw_badge(picture, "ALARM " + alarms, row++, cv::Scalar(81, 90, 240));
  if (!mentor_latency.empty()) draw_badge(picture, mentor_latency, row++, cv::Scalar(81, 90, 240));
  if (audit_failure) draw_badge(picture, "AUDIT LOG NOT WRITTEN", row++, cv::Scalar(81, 90, 240));
  if (keys_exported)
    draw_badge(picture, "MEDIA KEYS EXPORTED (test bench only)", row++, cv::Scalar(81, 90, 240));
  // Amber: the mentor asks the surgeon to look at these.
  if (!flagged.empty()) draw_badge(picture, "MENTOR: check " + flagged, row++, cv::Scalar(170, 30, 170));
  if (!recording_warning.empty()) draw_badge(picture, recording_warning, row++, cv::Scalar(170, 30, 170));
  if (disconnected) draw_badge(picture, "mentor disconnected", row++, cv::Scalar(150, 44, 180));
  if (!pen_waits_for.empty())
    draw_badge(picture, "link lost: pen waits for " + pen_waits_for, row++, cv::Scalar(170, 30, 170));
  // Green: the mentor's voice is what the room hears now (who is talking, without looking away for long).
  if (speaking) draw_badge(picture, "MENTOR SPEAKING", row++, cv::Scalar(130, 60, 60));
  if (muted) draw_badge(picture, "OR MIC MUTED", row++, cv::Scalar(170, 30, 170));
  // Grey: information, not a warning.
  if (hidden) draw_badge(picture, "annotations hidden", row++, cv::Scalar(90, 128, 128));
  if (revoked) draw_badge(picture, "mentor pen off", row++, cv::Scalar(90, 128, 128));
  // Dark red, last: a state everyone agreed to, not an alarm.
  if (recording) draw_badge(picture, "REC", row++, cv::Scalar(50, 110, 190));
}

}  // namespace surgilink::sender
