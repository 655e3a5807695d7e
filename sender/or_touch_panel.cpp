#include "or_touch_panel.hpp"

#include <algorithm>

#include "or_picture_box.hpp"

namespace surgilink::sender {

OrTouchPanel::OrTouchPanel(int width, int height, const core::Clock& clock)
    : width_(width), height_(height), clock_(clock) {}

void OrTouchPanel::set_state(bool annotations_hidden, bool pen_revoked) {
  std::lock_guard lock(mutex_);
  hidden_ = annotations_hidden;
  revoked_ = pen_revoked;
}

void OrTouchPanel::set_microphone(bool present, bool muted) {
  std::lock_guard lock(mutex_);
  microphone_ = present;
  muted_ = muted;
}

cv::Rect OrTouchPanel::area(Button button) const {
  // A 27" 16:9 monitor is 336 mm high: a tenth of the picture is 34 mm, twice the 15 mm a gloved finger
  // needs.
  const int h = height_ / 10, w = width_ / 5, gap = width_ / 60;
  const int index = static_cast<int>(button);
  return {gap + index * (w + gap), height_ - h - gap, w, h};
}

std::optional<std::string> OrTouchPanel::touch(double x, double y) {
  const cv::Point2d at(x, y);
  const auto hit = [&](Button b) {
    const cv::Rect r = area(b);
    return at.x >= r.x && at.x < r.x + r.width && at.y >= r.y && at.y < r.y + r.height;
  };
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  const bool armed = clear_armed_at_ && now - *clear_armed_at_ <= kConfirmWithin;
  clear_armed_at_.reset();  // any touch but the confirming one disarms "clear all"
  if (hit(Button::kHide)) return hidden_ ? "show" : "hide";
  if (hit(Button::kPen)) return revoked_ ? "grant-pen" : "revoke-pen";
  if (microphone_ && hit(Button::kMute)) return muted_ ? "unmute" : "mute";
  if (hit(Button::kClear)) {
    if (armed) return "clear";
    clear_armed_at_ = now;
  }
  return std::nullopt;
}

void OrTouchPanel::draw(media::I420Picture picture, core::CaptureTime) {
  if (picture.planes[0] == nullptr) return;
  bool hidden = false, revoked = false, armed = false, microphone = false, muted = false;
  {
    std::lock_guard lock(mutex_);
    microphone = microphone_;
    muted = muted_;
    hidden = hidden_;
    revoked = revoked_;
    armed = clear_armed_at_ && clock_.now() - *clear_armed_at_ <= kConfirmWithin;
  }
  const double scale = picture.height / 1080.0;
  const double font_scale = 0.9 * scale;
  const int thickness = std::max(1, static_cast<int>(3 * scale));
  const int pad = static_cast<int>(20 * scale);
  // BT.601 limited range: dark grey for a control, amber for one waiting for its confirmation.
  const cv::Scalar control(60, 128, 128), waiting(170, 30, 170);
  draw_text_box(picture, area(Button::kHide), hidden ? "SHOW ANNOTATIONS" : "HIDE ANNOTATIONS", control,
                font_scale, thickness, pad);
  draw_text_box(picture, area(Button::kPen), revoked ? "GIVE PEN BACK" : "TAKE PEN", control, font_scale,
                thickness, pad);
  draw_text_box(picture, area(Button::kClear), armed ? "TOUCH AGAIN: CLEAR" : "CLEAR ALL",
                armed ? waiting : control, font_scale, thickness, pad);
  if (microphone) {
    draw_text_box(picture, area(Button::kMute), muted ? "OPEN OR MIC" : "MUTE OR MIC",
                  muted ? waiting : control, font_scale, thickness, pad);
  }
}

}  // namespace surgilink::sender
