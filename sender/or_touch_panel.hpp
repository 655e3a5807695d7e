#pragma once
// The OR team's touch controls on the OR window (issue 13): large buttons along the bottom of the picture,
// for gloved hands (no hover, no double tap): the privacy pause, hide/show the annotations, take back/give
// the pen, clear all, keep a departed mentor's annotations, consent/recording, mute/open the OR microphone,
// end the session of every connected console.
// What cannot be undone at once takes one extra touch on the same button, which asks for it: clearing,
// recording consent, resuming after a privacy pause, and ending the consoles' session. No dialog covers the
// picture.

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "or_words.hpp"
#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::sender {

// What the panel shows: the surgeon's controls and the OR's state as they are now. Plain value type.
struct OrPanelState {
  bool annotations_hidden = false;
  bool pen_revoked = false;
  bool privacy_paused = false;
  bool consent_recorded = false;
  bool recording = false;
  bool recording_available = false;  // this sender has a recording folder
  bool annotations_fading = false;   // a departed mentor's annotations fade: KEEP is offered
  bool microphone = false;           // the OR has a microphone
  bool microphone_muted = false;
  bool consoles_connected = false;  // END SESSION is offered
};

// set_state/touch: the network thread; has_content/draw: the OR display's streaming thread.
class OrTouchPanel : public media::OrDisplayOverlay {
 public:
  enum class Button { kPause, kHide, kPen, kClear, kKeep, kRecord, kMute, kEnd };
  static constexpr int kButtons = 8;
  static constexpr std::chrono::seconds kConfirmWithin{5};

  // For pictures of `width` x `height`, the size the OR display branch composes. `bottom_margin`: rows kept
  // free under the buttons (the status strip). `words`: the labels' language, looked up here once.
  OrTouchPanel(int width, int height, const core::Clock& clock, int bottom_margin = 0,
               const OrWords& words = {});
  void set_state(const OrPanelState& state);
  // A touch at (x, y) in picture pixels: the surgeon's command it gives (pause | resume | hide | show |
  // revoke-pen | grant-pen | clear | keep-annotations | consent | record | stop-recording | mute | unmute |
  // end-session),
  // if any, for the caller to carry out through the one authority path.
  std::optional<std::string> touch(double x, double y);
  // Where `button` is in the picture (whether shown now or not): at least 15 mm on a 27" monitor showing the
  // picture full screen.
  cv::Rect area(Button button) const;
  // Whether `button` is shown now (KEEP only while annotations fade, RECORD only with a recording folder,
  // the microphone's only with a microphone).
  bool shown(Button button) const;

  bool has_content() const override { return true; }
  void draw(media::I420Picture picture, core::CaptureTime capture_time) override;

  // The labels shown now, button by button (as drawn: "TOUCH AGAIN: CLEAR ALL" while asking), and where
  // each is set in its button: for the tests that nothing is cut off.
  struct Label {
    Button button;
    std::string text;
    cv::Rect area;
  };
  std::vector<Label> labels() const;

 private:
  // The state and the button waiting for its confirmation, now.
  std::pair<OrPanelState, std::optional<Button>> snapshot() const;
  std::vector<Label> labels_for(const OrPanelState& state, std::optional<Button> armed) const;

  // The labels in the chosen language (touch_again: a pattern with %1).
  struct Words {
    std::string touch_again, privacy_pause, resume_video, hide, show, take_pen, give_pen_back, clear_all,
        keep, consent_record, start_rec, stop_rec, mute, open_mic, end_session;
  };
  const Words words_;
  const bool translated_;  // then every label is lettered with the typeface

  bool shown_locked(Button button) const;
  bool armed_locked(Button button, core::CaptureTime now) const;

  const int width_, height_, bottom_margin_;
  const core::Clock& clock_;
  mutable std::mutex mutex_;
  OrPanelState state_;
  // The button waiting for its confirming touch, and since when.
  std::optional<std::pair<Button, core::CaptureTime>> armed_;
};

}  // namespace surgilink::sender
