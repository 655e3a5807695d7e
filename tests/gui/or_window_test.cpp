// The OR window on the surgeon's monitor (issue 13), under Xvfb: a real sender with --or-window and a
// scripted mentor; grabs of the screen show the mentor's annotations where --or-screenshot has them, and the
// pixel code read back from the grabs gives capture → on the OR screen.
#include <gtest/gtest.h>

#include <QGuiApplication>
#include <QImage>
#include <QScreen>
#include <QTest>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "process/child_process.hpp"
#include "support/annotation_colours.hpp"
#include "support/console_status.hpp"
#include "support/running_sender.hpp"
#include "support/test_installation.hpp"
#include "surgilink/core/latency_statistics.hpp"
#include "ui/window_pixel_code.hpp"

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

TEST(OrWindow, ShowsTheMentorsAnnotationsWhereTheOrScreenshotHasThem) {
  const auto dir = scratch_dir("or_window");
  const auto or_png = dir / "or.png";
  RunningSender sender(
      write_sender_config(dir), dir / "sender.log",
      {"--or-window", "--or-screenshot", or_png.string(), "--report-json", (dir / "sender.json").string()});
  std::filesystem::create_directories(dir / "mentor");
  tools::ChildProcess mentor({console_program().string(), "--config",
                              write_console_config(dir / "mentor", sender.control_port(), "mentor").string(),
                              "--headless", "--status-json", "--seconds", "60", "--scripted-mentor", "4"},
                             (dir / "mentor.err").string());
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
  cv::Mat in_screenshot;
  cv::dilate(annotation_colour_mask(saved), in_screenshot,
             cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(31, 31)));
  const int window_pixels = cv::countNonZero(on_window);
  const int matched = cv::countNonZero(on_window & in_screenshot);
  EXPECT_GT(window_pixels, 1000) << "no annotation colours in the OR window";
  EXPECT_GT(matched, window_pixels * 8 / 10)
      << "the OR window's annotations are not where --or-screenshot has them (" << matched << " of "
      << window_pixels << " pixels within 15 px)";

  const json report = json::parse(read_text(dir / "sender.json"), nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << sender.log();
  EXPECT_EQ(report["or_monitor"]["window"], true) << report["or_monitor"].dump();
  EXPECT_GT(report["or_monitor"]["pictures_shown"].get<int>(), 30) << report["or_monitor"].dump();
  std::printf("sender's own figures: %s\n", report["or_monitor"].dump().c_str());
}

}  // namespace
}  // namespace surgilink::testing

int main(int argc, char** argv) {
  QGuiApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
