// Real sources shown true on both screens: a 4:3 picture is pillarboxed, a PAL picture with non-square
// pixels is shown at its display aspect ratio, an interlaced picture is deinterlaced before the tee. The
// clips are made at test time by ffmpeg's lavfi sources (a grey field with a white square), the OR display is
// read from --or-screenshot, and the console from its window rendered offscreen.
#include <csignal>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "support/running_sender.hpp"
#include "support/test_installation.hpp"

namespace surgilink::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

// A clip: ffmpeg's lavfi filter graph, and what it shows.
struct Clip {
  std::string name;
  std::string graph;                 // a grey (128) field with one white square in display geometry
  std::vector<std::string> encoder;  // extra output options
  double picture_aspect;             // display aspect ratio of the whole picture
  double square_share;               // the square's height / the picture's height
};

std::filesystem::path make_clip(const std::filesystem::path& dir, const Clip& clip) {
  const auto path = dir / (clip.name + ".mkv");
  std::vector<std::string> argv = {"/usr/bin/ffmpeg", "-v",   "error",   "-y",       "-f",     "lavfi", "-i",
                                   clip.graph,        "-c:v", "libx264", "-pix_fmt", "yuv420p"};
  argv.insert(argv.end(), clip.encoder.begin(), clip.encoder.end());
  argv.push_back(path.string());
  const auto made = run_program(argv, dir, "ffmpeg-" + clip.name, milliseconds{60000});
  EXPECT_EQ(made.exit_code, 0) << made.err;
  return path;
}

// The bounding box of the largest connected area of `mask`.
cv::Rect largest_area(const cv::Mat& mask) {
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8);
  int best = 0;
  for (int i = 1; i < n; ++i) {
    if (best == 0 || stats.at<int>(i, cv::CC_STAT_AREA) > stats.at<int>(best, cv::CC_STAT_AREA)) best = i;
  }
  if (best == 0) return {};
  return {stats.at<int>(best, cv::CC_STAT_LEFT), stats.at<int>(best, cv::CC_STAT_TOP),
          stats.at<int>(best, cv::CC_STAT_WIDTH), stats.at<int>(best, cv::CC_STAT_HEIGHT)};
}

struct Geometry {
  cv::Size frame;    // the whole image
  cv::Rect picture;  // the grey field with its square
  cv::Rect square;
  double comb = 0;  // mean luma step between neighbouring rows inside the square (an interlaced weave)
};

Geometry measure(const std::filesystem::path& png) {
  const cv::Mat grey = cv::imread(png.string(), cv::IMREAD_GRAYSCALE);
  EXPECT_FALSE(grey.empty()) << png;
  if (grey.empty()) return {};
  cv::Mat field, white;
  cv::inRange(grey, cv::Scalar(95), cv::Scalar(255), field);   // grey or white: the picture, not its borders
  cv::inRange(grey, cv::Scalar(165), cv::Scalar(255), white);  // the square
  Geometry g{grey.size(), largest_area(field), largest_area(white), 0};
  if (g.square.area() > 0) {
    cv::Mat inside;
    grey(g.square).convertTo(inside, CV_32F);
    cv::Mat steps;
    cv::absdiff(inside.rowRange(1, inside.rows), inside.rowRange(0, inside.rows - 1), steps);
    g.comb = cv::mean(steps)[0];
  }
  return g;
}

double aspect(const cv::Rect& r) { return r.height > 0 ? static_cast<double>(r.width) / r.height : 0; }

void expect_shown_true(const Geometry& g, const Clip& clip, double tolerance, const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_NEAR(aspect(g.picture), clip.picture_aspect, clip.picture_aspect * tolerance)
      << "picture " << g.picture.width << "x" << g.picture.height;
  EXPECT_NEAR(aspect(g.square), 1.0, tolerance) << "square " << g.square.width << "x" << g.square.height;
  EXPECT_NEAR(static_cast<double>(g.square.height) / std::max(1, g.picture.height), clip.square_share,
              clip.square_share * tolerance);
  EXPECT_LT(g.comb, 12.0) << "rows alternate inside the square: two fields woven into one picture";
}

// Streams `clip` to a console window and returns both screens' geometry, with the sender's log.
void check_clip(const Clip& clip) {
  const auto dir = scratch_dir("geometry-" + clip.name);
  const auto file = make_clip(dir, clip);
  const auto or_png = dir / "or.png", console_png = dir / "console.png";
  std::string sender_log;
  {
    RunningSender sender(write_sender_config(dir), dir / "sender.log",
                         {"--source", "file:" + file.string(), "--or-screenshot", or_png.string()});
    const auto console = run_program(
        {console_program().string(), "--config", write_console_config(dir, sender.control_port()).string(),
         "--host", "127.0.0.1", "--control-port", std::to_string(sender.control_port()), "--seconds", "4",
         "--screenshot", console_png.string()},
        dir, "console", milliseconds{40000}, {"QT_QPA_PLATFORM=offscreen"});
    ASSERT_EQ(console.exit_code, 0) << console.err;
    EXPECT_EQ(sender.stop(), 0);
    sender_log = sender.log();
  }
  const Geometry on_or = measure(or_png);
  // The OR display is the profile's frame itself: the picture fills its height, centred between borders.
  EXPECT_EQ(on_or.picture.height, on_or.frame.height);
  EXPECT_NEAR(on_or.picture.x, (on_or.frame.width - on_or.picture.width) / 2, 2) << "borders of equal width";
  expect_shown_true(on_or, clip, 0.02, "OR display (--or-screenshot)");
  expect_shown_true(measure(console_png), clip, 0.04, "console window");
  EXPECT_THAT(sender_log, HasSubstr("video source: "));
}

TEST(SourceGeometry, FourThreeSquarePixelsArePillarboxedNotStretched) {
  // An SD endoscopy tower's 640x480: the square is 200x200.
  check_clip({"square-4x3",
              "color=c=0x808080:s=640x480:r=25:d=2,drawbox=x=220:y=140:w=200:h=200:color=white:t=fill",
              {},
              4.0 / 3.0,
              200.0 / 480.0});
}

TEST(SourceGeometry, PalNonSquarePixelsAreShownAtTheirDisplayAspectRatio) {
  // 720x576 with PAL's 16:15 pixels (4:3): a square on screen is 180 stored pixels wide and 192 high.
  check_clip({"pal-720x576",
              "color=c=0x808080:s=720x576:r=25:d=2,drawbox=x=270:y=192:w=180:h=192:color=white:t=fill,"
              "setsar=16/15",
              {},
              4.0 / 3.0,
              192.0 / 576.0});
}

TEST(SourceGeometry, InterlacedSourceIsDeinterlacedBeforeTheTee) {
  // 1080i, top field first, from 50 progressive pictures a second (ffmpeg's interlace filter takes each
  // field from another picture): inside the square the top field is white and the bottom field light grey, as
  // a fast motion between fields would make them. Woven, its rows alternate;
  // deinterlaced, each picture comes from one field and the square is even.
  check_clip({"interlaced-1080i",
              "color=c=0x808080:s=1920x1080:r=50:d=2,drawbox=x=760:y=340:w=400:h=400:color=white:t=fill,"
              "drawbox=x=760:y=340:w=400:h=400:color=0xb4b4b4:t=fill:enable='mod(n,2)',interlace=scan=tff",
              {"-flags", "+ilme+ildct", "-top", "1", "-field_order", "tt"},
              16.0 / 9.0,
              400.0 / 1080.0});
}

}  // namespace
}  // namespace surgilink::testing
