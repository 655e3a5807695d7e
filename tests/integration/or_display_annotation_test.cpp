// The mentor's annotations on the OR display, in process: the sender's canonical scene, anchored and
// composited into the display branch's pictures by the real pipeline (DESIGN.md §5, §8).
#include <atomic>
#include <cstring>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "or_annotation_overlay.hpp"
#include "surgilink/annotation/scene_authority.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::sender {
namespace {

using std::chrono::milliseconds;

class QuietNetwork : public media::SenderPipelineListener {
 public:
  void on_encoded_packets(media::EncodedPackets) override {}
  void on_pipeline_problem(std::string text, bool fatal) override {
    if (fatal) ADD_FAILURE() << "pipeline error: " << text;
  }
};

// Pixels of pure, saturated green: the synthetic tissue has none, a green stroke has many.
int green_pixels(const media::VideoFrame& frame) {
  cv::Mat i420(frame.height() * 3 / 2, frame.width(), CV_8UC1);
  for (int y = 0; y < frame.height(); ++y)
    std::memcpy(i420.ptr(y), frame.plane(0) + y * frame.stride(0), static_cast<std::size_t>(frame.width()));
  const int cw = frame.width() / 2, ch = frame.height() / 2;
  auto* u = i420.ptr(frame.height());
  auto* v = u + static_cast<std::ptrdiff_t>(cw) * ch;
  for (int y = 0; y < ch; ++y) {
    std::memcpy(u + y * cw, frame.plane(1) + y * frame.stride(1), static_cast<std::size_t>(cw));
    std::memcpy(v + y * cw, frame.plane(2) + y * frame.stride(2), static_cast<std::size_t>(cw));
  }
  cv::Mat bgr;
  cv::cvtColor(i420, bgr, cv::COLOR_YUV2BGR_I420);
  cv::Mat green;
  cv::inRange(bgr, cv::Scalar(0, 170, 0), cv::Scalar(110, 255, 110), green);
  return cv::countNonZero(green);
}

TEST(OrDisplayAnnotations, AMentorStrokeIsCompositedOntoTheOrDisplay) {
  core::CaptureClock clock;
  QuietNetwork network;
  media::SenderPipelineSettings settings;
  settings.profile = media::video_profile("720p30");
  settings.source = media::parse_video_source("synthetic");
  settings.pixel_code = false;
  media::SenderPipeline pipeline(settings, clock, network);
  annotation::SceneAuthority authority;
  pipeline.set_or_display_overlay(std::make_shared<OrAnnotationOverlay>(
      settings.profile.width, settings.profile.height, [&authority] { return authority.snapshot(); }));
  pipeline.start();
  const auto& display = pipeline.or_display();
  std::uint64_t seen = display.wait_newer_than(0, milliseconds{5000});
  seen = display.wait_newer_than(seen, milliseconds{2000});
  ASSERT_NE(display.latest(), nullptr);
  EXPECT_LT(green_pixels(*display.latest()), 50) << "the scene itself has green in it";

  // The mentor draws a thick green stroke across the middle, on the picture shown a moment ago.
  annotation::Annotation draft;
  draft.id = "m1-1";
  draft.author = "m1";
  draft.points = {{0.3F, 0.5F}, {0.5F, 0.52F}, {0.7F, 0.5F}};
  draft.colour_rgba = 0x00FF00FF;
  draft.width = 0.02F;
  draft.reference_capture = display.latest()->capture_time();
  const annotation::Author mentor{"m1", true, false};
  ASSERT_TRUE(authority.apply(mentor, annotation::Begin{draft}, clock.now()));
  ASSERT_TRUE(authority.apply(mentor, annotation::Commit{"m1-1"}, clock.now()));
  seen = display.wait_newer_than(seen, milliseconds{2000});
  seen = display.wait_newer_than(seen, milliseconds{2000});
  const int with_stroke = green_pixels(*display.latest());
  // 40 % of 1280 px long, 14 px wide (less where the outline is): thousands of green pixels.
  EXPECT_GT(with_stroke, 5000) << "the stroke did not reach the OR display";

  // Undo: the OR display is clean again.
  ASSERT_TRUE(authority.apply(mentor, annotation::Undo{}, clock.now()));
  seen = display.wait_newer_than(seen, milliseconds{2000});
  seen = display.wait_newer_than(seen, milliseconds{2000});
  EXPECT_LT(green_pixels(*display.latest()), 50);
  pipeline.stop();
}

}  // namespace
}  // namespace surgilink::sender
