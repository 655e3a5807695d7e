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

#include "or_touch_panel.hpp"
#include "process/child_process.hpp"
#include "support/annotation_colours.hpp"
#include "support/console_status.hpp"
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
  return box ? cv::countNonZero(annotation_colour_mask(screen(*box))) : 0;
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

  // The window is the picture's size (no window manager): its pixels are the picture's.
  core::SimulatedClock clock;
  const sender::OrTouchPanel layout(kWidth, kHeight, clock);
  const cv::Rect hide = layout.area(sender::OrTouchPanel::Button::kHide);
  ASSERT_TRUE(touch_window_of_size(kWidth, kHeight, hide.x + hide.width / 2, hide.y + hide.height / 2))
      << "no OR window to touch";
  EXPECT_TRUE(screen_until([](int pixels) { return pixels < 100; }, milliseconds{3000}))
      << "the annotations stayed on the OR window after touching hide";
  const json told =
      wait_for_status(mentor, 5, [](const json& s) { return s.value("or_annotations_hidden", false); });
  EXPECT_TRUE(told.value("or_annotations_hidden", false))
      << "the mentor's console was not told: " << told.dump();

  // The same button now shows them again.
  ASSERT_TRUE(touch_window_of_size(kWidth, kHeight, hide.x + hide.width / 2, hide.y + hide.height / 2));
  EXPECT_TRUE(screen_until([](int pixels) { return pixels > 1000; }, milliseconds{3000}))
      << "the annotations did not come back after touching show";
  ASSERT_EQ(sender.stop(), 0) << sender.log();
  EXPECT_NE(sender.log().find("OR window touch: hide"), std::string::npos) << sender.log();
}

}  // namespace
}  // namespace surgilink::testing

int main(int argc, char** argv) {
  QGuiApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
