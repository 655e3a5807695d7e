#include "or_touch_panel.hpp"

#include <algorithm>

#include "or_picture_box.hpp"

namespace surgilink::sender {

OrTouchPanel::OrTouchPanel(int width, int height, const core::Clock& clock, int bottom_margin)
    : width_(width), height_(height), bottom_margin_(bottom_margin), clock_(clock) {}

void OrTouchPanel::set_state(const OrPanelState& state) {
  std::lock_guard lock(mutex_);
  state_ = state;
}

cv::Rect OrTouchPanel::area(Button button) const {
  // Eight slots across the bottom. A 27" 16:9 monitor is 336 mm high and 598 mm wide: a tenth of the
  // picture's height is 34 mm and a slot ~64 mm wide, twice the 15 mm a gloved finger needs and more.
  const int gap = width_ / 60;
  const int h = height_ / 10, w = (width_ - (kButtons + 1) * gap) / kButtons;
  const int index = static_cast<int>(button);
  return {gap + index * (w + gap), height_ - bottom_margin_ - h - gap, w, h};
}

bool OrTouchPanel::shown(Button button) const {
  std::lock_guard lock(mutex_);
  return shown_locked(button);
}

bool OrTouchPanel::shown_locked(Button button) const {
  switch (button) {
    case Button::kKeep:
      return state_.annotations_fading;
    case Button::kRecord:
      return state_.recording_available;
    case Button::kMute:
      return state_.microphone;
    case Button::kEnd:
      return state_.consoles_connected;
    default:
      return true;
  }
}

bool OrTouchPanel::armed_locked(Button button, core::CaptureTime now) const {
  return armed_ && armed_->first == button && now - armed_->second <= kConfirmWithin;
}

std::optional<std::string> OrTouchPanel::touch(double x, double y) {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  std::optional<Button> hit;
  for (int i = 0; i < kButtons; ++i) {
    const auto b = static_cast<Button>(i);
    const cv::Rect r = area(b);
    if (shown_locked(b) && x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height) hit = b;
  }
  if (!hit) {
    armed_.reset();  // a touch elsewhere cancels the question
    return std::nullopt;
  }
  const bool confirmed = armed_locked(*hit, now);
  armed_.reset();  // any touch but the confirming one disarms
  // A button whose act cannot be undone at once asks first; the second touch within kConfirmWithin acts.
  const auto confirm = [&](const char* command) -> std::optional<std::string> {
    if (confirmed) return command;
    armed_.emplace(*hit, now);
    return std::nullopt;
  };
  switch (*hit) {
    case Button::kPause:
      return state_.privacy_paused ? confirm("resume") : std::optional<std::string>("pause");
    case Button::kHide:
      return state_.annotations_hidden ? "show" : "hide";
    case Button::kPen:
      return state_.pen_revoked ? "grant-pen" : "revoke-pen";
    case Button::kClear:
      return confirm("clear");
    case Button::kKeep:
      return "keep-annotations";
    case Button::kRecord:
      if (!state_.consent_recorded) return confirm("consent");
      return state_.recording ? "stop-recording" : "record";
    case Button::kMute:
      return state_.microphone_muted ? "unmute" : "mute";
    case Button::kEnd:
      return confirm("end-session");
  }
  return std::nullopt;
}

void OrTouchPanel::draw(media::I420Picture picture, core::CaptureTime) {
  if (picture.planes[0] == nullptr) return;
  OrPanelState s;
  std::optional<Button> armed;
  const auto now = clock_.now();
  {
    std::lock_guard lock(mutex_);
    s = state_;
    for (int i = 0; i < kButtons; ++i) {
      if (armed_locked(static_cast<Button>(i), now)) armed = static_cast<Button>(i);
    }
  }
  const double scale = picture.height / 1080.0;
  const int thickness = std::max(1, static_cast<int>(3 * scale));
  // BT.601 limited range: dark grey for a control, amber for one waiting for its confirmation or a state
  // to notice (muted, paused), red for recording.
  const cv::Scalar control(60, 128, 128), waiting(170, 30, 170), red(70, 100, 210);
  const auto button = [&](Button b, const std::string& label, cv::Scalar colour) {
    if (armed == b) {
      draw_label_box(picture, area(b), "TOUCH AGAIN: " + label, waiting, 0.9 * scale, thickness);
    } else {
      draw_label_box(picture, area(b), label, colour, 0.9 * scale, thickness);
    }
  };
  button(Button::kPause, s.privacy_paused ? "RESUME VIDEO" : "PRIVACY PAUSE",
         s.privacy_paused ? waiting : control);
  button(Button::kHide, s.annotations_hidden ? "SHOW ANNOTATIONS" : "HIDE ANNOTATIONS", control);
  button(Button::kPen, s.pen_revoked ? "GIVE PEN BACK" : "TAKE PEN", control);
  button(Button::kClear, "CLEAR ALL", control);
  if (s.annotations_fading) button(Button::kKeep, "KEEP ANNOTATIONS", control);
  if (s.recording_available) {
    button(Button::kRecord,
           !s.consent_recorded ? "CONSENT + RECORD"
           : s.recording       ? "STOP REC"
                               : "START REC",
           s.recording ? red : control);
  }
  if (s.microphone) {
    button(Button::kMute, s.microphone_muted ? "OPEN OR MIC" : "MUTE OR MIC",
           s.microphone_muted ? waiting : control);
  }
  if (s.consoles_connected) button(Button::kEnd, "END SESSION", control);
}

}  // namespace surgilink::sender
