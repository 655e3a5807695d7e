#include "surgilink/annotation/scene_renderer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "surgilink/annotation/annotation_layer.hpp"
#include "test_scenes.hpp"

namespace surgilink::annotation {
namespace {

using testing::label;
using testing::shape;
using testing::stroke;

// Reddish tissue, the background annotations must stand out on (BGR).
const cv::Vec3b kTissue(60, 70, 190);
constexpr std::uint32_t kGreen = 0x00FF00FF;

cv::Mat tissue(cv::Size size) {
  return cv::Mat(size, CV_8UC3, cv::Scalar(kTissue[0], kTissue[1], kTissue[2]));
}

std::shared_ptr<const Scene> scene_of(std::vector<Annotation> annotations) {
  auto scene = std::make_shared<Scene>();
  scene->version = 1;
  for (auto& a : annotations) scene->annotations.push_back(std::make_shared<const Annotation>(std::move(a)));
  return scene;
}

// A horizontal green stroke across the middle, 1 % of the frame height wide.
Annotation middle_stroke() {
  Annotation a = stroke("m1-1", {{0.2F, 0.5F}, {0.8F, 0.5F}});
  a.colour_rgba = kGreen;
  a.width = 0.01F;
  return a;
}

bool is_green(const cv::Vec3b& p) { return p[0] < 40 && p[1] > 215 && p[2] < 40; }
// Much darker than the tissue: the outline (anti-aliased, so not always black).
bool darkened(const cv::Vec3b& p) { return p[2] < 0.5 * kTissue[2] && p[1] < 0.7 * kTissue[1]; }

// Pixels matching `test` in one column.
template <typename Test>
int count_in_column(const cv::Mat& bgr, int column, Test test) {
  int n = 0;
  for (int row = 0; row < bgr.rows; ++row) n += test(bgr.at<cv::Vec3b>(row, column)) ? 1 : 0;
  return n;
}

cv::Mat green_mask(const cv::Mat& bgr) {
  cv::Mat mask;
  cv::inRange(bgr, cv::Scalar(0, 216, 0), cv::Scalar(39, 255, 39), mask);
  return mask;
}

double iou(const cv::Mat& a, const cv::Mat& b) {
  return static_cast<double>(cv::countNonZero(a & b)) / std::max(1, cv::countNonZero(a | b));
}

TEST(SceneRendererTest, StrokeIsDrawnInItsColourOverADarkOutline) {
  cv::Mat frame = tissue({640, 360});
  SceneRenderer renderer;
  renderer.draw_onto_bgr(*scene_of({middle_stroke()}), {}, frame);
  // Line 3.6 px, outline 1.5 px each side.
  const int column = 320;
  EXPECT_TRUE(is_green(frame.at<cv::Vec3b>(179, column))) << frame.at<cv::Vec3b>(179, column);
  EXPECT_GE(count_in_column(frame, column, is_green), 2);
  EXPECT_LE(count_in_column(frame, column, is_green), 5);
  // Dark pixels just above and below the green ones: the outline.
  // Right above and below the green run: the dark outline.
  int top = 179;
  int bottom = 179;
  while (is_green(frame.at<cv::Vec3b>(top - 1, column))) --top;
  while (is_green(frame.at<cv::Vec3b>(bottom + 1, column))) ++bottom;
  EXPECT_TRUE(darkened(frame.at<cv::Vec3b>(top - 1, column)) ||
              darkened(frame.at<cv::Vec3b>(top - 2, column)));
  EXPECT_TRUE(darkened(frame.at<cv::Vec3b>(bottom + 1, column)) ||
              darkened(frame.at<cv::Vec3b>(bottom + 2, column)));
  // Away from it the tissue is untouched, and nothing is drawn past the stroke's ends.
  EXPECT_EQ(frame.at<cv::Vec3b>(150, column), kTissue);
  EXPECT_EQ(frame.at<cv::Vec3b>(179, 100), kTissue);
  EXPECT_EQ(frame.at<cv::Vec3b>(179, 540), kTissue);
}

TEST(SceneRendererTest, SizesScaleWithTheFrame) {
  const auto scene = scene_of({middle_stroke()});
  SceneRenderer renderer;
  cv::Mat small = tissue({640, 360});
  cv::Mat large = tissue({1920, 1080});
  renderer.draw_onto_bgr(*scene, {}, small);
  renderer.draw_onto_bgr(*scene, {}, large);
  const int small_width = count_in_column(small, 320, is_green);
  const int large_width = count_in_column(large, 960, is_green);
  // Three times the height, three times the width, give or take the pixel that OpenCV's thicknesses step by.
  EXPECT_GE(small_width, 2);
  EXPECT_NEAR(large_width / 3.0, small_width, 1.0) << small_width << " vs " << large_width;
  // Same shape: the small rendering's line scaled up covers the same pixels.
  cv::Mat small_up;
  cv::resize(green_mask(small), small_up, large.size(), 0, 0, cv::INTER_NEAREST);
  EXPECT_GT(iou(small_up, green_mask(large)), 0.75);
}

TEST(SceneRendererTest, ArrowHasAHeadAndEllipseAHole) {
  Annotation arrow = shape("m1-1", AnnotationKind::kArrow, {0.1F, 0.3F}, {0.6F, 0.3F});
  arrow.colour_rgba = kGreen;
  Annotation ellipse = shape("m1-2", AnnotationKind::kEllipse, {0.6F, 0.55F}, {0.9F, 0.95F});
  ellipse.colour_rgba = kGreen;
  cv::Mat frame = tissue({1280, 720});
  SceneRenderer renderer;
  renderer.draw_onto_bgr(*scene_of({arrow, ellipse}), {}, frame);
  // Arrow: the head (just behind the tip at x = 767.5) is much wider than the shaft.
  const int shaft = count_in_column(frame, 400, is_green);
  int head = 0;
  for (int column = 730; column < 768; ++column)
    head = std::max(head, count_in_column(frame, column, is_green));
  EXPECT_GT(shaft, 0);
  EXPECT_GT(head, 3 * shaft) << "shaft " << shaft << ", head " << head;
  // Ellipse: its outline is drawn at the top of the box, the inside is not filled.
  const int centre_x = static_cast<int>(0.75 * 1280);
  EXPECT_TRUE(is_green(frame.at<cv::Vec3b>(static_cast<int>(0.55 * 720), centre_x)));
  EXPECT_EQ(frame.at<cv::Vec3b>(static_cast<int>(0.75 * 720), centre_x), kTissue);
}

TEST(SceneRendererTest, LabelHasTextOnADarkBacking) {
  Annotation text = label("m1-1", {0.25F, 0.25F}, "Vessel");
  text.colour_rgba = 0xFFFFFFFF;
  cv::Mat frame = tissue({1280, 720});
  SceneRenderer renderer;
  renderer.draw_onto_bgr(*scene_of({text}), {}, frame);
  const cv::Rect box(320, 180, 120, 30);
  cv::Mat grey;
  cv::cvtColor(frame(box), grey, cv::COLOR_BGR2GRAY);
  EXPECT_GT(cv::countNonZero(grey > 230), 30);  // white text
  EXPECT_GT(cv::countNonZero(grey < 50), 300);  // dark backing around it
  EXPECT_EQ(frame.at<cv::Vec3b>(170, 300), kTissue);
}

// The white pixels of `text` drawn as a label at a fixed place on tissue.
cv::Mat label_pixels(const std::string& text) {
  Annotation a = label("m1-1", {0.25F, 0.25F}, text);
  a.colour_rgba = 0xFFFFFFFF;
  cv::Mat frame = tissue({1280, 720});
  SceneRenderer renderer;
  renderer.draw_onto_bgr(*scene_of({a}), {}, frame);
  cv::Mat grey;
  cv::cvtColor(frame, grey, cv::COLOR_BGR2GRAY);
  return grey > 200;
}

// A mentor in Japan writes Japanese: the OR display draws the characters, not one '?' per character.
TEST(SceneRendererTest, JapaneseLabelsAreDrawnAsTheirCharacters) {
  const cv::Mat bleeding = label_pixels("\u51fa\u8840\u70b9");     // 出血点 (bleeding point)
  const cv::Mat haemostasis = label_pixels("\u6b62\u8840\u70b9");  // 止血点 (haemostasis point)
  const cv::Mat question_marks = label_pixels("???");
  EXPECT_GT(cv::countNonZero(bleeding), 150) << "the label is empty";
  // Different characters, different pixels; and neither is what '?' looks like.
  EXPECT_GT(cv::countNonZero(bleeding != haemostasis), 80);
  EXPECT_GT(cv::countNonZero(bleeding != question_marks), 80);
  EXPECT_GT(cv::countNonZero(haemostasis != question_marks), 80);
  // Latin text still draws (from the same or a fallback font) and a mixed label keeps both parts.
  EXPECT_GT(cv::countNonZero(label_pixels("Vessel \u8840\u7ba1") != label_pixels("Vessel")), 80);
}

TEST(SceneRendererTest, PointerIsARingWithADot) {
  SceneRenderer renderer;
  Annotation pointer = stroke("m1-pointer", {{0.5F, 0.5F}});
  pointer.kind = AnnotationKind::kPointer;
  pointer.colour_rgba = kGreen;
  pointer.width = kPointerWidth;
  cv::Mat frame = tissue({1280, 720});
  renderer.draw_onto_bgr(*scene_of({pointer}), {}, frame);
  const cv::Point centre(640, 360);
  const int ring = static_cast<int>(0.02 * 720);
  EXPECT_TRUE(is_green(frame.at<cv::Vec3b>(centre)));
  EXPECT_TRUE(is_green(frame.at<cv::Vec3b>(centre + cv::Point(ring, 0))));
  EXPECT_FALSE(is_green(frame.at<cv::Vec3b>(centre + cv::Point(ring / 2, 0))));
}

TEST(SceneRendererTest, PlacementMovesAndFades) {
  const auto scene = scene_of({middle_stroke()});
  SceneRenderer renderer;
  Placements placements;
  placements["m1-1"].homography = cv::Matx33d(1, 0, 40, 0, 1, -60, 0, 0, 1);
  cv::Mat moved = tissue({640, 360});
  renderer.draw_onto_bgr(*scene, placements, moved);
  EXPECT_TRUE(is_green(moved.at<cv::Vec3b>(119, 320)));
  EXPECT_EQ(moved.at<cv::Vec3b>(179, 320), kTissue);
  EXPECT_TRUE(is_green(moved.at<cv::Vec3b>(119, 540)));  // the right end moved 40 px right
  EXPECT_EQ(moved.at<cv::Vec3b>(119, 120), kTissue);

  placements["m1-1"].opacity = 0.4F;
  placements["m1-1"].position_uncertain = true;
  cv::Mat faded = tissue({640, 360});
  renderer.draw_onto_bgr(*scene, placements, faded);
  const cv::Vec3b p = faded.at<cv::Vec3b>(119, 320);
  // 40 % green over 60 % tissue, not the outline showing through.
  EXPECT_NEAR(p[1], 0.4 * 255 + 0.6 * kTissue[1], 4.0) << p;
  EXPECT_NEAR(p[2], 0.6 * kTissue[2], 4.0) << p;
}

// Amber text pixels (B low, G ~191, R high) above the annotation.
int amber_pixels(const cv::Mat& bgr, cv::Rect area) {
  cv::Mat amber;
  cv::inRange(bgr(area), cv::Scalar(0, 140, 200), cv::Scalar(90, 220, 255), amber);
  return cv::countNonZero(amber);
}

TEST(SceneRendererTest, AnUncertainPlacementIsMarkedAsSuch) {
  const auto scene = scene_of({middle_stroke()});
  SceneRenderer renderer;
  Placements placements;
  cv::Mat sure = tissue({640, 360});
  renderer.draw_onto_bgr(*scene, placements, sure);
  const cv::Rect above(0, 0, 640, 179);
  EXPECT_EQ(amber_pixels(sure, above), 0);
  placements["m1-1"].position_uncertain = true;
  placements["m1-1"].opacity = 0.35F;
  cv::Mat unsure = tissue({640, 360});
  std::vector<cv::Rect> boxes;
  cv::Mat overlay(360, 640, CV_8UC4, cv::Scalar::all(0));
  const cv::Rect covered = renderer.draw(*scene, placements, overlay, &boxes);
  EXPECT_EQ(boxes.size(), 2u) << "the mark is part of what the layer blends";
  blend_onto_bgr(overlay, covered, unsure);
  EXPECT_GT(amber_pixels(unsure, above), 30) << "no 'position uncertain' text";
}

TEST(SceneRendererTest, RefusesWrongPictureTypes) {
  SceneRenderer renderer;
  cv::Mat grey(10, 10, CV_8UC1);
  EXPECT_THROW(renderer.draw_onto_bgr(Scene{}, {}, grey), std::invalid_argument);
  EXPECT_THROW(renderer.draw(Scene{}, {}, grey), std::invalid_argument);
  cv::Mat overlay(10, 10, CV_8UC4), bgr(12, 10, CV_8UC3);
  EXPECT_FALSE(blend_onto_bgr(overlay, {0, 0, 10, 10}, bgr));
}

// An I420 frame in one buffer, planes tightly packed.
struct I420 {
  explicit I420(cv::Size size, cv::Vec3b bgr) : width(size.width), height(size.height) {
    cv::Mat picture(size, CV_8UC3, cv::Scalar(bgr[0], bgr[1], bgr[2]));
    cv::cvtColor(picture, buffer, cv::COLOR_BGR2YUV_I420);
  }
  std::uint8_t* y() { return buffer.data; }
  std::uint8_t* u() { return buffer.data + width * height; }
  std::uint8_t* v() { return buffer.data + width * height * 5 / 4; }
  bool blend(const AnnotationLayer& layer) {
    return layer.blend_onto_i420(y(), width, u(), width / 2, v(), width / 2, width, height);
  }
  cv::Mat bgr() const {
    cv::Mat out;
    cv::cvtColor(buffer, out, cv::COLOR_YUV2BGR_I420);
    return out;
  }
  int width;
  int height;
  cv::Mat buffer;  // height * 3 / 2 rows
};

TEST(AnnotationLayerTest, BlendOntoI420ChangesOnlyTheCoveredAreaAndShowsTheColour) {
  const cv::Size size(640, 360);
  AnnotationLayer layer(size);
  ASSERT_TRUE(layer.update(scene_of({middle_stroke()}), {}));
  const cv::Rect covered = layer.covered();
  ASSERT_FALSE(covered.empty());
  EXPECT_LT(covered.area(), size.area() / 10);

  I420 frame(size, kTissue);
  const cv::Mat before = frame.buffer.clone();
  ASSERT_TRUE(frame.blend(layer));
  // Luma: every changed pixel lies inside the covered rectangle, and some did change.
  cv::Mat changed = frame.buffer(cv::Rect(0, 0, size.width, size.height)) !=
                    before(cv::Rect(0, 0, size.width, size.height));
  EXPECT_GT(cv::countNonZero(changed), 1000);
  changed(covered).setTo(0);
  EXPECT_EQ(cv::countNonZero(changed), 0);
  // Chroma outside the covered area is untouched too.
  const cv::Mat u_before(size / 2, CV_8UC1, before.data + size.area());
  const cv::Mat u_after(size / 2, CV_8UC1, frame.u());
  cv::Mat u_changed = u_before != u_after;
  // The 2x2 blocks the covered pixels fall in.
  const cv::Rect half(cv::Point(covered.x / 2, covered.y / 2),
                      cv::Point((covered.br().x + 1) / 2, (covered.br().y + 1) / 2));
  EXPECT_GT(cv::countNonZero(u_changed), 100);
  u_changed(half).setTo(0);
  EXPECT_EQ(cv::countNonZero(u_changed), 0);
  // The stroke's middle decodes to green, the outline to dark.
  const cv::Mat shown = frame.bgr();
  EXPECT_TRUE(is_green(shown.at<cv::Vec3b>(179, 320))) << shown.at<cv::Vec3b>(179, 320);
  // The outline darkens the tissue right above the line, even through 4:2:0 chroma.
  double darkest = 255.0;
  for (int row = 170; row < 179; ++row)
    darkest = std::min(darkest, cv::mean(shown(cv::Rect(300, row, 40, 1)))[2]);
  EXPECT_LT(darkest, 0.6 * kTissue[2]);
}

TEST(AnnotationLayerTest, I420AndBgrRenderingsAgree) {
  const cv::Size size(640, 360);
  Annotation arrow = shape("m1-2", AnnotationKind::kArrow, {0.1F, 0.9F}, {0.4F, 0.6F});
  arrow.colour_rgba = 0xFFD800FF;
  const auto scene = scene_of({middle_stroke(), arrow, label("m1-3", {0.6F, 0.1F}, "here")});
  AnnotationLayer layer(size);
  layer.update(scene, {});
  I420 yuv(size, kTissue);
  ASSERT_TRUE(yuv.blend(layer));
  cv::Mat bgr = tissue(size);
  ASSERT_TRUE(layer.blend_onto_bgr(bgr));
  // Chroma is subsampled, so edges differ; the masks and the overall picture agree.
  cv::Mat reference = I420(size, kTissue).bgr();
  cv::Mat diff_yuv, diff_bgr;
  cv::absdiff(yuv.bgr(), reference, diff_yuv);
  cv::absdiff(bgr, reference, diff_bgr);
  cv::Mat mask_yuv, mask_bgr;
  cv::cvtColor(diff_yuv, mask_yuv, cv::COLOR_BGR2GRAY);
  cv::cvtColor(diff_bgr, mask_bgr, cv::COLOR_BGR2GRAY);
  EXPECT_GT(iou(mask_yuv > 40, mask_bgr > 40), 0.85);
}

TEST(AnnotationLayerTest, RedrawsOnlyWhenSceneOrPlacementChanges) {
  AnnotationLayer layer({640, 360});
  const auto scene = scene_of({middle_stroke()});
  Placements placements;
  placements["m1-1"] = Placement{};
  EXPECT_TRUE(layer.update(scene, placements));
  EXPECT_FALSE(layer.update(scene, placements));
  placements["m1-1"].homography(0, 2) = 0.01;  // 0.01 px: not a visible move
  EXPECT_FALSE(layer.update(scene, placements));
  placements["m1-1"].homography(0, 2) = 1.0;
  EXPECT_TRUE(layer.update(scene, placements));
  placements["m1-1"].opacity = 0.5F;
  EXPECT_TRUE(layer.update(scene, placements));
  EXPECT_TRUE(layer.update(scene_of({middle_stroke()}), placements));  // another snapshot
  EXPECT_EQ(layer.redraws(), 4u);
  // An empty scene clears what was drawn.
  EXPECT_TRUE(layer.update(std::make_shared<const Scene>(), {}));
  EXPECT_TRUE(layer.covered().empty());
  EXPECT_EQ(cv::countNonZero(layer.overlay().reshape(1)), 0);
}

TEST(AnnotationLayerTest, RefusesFramesOfAnotherSize) {
  AnnotationLayer layer({640, 360});
  layer.update(scene_of({middle_stroke()}), {});
  I420 other({320, 180}, kTissue);
  const cv::Mat before = other.buffer.clone();
  EXPECT_FALSE(layer.blend_onto_i420(other.y(), 320, other.u(), 160, other.v(), 160, 320, 180));
  EXPECT_EQ(cv::countNonZero(other.buffer != before), 0);
  EXPECT_FALSE(layer.blend_onto_i420(nullptr, 640, other.u(), 320, other.v(), 320, 640, 360));
  cv::Mat small_bgr = tissue({320, 180});
  EXPECT_FALSE(layer.blend_onto_bgr(small_bgr));
  EXPECT_THROW(AnnotationLayer({0, 360}), std::invalid_argument);
}

}  // namespace
}  // namespace surgilink::annotation
