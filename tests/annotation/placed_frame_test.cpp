// The OR display's placements as the recording keeps them (issue 16): the wire form against its golden bytes,
// bad bytes refused with a reason, scaling to another picture size, and which placements are worth recording.
#include "surgilink/annotation/placed_frame.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "golden_bytes.hpp"
#include "test_scenes.hpp"

namespace surgilink::annotation {
namespace {

using core::Fault;
using std::chrono::milliseconds;
using testing::kStart;

const cv::Size kFrame{1280, 720};

Placement moved(double dx, double dy, float opacity = 1.0F, bool uncertain = false, double confidence = 1.0) {
  Placement p;
  p.homography = cv::Matx33d(1, 0, dx, 0, 1, dy, 0, 0, 1);
  p.opacity = opacity;
  p.position_uncertain = uncertain;
  p.confidence = confidence;
  return p;
}

// The frame in placed_frame_v1.hex.
PlacedFrame golden_frame() {
  return PlacedFrame{kStart, kFrame, {{"m1-3", moved(12.5, -3.25, 0.5F, true, 0.25)}, {"m1-4", moved(0, 0)}}};
}

Scene scene_of(const std::vector<std::string>& ids) {
  Scene scene;
  for (const auto& id : ids)
    scene.annotations.push_back(
        std::make_shared<const Annotation>(testing::stroke(id, {{0.2F, 0.2F}, {0.4F, 0.3F}})));
  return scene;
}

void expect_same(const Placement& a, const Placement& b) {
  for (int i = 0; i < 9; ++i)
    EXPECT_FLOAT_EQ(static_cast<float>(a.homography.val[i]), static_cast<float>(b.homography.val[i]));
  EXPECT_FLOAT_EQ(a.opacity, b.opacity);
  EXPECT_FLOAT_EQ(static_cast<float>(a.confidence), static_cast<float>(b.confidence));
  EXPECT_EQ(a.position_uncertain, b.position_uncertain);
}

TEST(PlacedFrame, EncodesToTheGoldenBytesAndBack) {
  const auto golden =
      surgilink::testing::read_hex_file(std::string(SURGILINK_TEST_DATA) + "/annotation/placed_frame_v1.hex");
  ASSERT_EQ(golden.size(), 107u);
  EXPECT_EQ(encode_placed_frame(golden_frame()), golden);
  const auto decoded = decode_placed_frame(golden, kStart);
  ASSERT_TRUE(decoded) << decoded.error().reason;
  EXPECT_EQ(decoded.value().capture, kStart);
  EXPECT_EQ(decoded.value().frame, kFrame);
  ASSERT_EQ(decoded.value().placements.size(), 2u);
  EXPECT_EQ(decoded.value().placements[0].first, "m1-3");
  expect_same(decoded.value().placements[0].second, golden_frame().placements[0].second);
  expect_same(decoded.value().placements[1].second, golden_frame().placements[1].second);
}

TEST(PlacedFrame, BadBytesAreRefusedWithAReason) {
  const auto golden = encode_placed_frame(golden_frame());
  auto refusal = [](std::vector<std::uint8_t> bytes) {
    const auto r = decode_placed_frame(bytes, kStart);
    EXPECT_FALSE(r);
    return r ? Fault::kInternal : r.error().fault;
  };
  EXPECT_EQ(refusal({}), Fault::kTruncated);
  auto other_version = golden;
  other_version[0] = 2;
  EXPECT_EQ(refusal(other_version), Fault::kUnsupportedVersion);
  EXPECT_EQ(refusal(std::vector<std::uint8_t>(golden.begin(), golden.end() - 3)), Fault::kTruncated);
  auto trailing = golden;
  trailing.push_back(0);
  EXPECT_EQ(refusal(trailing), Fault::kMalformed);
  auto no_width = golden;
  no_width[1] = no_width[2] = 0;
  EXPECT_EQ(refusal(no_width), Fault::kMalformed);
  auto too_many = golden;
  too_many[5] = 0xFF;
  EXPECT_EQ(refusal(too_many), Fault::kTooLarge);
  // Opacity 2.0 (0x40000000) for the first annotation.
  auto opaque = golden;
  opaque[7 + 6] = 0x40;
  EXPECT_EQ(refusal(opaque), Fault::kMalformed);
  // A homography entry not finite (0x7f800000 is +inf).
  auto infinite = golden;
  infinite[7 + 14] = 0x7f;
  infinite[7 + 15] = 0x80;
  EXPECT_EQ(refusal(infinite), Fault::kMalformed);
}

TEST(PlacedFrame, AScaledPlacementPutsAPointWhereTheSameTissueIsInTheOtherSize) {
  const Placement p = moved(40, -20);
  const cv::Point2d drawn = to_pixels({0.25F, 0.5F}, kFrame);
  const cv::Point2d shown = map_point(p.homography, drawn);
  const cv::Size2d half{640, 360};
  const Placement scaled = scaled_placement(p, kFrame, half);
  const cv::Point2d drawn_half = to_pixels({0.25F, 0.5F}, cv::Size(640, 360));
  const cv::Point2d shown_half = map_point(scaled.homography, drawn_half);
  // The same normalised place: pixel centres at (x + 0.5) / width.
  EXPECT_NEAR((shown_half.x + 0.5) / half.width, (shown.x + 0.5) / kFrame.width, 1e-9);
  EXPECT_NEAR((shown_half.y + 0.5) / half.height, (shown.y + 0.5) / kFrame.height, 1e-9);
  EXPECT_NEAR(shown_half.x - drawn_half.x, 20, 1e-9);
}

TEST(PlacementChanges, RecordsNewPlacementsAtOnceAndThenOnlyChangesAtMostEvery100ms) {
  PlacementChanges changes;
  const Scene scene = scene_of({"m1-1"});
  auto t = kStart;
  const auto first = changes.take(t, kFrame, scene, {{"m1-1", moved(1, 0)}});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->capture, t);
  ASSERT_EQ(first->placements.size(), 1u);
  // Within 100 ms nothing, however far it moves.
  t += milliseconds{33};
  EXPECT_FALSE(changes.take(t, kFrame, scene, {{"m1-1", moved(30, 0)}}));
  // After it, a move of 0.4 px is not worth a row; one of 0.6 px is.
  t += milliseconds{100};
  EXPECT_FALSE(changes.take(t, kFrame, scene, {{"m1-1", moved(1.4, 0)}}));
  t += milliseconds{33};
  const auto moved_on = changes.take(t, kFrame, scene, {{"m1-1", moved(1.6, 0)}});
  ASSERT_TRUE(moved_on);
  EXPECT_DOUBLE_EQ(moved_on->placements.front().second.homography(0, 2), 1.6);
  // A small rotation moves the corners more than the middle: recorded.
  t += milliseconds{100};
  Placement turned = moved(1.6, 0);
  turned.homography(0, 1) = 0.001;  // 0.72 px at the bottom corners
  EXPECT_TRUE(changes.take(t, kFrame, scene, {{"m1-1", turned}}));
  // Opacity: a step of 0.05 and "position uncertain" are recorded, a flicker of 0.01 is not.
  t += milliseconds{100};
  Placement faded = turned;
  faded.opacity = 0.99F;
  EXPECT_FALSE(changes.take(t, kFrame, scene, {{"m1-1", faded}}));
  faded.opacity = 0.9F;
  EXPECT_TRUE(changes.take(t, kFrame, scene, {{"m1-1", faded}}));
  t += milliseconds{100};
  faded.position_uncertain = true;
  EXPECT_TRUE(changes.take(t, kFrame, scene, {{"m1-1", faded}}));
  t += milliseconds{100};
  EXPECT_FALSE(changes.take(t, kFrame, scene, {{"m1-1", faded}})) << "nothing changed";
}

TEST(PlacementChanges, ANewAnnotationIsRecordedAtOnceAndOnlyWhatChangedGoesWithIt) {
  PlacementChanges changes;
  auto t = kStart;
  ASSERT_TRUE(changes.take(t, kFrame, scene_of({"m1-1"}), {{"m1-1", moved(0, 0)}}));
  t += milliseconds{10};
  const auto both =
      changes.take(t, kFrame, scene_of({"m1-1", "m1-2"}), {{"m1-1", moved(5, 0)}, {"m1-2", moved(0, 0)}});
  ASSERT_TRUE(both);
  ASSERT_EQ(both->placements.size(), 1u) << "m1-1 moved, but too soon after its last row";
  EXPECT_EQ(both->placements.front().first, "m1-2");
  // Annotations without a placement (not anchored yet) are not recorded; ones gone from the scene are
  // forgotten, so an id that comes back is new again.
  t += milliseconds{10};
  EXPECT_FALSE(changes.take(t, kFrame, scene_of({"m1-1", "m1-2", "m1-3"}), {}));
  t += milliseconds{10};
  EXPECT_FALSE(changes.take(t, kFrame, scene_of({}), {}));
  t += milliseconds{10};
  EXPECT_TRUE(changes.take(t, kFrame, scene_of({"m1-1"}), {{"m1-1", moved(5, 0)}}));
}

// What the comparison adds to the OR display's frame path: printed per frame for 5 and 50 annotations moving
// every frame (the bench's demo keeps 5; --annotations 50); bounded loosely, as a loaded machine is slower.
TEST(PlacementChanges, ComparingAFramesPlacementsCostsMicroseconds) {
  for (const int count : {5, 50}) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) ids.push_back("m1-" + std::to_string(i + 1));
    const Scene scene = scene_of(ids);
    PlacementChanges changes;
    Placements placements;
    constexpr int kFrames = 3000;
    std::size_t records = 0;
    const auto began = std::chrono::steady_clock::now();
    for (int f = 0; f < kFrames; ++f) {
      for (const auto& id : ids) placements[id] = moved(0.3 * f, 0.1 * f);  // 9 px/s at 30 fps
      if (changes.take(kStart + milliseconds{33} * f, kFrame, scene, placements)) ++records;
    }
    const double us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - began).count() / kFrames;
    std::printf("%d annotations: %.2f us a frame (placements set included), %zu records in %d frames\n",
                count, us, records, kFrames);
    EXPECT_LT(us, 1000.0);
    EXPECT_LE(records, static_cast<std::size_t>(kFrames / 3 + 1)) << "at most one record every 100 ms";
  }
}

}  // namespace
}  // namespace surgilink::annotation
