// The OR window on the surgeon's monitor (issue 13), under Xvfb: a real sender with --or-window and a
// scripted mentor; grabs of the screen show the mentor's annotations where --or-screenshot has them, the
// pixel code read back from the grabs gives capture → on the OR screen, and a touch on "hide" takes them off.
#include <gtest/gtest.h>

#include <QGuiApplication>
#include <QImage>
#include <QScreen>
#include <QTest>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "or_status_strip.hpp"
#include "or_touch_panel.hpp"
#include "process/child_process.hpp"
#include "support/annotation_colours.hpp"
#include "support/console_status.hpp"
#include "support/hang_report.hpp"
#include "support/running_sender.hpp"
#include "support/test_installation.hpp"
#include "surgilink/core/latency_statistics.hpp"
#include "ui/window_pixel_code.hpp"
#include "x11_touch.hpp"

namespace surgilink::testing {
namespace {

using std::chrono::milliseconds;
using json = nlohmann::json;

constexpr int kWidth = 1280, kHeight = 720;  // the test config's 720p30
constexpr const char* kOrWindow = "SurgiLink OR";

// The whole X screen, as BGR.
cv::Mat grab_screen() {
  const QImage image =
      QGuiApplication::primaryScreen()->grabWindow(0).toImage().convertToFormat(QImage::Format_RGB888);
  cv::Mat rgb(image.height(), image.width(), CV_8UC3, const_cast<uchar*>(image.constBits()),
              static_cast<std::size_t>(image.bytesPerLine()));
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  return bgr;
}

// Where the picture is on the screen: everything else (Xvfb's root with -br, the window's borders) is black.
std::optional<cv::Rect> picture_on(const cv::Mat& screen) {
  cv::Mat grey, lit;
  cv::cvtColor(screen, grey, cv::COLOR_BGR2GRAY);
  cv::threshold(grey, lit, 12, 255, cv::THRESH_BINARY);
  const cv::Rect box = cv::boundingRect(lit);
  if (box.width < kWidth / 4 || box.height < kHeight / 4) return std::nullopt;
  return box;
}

// How much of `shown` lies on `saved` (within 7 px), at the best shift of at most 48 px: the scene pans
// between the window's grab and the OR display's last picture, by the window's own delay (a few hundred ms on
// a loaded 2-core machine under Xvfb).
struct Overlap {
  double share = 0;
  cv::Point shift;
};
Overlap best_overlap(const cv::Mat& shown, const cv::Mat& saved) {
  cv::Mat near;
  cv::dilate(saved, near, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(15, 15)));
  const double total = cv::countNonZero(shown);
  Overlap best;
  if (total == 0) return best;
  for (int dy = -48; dy <= 48; dy += 4) {
    for (int dx = -48; dx <= 48; dx += 4) {
      const cv::Mat shift = (cv::Mat_<double>(2, 3) << 1, 0, dx, 0, 1, dy);
      cv::Mat moved;
      cv::warpAffine(shown, moved, shift, shown.size(), cv::INTER_NEAREST);
      const double share = cv::countNonZero(moved & near) / total;
      if (share > best.share) best = {share, {dx, dy}};
    }
  }
  return best;
}

// A headless mentor console on `sender` whose scripted mentor keeps 4 annotations on the OR display.
std::unique_ptr<tools::ChildProcess> start_scripted_mentor(const std::filesystem::path& dir,
                                                           const RunningSender& sender) {
  std::filesystem::create_directories(dir / "mentor");
  return std::make_unique<tools::ChildProcess>(
      std::vector<std::string>{console_program().string(), "--config",
                               write_console_config(dir / "mentor", sender.control_port(), "mentor").string(),
                               "--headless", "--status-json", "--seconds", "60", "--scripted-mentor", "4"},
      (dir / "mentor.err").string());
}

TEST(OrWindow, ShowsTheMentorsAnnotationsWhereTheOrScreenshotHasThem) {
  const auto dir = scratch_dir("or_window");
  const auto or_png = dir / "or.png";
  RunningSender sender(
      write_sender_config(dir), dir / "sender.log",
      {"--or-window", "--or-screenshot", or_png.string(), "--report-json", (dir / "sender.json").string()});
  auto mentor_process = start_scripted_mentor(dir, sender);
  tools::ChildProcess& mentor = *mentor_process;
  const json drawing =
      wait_for_status(mentor, 20, [](const json& s) { return s.value("annotations", 0) >= 4; });
  ASSERT_GE(drawing.value("annotations", 0), 4) << drawing.dump();

  // Capture → on the OR screen, from the pixel code in the grabs of the live window.
  core::LatencySeries on_screen;
  int readable = 0;
  for (int i = 0; i < 10; ++i) {
    const cv::Mat screen = grab_screen();
    const auto grabbed = std::chrono::system_clock::now();
    const auto box = picture_on(screen);
    if (!box) continue;
    const QImage grab(screen.data, screen.cols, screen.rows, static_cast<qsizetype>(screen.step),
                      QImage::Format_BGR888);
    if (const auto us = console::pixel_code_in_grab(grab, QRectF(box->x, box->y, box->width, box->height),
                                                    kWidth, kHeight)) {
      ++readable;
      on_screen.add(grabbed - core::CaptureTime{std::chrono::microseconds{*us}});
    }
    QTest::qWait(150);
  }
  EXPECT_GE(readable, 5) << "the pixel code is unreadable in the OR window's grabs";
  const auto s = on_screen.summary();
  std::printf("capture -> on the OR screen (window grabs): p50 %.1f ms, p95 %.1f ms, %zu grabs\n", s.p50_ms,
              s.p95_ms, s.count);

  // The mentor leaves; their annotations stay on the surgeon's picture, so the window grab and the OR
  // display's last picture show the same ones (the tissue, and the annotations anchored to it, move a little
  // between the two).
  mentor.signal(SIGINT);
  ASSERT_EQ(mentor.wait(milliseconds{10000}).value_or(-1), 0);
  QTest::qWait(500);
  const cv::Mat screen = grab_screen();
  ASSERT_EQ(sender.stop(), 0) << sender.log();
  const auto box = picture_on(screen);
  ASSERT_TRUE(box) << "no picture on the screen";
  EXPECT_NEAR(static_cast<double>(box->width) / box->height, 16.0 / 9.0, 0.02) << "the picture is stretched";
  const cv::Mat saved = cv::imread(or_png.string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(saved.empty()) << "no OR display screenshot at " << or_png;
  cv::Mat shown;
  cv::resize(screen(*box), shown, saved.size(), 0, 0, cv::INTER_AREA);
  const cv::Mat on_window = annotation_colour_mask(shown);
  const int window_pixels = cv::countNonZero(on_window);
  EXPECT_GT(window_pixels, 1000) << "no annotation colours in the OR window";
  const Overlap overlap = best_overlap(on_window, annotation_colour_mask(saved));
  EXPECT_GT(overlap.share, 0.8)
      << "the OR window's annotations are not where --or-screenshot has them: at best " << overlap.share * 100
      << " % within 7 px, shifted by " << overlap.shift;

  const json report = json::parse(read_text(dir / "sender.json"), nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << sender.log();
  EXPECT_EQ(report["or_monitor"]["window"], true) << report["or_monitor"].dump();
  EXPECT_GT(report["or_monitor"]["pictures_shown"].get<int>(), 30) << report["or_monitor"].dump();
  std::printf("sender's own figures: %s\n", report["or_monitor"].dump().c_str());
}

// How many annotation-coloured pixels the OR window shows now (0 when no picture is on the screen).
int annotation_pixels_on_screen() {
  const cv::Mat screen = grab_screen();
  const auto box = picture_on(screen);
  if (!box) return 0;
  // Above the touch panel and the status strip, whose boxes are coloured too (a mentor's latency in green).
  const cv::Rect field(box->x, box->y, box->width, box->height * 3 / 4);
  return cv::countNonZero(annotation_colour_mask(screen(field)));
}

// Grabs the screen every 100 ms until `done(annotation pixels)` holds or `timeout` passes.
template <typename Done>
bool screen_until(Done done, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done(annotation_pixels_on_screen())) return true;
    QTest::qWait(100);
  }
  return false;
}

// Where the OR window's touch panel puts `button` on the picture (the same layout the sender uses).
cv::Rect button_area(sender::OrTouchPanel::Button button) {
  core::SimulatedClock clock;
  const sender::OrTouchPanel layout(kWidth, kHeight, clock, sender::OrStatusStrip::height_for(kHeight));
  return layout.area(button);
}

bool touch_button(sender::OrTouchPanel::Button button) {
  const cv::Rect r = button_area(button);
  return touch_picture(kOrWindow, kWidth, kHeight, r.x + r.width / 2, r.y + r.height / 2);
}

TEST(OrWindow, TouchingHideTakesTheAnnotationsOffTheSurgeonsPictureAndTheMentorIsTold) {
  const auto dir = scratch_dir("or_window_touch");
  RunningSender sender(write_sender_config(dir), dir / "sender.log", {"--or-window"});
  auto mentor_process = start_scripted_mentor(dir, sender);
  tools::ChildProcess& mentor = *mentor_process;
  const json drawing =
      wait_for_status(mentor, 20, [](const json& s) { return s.value("annotations", 0) >= 4; });
  ASSERT_GE(drawing.value("annotations", 0), 4) << drawing.dump();
  ASSERT_TRUE(screen_until([](int pixels) { return pixels > 1000; }, milliseconds{5000}))
      << "the mentor's annotations never showed in the OR window";

  ASSERT_TRUE(touch_button(sender::OrTouchPanel::Button::kHide)) << "no OR window to touch";
  EXPECT_TRUE(screen_until([](int pixels) { return pixels < 100; }, milliseconds{3000}))
      << "the annotations stayed on the OR window after touching hide";
  const json told =
      wait_for_status(mentor, 5, [](const json& s) { return s.value("or_annotations_hidden", false); });
  EXPECT_TRUE(told.value("or_annotations_hidden", false))
      << "the mentor's console was not told: " << told.dump();

  // The same button now shows them again.
  ASSERT_TRUE(touch_button(sender::OrTouchPanel::Button::kHide));
  EXPECT_TRUE(screen_until([](int pixels) { return pixels > 1000; }, milliseconds{3000}))
      << "the annotations did not come back after touching show";
  ASSERT_EQ(sender.stop(), 0) << sender.log();
  EXPECT_NE(sender.log().find("OR window touch: hide"), std::string::npos) << sender.log();
}

// Full screen on its monitor by default, F11 toggles; the status strip says who is here and 'i' hides it.
TEST(OrWindow, OpensFullScreenF11TogglesAndTheStatusStripHidesOnAKey) {
  const auto dir = scratch_dir("or_window_screen");
  RunningSender sender(write_sender_config(dir), dir / "sender.log", {"--or-window"});
  auto mentor_process = start_scripted_mentor(dir, sender);
  const json joined =
      wait_for_status(*mentor_process, 20, [](const json& s) { return s.value("fps", 0.0) > 10; });
  ASSERT_GT(joined.value("fps", 0.0), 10) << joined.dump();
  const auto screen = QGuiApplication::primaryScreen()->geometry();
  const auto full = window_geometry(kOrWindow);
  ASSERT_TRUE(full) << "no window called " << kOrWindow << "\n" << sender.log();
  EXPECT_EQ((*full)[2], screen.width());
  EXPECT_EQ((*full)[3], screen.height()) << "not full screen";

  // The strip: the bottom twentieth of the picture, dark with light letters while shown.
  const auto strip_rows = [] {
    const cv::Mat grabbed = grab_screen();
    const auto box = picture_on(grabbed);
    if (!box) return cv::Mat();
    cv::Mat grey;
    cv::cvtColor(grabbed(*box), grey, cv::COLOR_BGR2GRAY);
    const int h = grey.rows * sender::OrStatusStrip::height_for(kHeight) / kHeight;
    return cv::Mat(grey(cv::Rect(0, grey.rows - h, grey.cols, h)));
  };
  const auto dark_share = [](const cv::Mat& rows) {
    cv::Mat dark;
    cv::threshold(rows, dark, 40, 255, cv::THRESH_BINARY_INV);
    return rows.empty() ? 0.0
                        : static_cast<double>(cv::countNonZero(dark)) / static_cast<double>(rows.total());
  };
  const double shown = dark_share(strip_rows());
  double max_letter = 0;
  cv::minMaxLoc(strip_rows(), nullptr, &max_letter);
  // Between and around its segments' boxes the strip is dark; the scene there is not.
  EXPECT_GT(shown, 0.25) << "no dark status strip along the bottom";
  EXPECT_GT(max_letter, 180) << "the strip has no light letters";
  ASSERT_TRUE(press_key(kOrWindow, "i"));
  const auto hidden_by = std::chrono::steady_clock::now() + std::chrono::seconds{3};
  double hidden = shown;
  while (std::chrono::steady_clock::now() < hidden_by && hidden > shown / 3) {
    QTest::qWait(100);
    hidden = dark_share(strip_rows());
  }
  EXPECT_LT(hidden, shown / 3) << "'i' did not hide the strip (dark share " << shown << " -> " << hidden
                               << ")";

  ASSERT_TRUE(press_key(kOrWindow, "F11"));
  const auto windowed_by = std::chrono::steady_clock::now() + std::chrono::seconds{3};
  auto windowed = window_geometry(kOrWindow);
  while (std::chrono::steady_clock::now() < windowed_by && windowed && (*windowed)[2] == screen.width()) {
    QTest::qWait(100);
    windowed = window_geometry(kOrWindow);
  }
  ASSERT_TRUE(windowed);
  EXPECT_EQ((*windowed)[2], screen.width() / 2) << "F11 did not leave full screen";
  ASSERT_EQ(sender.stop(), 0) << sender.log();
  EXPECT_NE(sender.log().find("status strip hidden"), std::string::npos) << sender.log();
}

// The privacy pause from the OR window: the mentor's picture stops at once and the console says why; one
// touch does not resume, the second does, and the picture comes back.
TEST(OrWindow, APrivacyPauseStopsTheMentorsPictureAndResumingTakesASecondTouch) {
  const auto dir = scratch_dir("or_window_pause");
  RunningSender sender(write_sender_config(dir), dir / "sender.log", {"--or-window"});
  auto mentor_process = start_scripted_mentor(dir, sender);
  tools::ChildProcess& mentor = *mentor_process;
  const json live = wait_for_status(mentor, 20, [](const json& s) { return s.value("fps", 0.0) > 10; });
  ASSERT_GT(live.value("fps", 0.0), 10) << live.dump();
  const auto touched = std::chrono::steady_clock::now();
  ASSERT_TRUE(touch_button(sender::OrTouchPanel::Button::kPause));
  // The button shows its new state (RESUME VIDEO, amber) on the surgeon's screen: grabbed until it does.
  const auto pause_is_amber = [] {
    const cv::Mat grabbed = grab_screen();
    const auto box = picture_on(grabbed);
    if (!box) return false;
    const cv::Rect r = button_area(sender::OrTouchPanel::Button::kPause);
    const double sx = static_cast<double>(box->width) / kWidth,
                 sy = static_cast<double>(box->height) / kHeight;
    const cv::Rect on_screen(box->x + static_cast<int>(r.x * sx) + 4, box->y + static_cast<int>(r.y * sy) + 4,
                             8, 8);
    const cv::Scalar bgr = cv::mean(grabbed(on_screen));
    return bgr[2] > 150 && bgr[1] > 100 && bgr[0] < 80;  // amber: red and green high, blue low
  };
  bool amber = false;
  while (!amber && std::chrono::steady_clock::now() - touched < std::chrono::seconds{3})
    amber = pause_is_amber();
  EXPECT_TRUE(amber) << "the pause button did not turn amber on the OR window";
  std::printf(
      "touch -> the OR window shows the paused button: %.0f ms (screen grabs under Xvfb, ~20 ms each)\n",
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - touched).count());
  const json paused =
      wait_for_status(mentor, 5, [](const json& s) { return s.value("or_privacy_paused", false); });
  ASSERT_TRUE(paused.value("or_privacy_paused", false)) << "the console was not told: " << paused.dump();
  std::printf("touch -> console's status line says paused: %.0f ms (status lines come once a second)\n",
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - touched).count());
  const auto frames = [](const json& s) { return s.value("frames_decoded", 0); };
  const json later =
      wait_for_status(mentor, 3, [&](const json& s) { return frames(s) > frames(paused) + 2; });
  EXPECT_LE(frames(later), frames(paused) + 2) << "the mentor's picture went on during the pause";
  EXPECT_FALSE(later.value("link_lost", false)) << "a pause is not a lost link";

  ASSERT_TRUE(touch_button(sender::OrTouchPanel::Button::kPause));
  const json still =
      wait_for_status(mentor, 2, [](const json& s) { return !s.value("or_privacy_paused", true); });
  EXPECT_TRUE(still.value("or_privacy_paused", false)) << "one touch resumed the video";
  ASSERT_TRUE(touch_button(sender::OrTouchPanel::Button::kPause));
  const json resumed = wait_for_status(mentor, 5, [&](const json& s) {
    return !s.value("or_privacy_paused", true) && frames(s) > frames(later) + 30;
  });
  EXPECT_GT(frames(resumed), frames(later) + 30) << "the picture did not come back: " << resumed.dump();
  ASSERT_EQ(sender.stop(), 0) << sender.log();
  EXPECT_NE(sender.log().find("privacy_paused by=touch"), std::string::npos) << sender.log();
  EXPECT_NE(sender.log().find("privacy_resumed by=touch"), std::string::npos) << sender.log();
}

}  // namespace
}  // namespace surgilink::testing

int main(int argc, char** argv) {
  surgilink::testing::watch_for_hang_from_environment();
  QGuiApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
