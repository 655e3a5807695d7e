// The mentor's annotations on the OR display, in process: the sender's canonical scene, anchored and
// composited into the display branch's pictures by the real pipeline (DESIGN.md §5, §8).
#include <atomic>
#include <cstring>
#include <mutex>
#include <vector>

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

// The synthetic scene (it pans and zooms slowly) at 720p30, without the pixel code.
media::SenderPipelineSettings synthetic_720p30() {
  media::SenderPipelineSettings settings;
  settings.profile = media::video_profile("720p30");
  settings.source = media::parse_video_source("synthetic");
  settings.pixel_code = false;
  return settings;
}

// A thick green stroke across the middle ("m1-1"), drawn on the picture captured at `reference`.
annotation::Annotation green_stroke(core::CaptureTime reference) {
  annotation::Annotation draft;
  draft.id = "m1-1";
  draft.author = "m1";
  draft.points = {{0.3F, 0.5F}, {0.5F, 0.52F}, {0.7F, 0.5F}};
  draft.colour_rgba = 0x00FF00FF;
  draft.width = 0.02F;
  draft.reference_capture = reference;
  return draft;
}

TEST(OrDisplayAnnotations, AMentorStrokeIsCompositedOntoTheOrDisplay) {
  core::CaptureClock clock;
  QuietNetwork network;
  const media::SenderPipelineSettings settings = synthetic_720p30();
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
  const annotation::Annotation draft = green_stroke(display.latest()->capture_time());
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

// The placements the OR display hands over for the recording (issue 16): nothing while none is wanted; once
// wanted, the stroke's first placement at once and then its moves with the panning scene, at most one record
// every 100 ms, each at the capture time of a frame the display composited.
TEST(OrDisplayAnnotations, PlacementsAreHandedOverOnlyWhileWantedAndRateBounded) {
  core::CaptureClock clock;
  QuietNetwork network;
  const media::SenderPipelineSettings settings = synthetic_720p30();
  media::SenderPipeline pipeline(settings, clock, network);
  annotation::SceneAuthority authority;
  auto overlay = std::make_shared<OrAnnotationOverlay>(settings.profile.width, settings.profile.height,
                                                       [&authority] { return authority.snapshot(); });
  // Stands for the post to the network thread: the test thread reads what was handed over.
  std::mutex handed_mutex;
  std::vector<annotation::PlacedFrame> handed;
  overlay->set_placement_listener([&](annotation::PlacedFrame placed) {
    std::lock_guard lock(handed_mutex);
    handed.push_back(std::move(placed));
  });
  pipeline.set_or_display_overlay(overlay);
  pipeline.start();
  const auto& display = pipeline.or_display();
  std::uint64_t seen = display.wait_newer_than(0, milliseconds{5000});
  seen = display.wait_newer_than(seen, milliseconds{2000});
  ASSERT_NE(display.latest(), nullptr);
  const annotation::Annotation draft = green_stroke(display.latest()->capture_time());
  const annotation::Author mentor{"m1", true, false};
  ASSERT_TRUE(authority.apply(mentor, annotation::Begin{draft}, clock.now()));
  ASSERT_TRUE(authority.apply(mentor, annotation::Commit{"m1-1"}, clock.now()));
  for (int i = 0; i < 15; ++i) seen = display.wait_newer_than(seen, milliseconds{2000});
  {
    std::lock_guard lock(handed_mutex);
    EXPECT_TRUE(handed.empty()) << "placements handed over while no recording wanted them";
  }
  overlay->want_placements(true);
  for (int i = 0; i < 60; ++i) seen = display.wait_newer_than(seen, milliseconds{2000});  // 2 s
  overlay->want_placements(false);
  seen = display.wait_newer_than(seen, milliseconds{2000});
  std::vector<annotation::PlacedFrame> got;
  {
    std::lock_guard lock(handed_mutex);
    got = handed;
  }
  ASSERT_GE(got.size(), 2u) << "the first placement and the moves of the panning scene";
  EXPECT_LE(got.size(), 22u) << "at most one record every 100 ms over about 2 s";
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].frame, cv::Size(1280, 720));
    ASSERT_EQ(got[i].placements.size(), 1u);
    EXPECT_EQ(got[i].placements.front().first, "m1-1");
    if (i > 0) {
      EXPECT_GE(got[i].capture - got[i - 1].capture, milliseconds{100});
    }
  }
  // The scene pans: the last placement put the stroke somewhere else than the first did.
  const auto at = annotation::to_pixels(draft.points[1], cv::Size(1280, 720));
  const auto first = annotation::map_point(got.front().placements.front().second.homography, at);
  const auto last = annotation::map_point(got.back().placements.front().second.homography, at);
  EXPECT_GT(cv::norm(last - first), 0.5);
  // Off: nothing more.
  for (int i = 0; i < 10; ++i) seen = display.wait_newer_than(seen, milliseconds{2000});
  {
    std::lock_guard lock(handed_mutex);
    EXPECT_EQ(handed.size(), got.size());
  }
  pipeline.stop();
}

}  // namespace
}  // namespace surgilink::sender
