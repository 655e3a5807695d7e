#pragma once
// The OR team's touch controls on the OR window (issue 13): large buttons along the bottom of the picture,
// for gloved hands (no hover, no double tap): hide/show the annotations, take back/give the pen, clear all,
// mute/open the OR microphone.
// Clearing takes one extra touch on the same button, which asks for it; no dialog covers the picture.

#include <mutex>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::sender {

// set_state/touch: the network thread; has_content/draw: the OR display's streaming thread.
class OrTouchPanel : public media::OrDisplayOverlay {
 public:
  enum class Button { kHide, kPen, kClear, kMute };
  static constexpr std::chrono::seconds kConfirmWithin{5};

  // For pictures of `width` x `height`, the size the OR display branch composes.
  OrTouchPanel(int width, int height, const core::Clock& clock);
  // What the buttons say: the surgeon's controls as they are now.
  void set_state(bool annotations_hidden, bool pen_revoked);
  // The OR microphone's button: shown only when there is a microphone.
  void set_microphone(bool present, bool muted);
  // A touch at (x, y) in picture pixels: the surgeon's command it gives (hide | show | revoke-pen |
  // grant-pen | clear | mute | unmute), if any, for the caller to carry out through the one authority path.
  std::optional<std::string> touch(double x, double y);
  // Where `button` is in the picture: at least 15 mm high on a 27" monitor showing the picture full screen.
  cv::Rect area(Button button) const;

  bool has_content() const override { return true; }
  void draw(media::I420Picture picture, core::CaptureTime capture_time) override;

 private:
  const int width_, height_;
  const core::Clock& clock_;
  mutable std::mutex mutex_;
  bool hidden_ = false, revoked_ = false;
  bool microphone_ = false, muted_ = false;
  std::optional<core::CaptureTime> clear_armed_at_;  // the first touch on "clear all"
};

}  // namespace surgilink::sender
