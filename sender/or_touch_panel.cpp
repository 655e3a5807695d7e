#include "or_touch_panel.hpp"

#include <algorithm>

#include "or_picture_box.hpp"

namespace surgilink::sender {

OrTouchPanel::OrTouchPanel(int width, int height, const core::Clock& clock, int bottom_margin,
                           const OrWords& w)
    : words_{w(or_word::kTouchAgain),      w(or_word::kPrivacyPause),    w(or_word::kResumeVideo),
             w(or_word::kHideAnnotations), w(or_word::kShowAnnotations), w(or_word::kTakePen),
             w(or_word::kGivePenBack),     w(or_word::kClearAll),        w(or_word::kKeepAnnotations),
             w(or_word::kConsentRecord),   w(or_word::kStartRec),        w(or_word::kStopRec),
             w(or_word::kMuteOrMic),       w(or_word::kOpenOrMic),       w(or_word::kEndSession)},
      translated_(!w.english()),
      width_(width),
      height_(height),
      bottom_margin_(bottom_margin),
      clock_(clock) {}

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

std::pair<OrPanelState, std::optional<OrTouchPanel::Button>> OrTouchPanel::snapshot() const {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  std::optional<Button> armed;
  for (int i = 0; i < kButtons; ++i) {
    if (armed_locked(static_cast<Button>(i), now)) armed = static_cast<Button>(i);
  }
  return {state_, armed};
}

std::vector<OrTouchPanel::Label> OrTouchPanel::labels() const {
  const auto [s, armed] = snapshot();
  return labels_for(s, armed);
}

std::vector<OrTouchPanel::Label> OrTouchPanel::labels_for(const OrPanelState& s,
                                                          std::optional<Button> armed) const {
  const Words& w = words_;
  std::vector<Label> out;
  const auto label = [&](Button b, const std::string& text) {
    out.push_back({b, armed == b ? OrWords::fill(w.touch_again, text) : text, area(b)});
  };
  label(Button::kPause, s.privacy_paused ? w.resume_video : w.privacy_pause);
  label(Button::kHide, s.annotations_hidden ? w.show : w.hide);
  label(Button::kPen, s.pen_revoked ? w.give_pen_back : w.take_pen);
  label(Button::kClear, w.clear_all);
  if (s.annotations_fading) label(Button::kKeep, w.keep);
  if (s.recording_available) {
    label(Button::kRecord, !s.consent_recorded ? w.consent_record : s.recording ? w.stop_rec : w.start_rec);
  }
  if (s.microphone) label(Button::kMute, s.microphone_muted ? w.open_mic : w.mute);
  if (s.consoles_connected) label(Button::kEnd, w.end_session);
  return out;
}

void OrTouchPanel::draw(media::I420Picture picture, core::CaptureTime) {
  if (picture.planes[0] == nullptr) return;
  const auto snap = snapshot();
  const OrPanelState& s = snap.first;
  const std::optional<Button> armed = snap.second;
  const double scale = picture.height / 1080.0;
  const int thickness = std::max(1, static_cast<int>(3 * scale));
  // BT.601 limited range: dark grey for a control, amber for one waiting for its confirmation or a state
  // to notice (muted, paused), red for recording.
  const cv::Scalar control(60, 128, 128), waiting(170, 30, 170), red(70, 100, 210);
  const auto colour = [&](Button b) {
    if (armed == b) return waiting;
    switch (b) {
      case Button::kPause:
        return s.privacy_paused ? waiting : control;
      case Button::kRecord:
        return s.recording ? red : control;
      case Button::kMute:
        return s.microphone_muted ? waiting : control;
      default:
        return control;
    }
  };
  for (const Label& l : labels_for(s, armed))
    draw_label_box(picture, l.area, l.text, colour(l.button), 0.9 * scale, thickness,
                   translated_ ? Lettering::kTypeface : Lettering::kHersheyForAscii);
}

}  // namespace surgilink::sender
