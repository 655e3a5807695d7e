// The OR display's telestration figures: bounded however long the case, and still a sample of all of it.
#include <gtest/gtest.h>

#include <algorithm>

#include "surgilink/media/synthetic_scene.hpp"
#include "telestration_measurements.hpp"

namespace surgilink::sender {
namespace {

using std::chrono::milliseconds;

constexpr std::size_t kKept = 100;
constexpr int kPointsPerFrame = 8;  // the measurements take 8 points of an annotation per frame

// Feeds `frames` frames, 33 ms apart, each showing one stroke drawn on the first frame, to `m`.
void composite_frames(TelestrationMeasurements& m, media::SyntheticTruth& truth, core::CaptureTime start,
                      int frames) {
  auto stroke = std::make_shared<annotation::Annotation>();
  stroke->id = "m1-1";
  stroke->kind = annotation::AnnotationKind::kStroke;
  for (int i = 0; i < kPointsPerFrame; ++i) stroke->points.push_back({0.2F + 0.05F * i, 0.5F});
  stroke->reference_capture = start;
  annotation::Scene scene;
  scene.version = 1;
  scene.annotations.push_back(stroke);
  for (int f = 0; f < frames; ++f) {
    const auto captured = start + milliseconds{33} * f;
    truth.note(captured, milliseconds{33} * f);
    m.on_composited(scene, {}, captured, {}, {});
  }
}

TEST(TelestrationMeasurements, AnchoringErrorsAreABoundedSampleOfTheWholeCase) {
  core::SimulatedClock clock;
  const cv::Size size(320, 180);
  const auto synthetic = std::make_shared<const media::SyntheticScene>(size.width, size.height, 7);
  // 60 s of frames, each offering 8 points: far more than are kept.
  auto truth = std::make_shared<media::SyntheticTruth>(synthetic, 4096);
  TelestrationMeasurements whole(clock, truth, size, kKept);
  composite_frames(whole, *truth, clock.now(), 1800);
  // The same stroke over only as many frames as fill the reservoir: what a "keep the first N" policy keeps.
  auto early_truth = std::make_shared<media::SyntheticTruth>(synthetic, 4096);
  TelestrationMeasurements early(clock, early_truth, size, kKept);
  composite_frames(early, *early_truth, clock.now(), kKept / kPointsPerFrame + 1);

  const auto f = whole.figures();
  EXPECT_EQ(f.annotation_frames, 1800u);
  ASSERT_EQ(f.anchored_px.size(), kKept);
  ASSERT_EQ(f.unanchored_px.size(), kKept);
  // No placement: the stroke stays where it was drawn, so each kept pair is one point on one frame.
  for (std::size_t i = 0; i < kKept; ++i) EXPECT_EQ(f.anchored_px[i], f.unanchored_px[i]) << i;
  // The camera pans on: errors from later in the case are in the sample, beyond all of its first moments'.
  const auto e = early.figures();
  ASSERT_FALSE(e.unanchored_px.empty());
  EXPECT_GT(*std::max_element(f.unanchored_px.begin(), f.unanchored_px.end()),
            *std::max_element(e.unanchored_px.begin(), e.unanchored_px.end()) + 5.0);
}

}  // namespace
}  // namespace surgilink::sender
