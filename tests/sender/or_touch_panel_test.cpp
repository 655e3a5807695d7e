// The OR window's touch controls (issue 13): each button gives the surgeon's command for the state it shows,
// "clear all" needs a second touch within a few seconds, and the buttons are big enough for a gloved finger.
#include <gtest/gtest.h>

#include <vector>

#include "or_touch_panel.hpp"

namespace surgilink::sender {
namespace {

using Button = OrTouchPanel::Button;

cv::Point centre(const cv::Rect& r) { return {r.x + r.width / 2, r.y + r.height / 2}; }

std::optional<std::string> touch(OrTouchPanel& panel, Button button) {
  const auto at = centre(panel.area(button));
  return panel.touch(at.x, at.y);
}

TEST(OrTouchPanel, EachButtonGivesTheCommandForTheStateItShows) {
  core::SimulatedClock clock;
  OrTouchPanel panel(1920, 1080, clock);
  EXPECT_EQ(touch(panel, Button::kHide), "hide");
  EXPECT_EQ(touch(panel, Button::kPen), "revoke-pen");
  EXPECT_EQ(touch(panel, Button::kPause), "pause") << "pausing takes one touch";
  EXPECT_EQ(touch(panel, Button::kKeep), std::nullopt) << "KEEP is not there while nothing fades";
  EXPECT_EQ(touch(panel, Button::kMute), std::nullopt) << "no microphone, no microphone button";
  OrPanelState s;
  s.annotations_hidden = true;
  s.pen_revoked = true;
  s.annotations_fading = true;
  s.microphone = true;
  s.recording_available = true;
  s.consent_recorded = true;
  panel.set_state(s);
  EXPECT_EQ(touch(panel, Button::kHide), "show");
  EXPECT_EQ(touch(panel, Button::kPen), "grant-pen");
  EXPECT_EQ(touch(panel, Button::kKeep), "keep-annotations");
  EXPECT_EQ(touch(panel, Button::kMute), "mute");
  EXPECT_EQ(touch(panel, Button::kRecord), "record");
  s.recording = true;
  panel.set_state(s);
  EXPECT_EQ(touch(panel, Button::kRecord), "stop-recording");
  EXPECT_EQ(panel.touch(960, 300), std::nullopt) << "the operative field is not a button";
}

// Resuming after a privacy pause and recording consent are deliberate acts: a second touch on the same
// button.
TEST(OrTouchPanel, ResumingAndConsentTakeASecondTouch) {
  core::SimulatedClock clock;
  OrTouchPanel panel(1920, 1080, clock);
  OrPanelState s;
  s.privacy_paused = true;
  s.recording_available = true;
  panel.set_state(s);
  EXPECT_EQ(touch(panel, Button::kPause), std::nullopt) << "one touch never resumes";
  EXPECT_EQ(touch(panel, Button::kPause), "resume");
  EXPECT_EQ(touch(panel, Button::kRecord), std::nullopt) << "one touch never records consent";
  clock.advance(std::chrono::seconds{1});
  EXPECT_EQ(touch(panel, Button::kRecord), "consent");
  EXPECT_EQ(touch(panel, Button::kPause), std::nullopt);
  EXPECT_EQ(touch(panel, Button::kRecord), std::nullopt)
      << "another button's first touch is not a confirmation";
}

TEST(OrTouchPanel, ClearAllTakesASecondTouchWithinTheConfirmationTime) {
  core::SimulatedClock clock;
  OrTouchPanel panel(1920, 1080, clock);
  EXPECT_EQ(touch(panel, Button::kClear), std::nullopt) << "one touch never clears";
  clock.advance(std::chrono::seconds{2});
  EXPECT_EQ(touch(panel, Button::kClear), "clear");
  EXPECT_EQ(touch(panel, Button::kClear), std::nullopt) << "cleared: the next touch asks again";
  clock.advance(OrTouchPanel::kConfirmWithin + std::chrono::seconds{1});
  EXPECT_EQ(touch(panel, Button::kClear), std::nullopt) << "too late: that touch only asks again";
  EXPECT_EQ(touch(panel, Button::kHide), "hide");
  EXPECT_EQ(touch(panel, Button::kClear), std::nullopt) << "another button in between cancels the question";
}

TEST(OrTouchPanel, ButtonsAreAtLeast15MillimetresOnA27InchMonitorAndApart) {
  core::SimulatedClock clock;
  OrTouchPanel panel(1280, 720, clock);
  constexpr double kMonitorHeightMm = 336;  // 27" at 16:9
  for (const auto b : {Button::kPause, Button::kHide, Button::kPen, Button::kClear, Button::kKeep,
                       Button::kRecord, Button::kMute}) {
    const cv::Rect r = panel.area(b);
    EXPECT_GE(r.height * kMonitorHeightMm / 720, 15.0);
    EXPECT_GE(r.width * kMonitorHeightMm / 720, 15.0);
    EXPECT_TRUE((cv::Rect(0, 0, 1280, 720) & r) == r) << "inside the picture";
  }
  EXPECT_TRUE((panel.area(Button::kHide) & panel.area(Button::kPen)).empty());
  EXPECT_TRUE((panel.area(Button::kPen) & panel.area(Button::kClear)).empty());
  EXPECT_TRUE((panel.area(Button::kRecord) & panel.area(Button::kMute)).empty());
}

TEST(OrTouchPanel, TheButtonAskingForItsSecondTouchTurnsAmber) {
  core::SimulatedClock clock;
  OrTouchPanel panel(640, 360, clock);
  std::vector<std::uint8_t> y(640 * 360, 16), u(320 * 180, 128), v(320 * 180, 128);
  media::I420Picture picture{{y.data(), u.data(), v.data()}, {640, 320, 320}, 640, 360};
  const cv::Rect clear = panel.area(Button::kClear);
  const std::size_t corner = static_cast<std::size_t>((clear.y + 2) / 2 * 320 + (clear.x + 2) / 2);
  panel.draw(picture, clock.now());
  EXPECT_EQ(v[corner], 128) << "grey while nothing is asked";
  touch(panel, Button::kClear);
  panel.draw(picture, clock.now());
  EXPECT_GT(v[corner], 160) << "amber: touch again to clear";
}

}  // namespace
}  // namespace surgilink::sender
