// The one geometry both the OR display and the console draw from.
#include "surgilink/annotation/annotation_shape.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "test_scenes.hpp"

namespace surgilink::annotation {
namespace {

using testing::label;
using testing::shape;
using testing::stroke;

constexpr FrameSize k720p{1280, 720};

// A font whose every line is 100 px wide, 20 px above the baseline and 5 below; remembers what it measured.
struct FixedFont {
  std::string text;
  int size = 0;
  MeasureText measure() {
    return [this](std::string_view utf8, int text_size) {
      text = std::string(utf8);
      size = text_size;
      return TextExtent{100.0, 20.0, 5.0};
    };
  }
};

void expect_near(PixelPoint actual, PixelPoint expected) {
  EXPECT_NEAR(actual.x, expected.x, 1e-3);
  EXPECT_NEAR(actual.y, expected.y, 1e-3);
}

std::optional<AnnotationShape> shaped(const Annotation& a, FrameSize frame = k720p) {
  return shape_of(a, {frame}, {});
}

TEST(AnnotationShapeTest, WidthsComeInOddWholePixelsThatGrowWithThePicture) {
  Annotation a = stroke("m1-1", {{0.2F, 0.5F}, {0.8F, 0.5F}});
  a.width = 0.004F;  // 2.88 px at 720p, 4.32 px at 1080p
  const auto small = shaped(a);
  const auto large = shaped(a, {1920, 1080});
  ASSERT_TRUE(small && large);
  EXPECT_EQ(small->line_width, 3);
  EXPECT_EQ(small->outlined_width, 5);  // 2.88 + 2 x 1.5 = 5.88
  EXPECT_EQ(large->line_width, 5);
  EXPECT_EQ(large->outlined_width, 7);  // 4.32 + 2 x 1.51 = 7.34
  EXPECT_EQ(small->outline_grow, 1);
  EXPECT_EQ(small->edge_width, 3);
  // A tie goes to the thinner width; nothing is thinner than a pixel.
  a.width = 0.5F;
  EXPECT_EQ(shaped(a, {16, 8})->line_width, 3);
  a.width = 0.0F;
  EXPECT_EQ(shaped(a)->line_width, 1);
  a.width = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(shaped(a)->line_width, 1);
  a.width = 0.05F;  // the widest a mentor may pick: 35 px on a picture 700 px high
  EXPECT_EQ(shaped(a, {1244, 700})->line_width, 35);
}

TEST(AnnotationShapeTest, PointsAreInPixelsFromThePicturesCorner) {
  const auto s = shaped(stroke("m1-1", {{0.0F, 0.0F}, {0.5F, 0.25F}, {1.0F, 1.0F}}));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->lines.size(), 1U);
  EXPECT_FALSE(s->lines[0].closed);
  EXPECT_EQ(s->lines[0].points, (std::vector<PixelPoint>{{0, 0}, {640, 180}, {1280, 720}}));
  EXPECT_TRUE(s->fills.empty());
  EXPECT_TRUE(s->dots.empty());
  EXPECT_FALSE(s->label);
}

TEST(AnnotationShapeTest, StrokePointsOnAStraightLineAreDroppedAndOnePointIsADot) {
  std::vector<NormalisedPoint> straight;
  for (int i = 0; i <= 50; ++i) straight.push_back({0.1F + 0.01F * i, 0.5F});
  const auto s = shaped(stroke("m1-1", straight));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->lines.size(), 1U);
  EXPECT_EQ(s->lines[0].points.size(), 2U);

  const auto dot = shaped(stroke("m1-2", {{0.5F, 0.5F}}));
  ASSERT_TRUE(dot);
  ASSERT_EQ(dot->dots.size(), 1U);
  EXPECT_TRUE(dot->dots[0].filled);
  EXPECT_EQ(dot->dots[0].centre, (PixelPoint{640, 360}));
  EXPECT_NEAR(dot->dots[0].radius, 0.005 * 720 / 2, 1e-3);  // half the line
}

TEST(AnnotationShapeTest, ArrowHeadIsATriangleAtTheHeadAndTheShaftEndsInsideIt) {
  Annotation arrow = shape("m1-1", AnnotationKind::kArrow, {0.1F, 0.5F}, {0.6F, 0.5F});
  arrow.width = 0.01F;  // 7.2 px: the head is 5 line widths long, more than 3 % of the height
  const auto s = shaped(arrow);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->fills.size(), 1U);
  const auto& head = s->fills[0];
  ASSERT_EQ(head.size(), 3U);
  const double head_length = 5 * 7.2, half_width = 0.6 * head_length;
  expect_near(head[0], {768, 360});
  EXPECT_NEAR(head[1].x, 768 - head_length, 1e-3);
  EXPECT_NEAR(head[1].y, 360 + half_width, 1e-3);
  EXPECT_NEAR(head[2].y, 360 - half_width, 1e-3);
  ASSERT_EQ(s->lines.size(), 1U);
  ASSERT_EQ(s->lines[0].points.size(), 2U);
  expect_near(s->lines[0].points[0], {128, 360});
  EXPECT_NEAR(s->lines[0].points[1].x, 768 - 0.7 * head_length, 1e-3);

  // A thin arrow's head is 3 % of the picture high; a short one's at most 60 % of its length.
  arrow.width = 0.001F;
  EXPECT_NEAR(shaped(arrow)->fills[0][0].x - shaped(arrow)->fills[0][1].x, 0.03 * 720, 1e-3);
  arrow.points = {{0.5F, 0.5F}, {0.51F, 0.5F}};
  EXPECT_NEAR(shaped(arrow)->fills[0][0].x - shaped(arrow)->fills[0][1].x, 0.6 * 12.8, 1e-3);
  // Shorter than a pixel: a dot where the head would be.
  arrow.points = {{0.5F, 0.5F}, {0.5F, 0.5F}};
  ASSERT_EQ(shaped(arrow)->dots.size(), 1U);
}

TEST(AnnotationShapeTest, EllipseIsAClosedLineThroughItsBoxSides) {
  const auto s = shaped(shape("m1-1", AnnotationKind::kEllipse, {0.25F, 0.25F}, {0.75F, 0.75F}));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->lines.size(), 1U);
  const ShapeLine& outline = s->lines[0];
  EXPECT_TRUE(outline.closed);
  EXPECT_GE(outline.points.size(), 16U);
  EXPECT_LE(outline.points.size(), 128U);
  for (const PixelPoint& p : outline.points) {
    const double u = (p.x - 640) / 320, v = (p.y - 360) / 180;
    EXPECT_NEAR(u * u + v * v, 1.0, 1e-9);
  }
  EXPECT_EQ(outline.points[0], (PixelPoint{960, 360}));  // the right side of the box
}

TEST(AnnotationShapeTest, PointerIsARingAroundADot) {
  Annotation pointer = stroke("m1-pointer", {{0.5F, 0.5F}});
  pointer.kind = AnnotationKind::kPointer;
  pointer.width = kPointerWidth;
  const auto s = shaped(pointer);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->dots.size(), 2U);
  EXPECT_FALSE(s->dots[0].filled);
  EXPECT_NEAR(s->dots[0].radius, 0.02 * 720, 1e-9);
  EXPECT_TRUE(s->dots[1].filled);
  EXPECT_NEAR(s->dots[1].radius, 0.6 * kPointerWidth * 720, 1e-4);
  pointer.width = 0.02F;  // a thick ring is three line widths out
  EXPECT_NEAR(shaped(pointer)->dots[0].radius, 3 * 0.02 * 720, 1e-3);
}

TEST(AnnotationShapeTest, LabelBoxIsPaddedAtItsAnchorAndKeptOnThePicture) {
  FixedFont font;
  const Annotation text = label("m1-1", {0.25F, 0.25F}, "Vessel");
  const auto s = shape_of(text, {k720p}, font.measure());
  ASSERT_TRUE(s && s->label);
  const ShapeLabel& l = *s->label;
  EXPECT_EQ(font.text, "Vessel");
  EXPECT_EQ(font.size, 29);  // 4 % of 720
  EXPECT_EQ(l.text, "Vessel");
  EXPECT_EQ(l.text_size, 29);
  EXPECT_EQ(l.padding, 6);  // 0.8 % of 720
  EXPECT_EQ(l.backing_alpha, kLabelBackingAlpha);
  EXPECT_EQ(l.backing, (PixelBox{320, 180, 112, 37}));
  EXPECT_EQ(l.text_start, (PixelPoint{326, 206}));  // padding in, then down by the ascent

  const auto at_corner = shape_of(label("m1-2", {0.99F, 0.99F}, "Vessel"), {k720p}, font.measure());
  ASSERT_TRUE(at_corner && at_corner->label);
  EXPECT_EQ(at_corner->label->backing, (PixelBox{1280 - 112, 720 - 37, 112, 37}));
  // Larger than the picture: from its corner, cut at its edges.
  const auto tiny = shape_of(text, {{50, 20}}, font.measure());
  ASSERT_TRUE(tiny && tiny->label);
  EXPECT_EQ(tiny->label->backing, (PixelBox{0, 0, 50, 20}));
  EXPECT_EQ(tiny->label->text_size, 8);
  EXPECT_EQ(tiny->label->padding, 2);
  // Nothing to measure with: nothing to draw.
  EXPECT_FALSE(shape_of(text, {k720p}, {}));
}

TEST(AnnotationShapeTest, OpacityIsTheColoursAlphaTimesThePlacements) {
  Annotation a = stroke("m1-1", {{0.2F, 0.5F}, {0.8F, 0.5F}});
  a.colour_rgba = 0x20E04080;
  const auto s = shape_of(a, {k720p, kNoMove, 0.5F}, {});
  ASSERT_TRUE(s);
  EXPECT_NEAR(s->opacity, 128.0 / 255.0 * 0.5, 1e-6);
  EXPECT_FALSE(s->opaque());
  EXPECT_EQ(s->colour_rgba, 0x20E04080U);
  a.colour_rgba = 0x20E040FF;
  EXPECT_TRUE(shaped(a)->opaque());
  EXPECT_FALSE(shape_of(a, {k720p, kNoMove, 0.0F}, {}));
  a.colour_rgba = 0x20E04000;
  EXPECT_FALSE(shaped(a));
}

TEST(AnnotationShapeTest, PlacementMovesThePointsAndBehindTheCameraHidesThem) {
  const Annotation a = stroke("m1-1", {{0.25F, 0.5F}, {0.75F, 0.5F}});
  const Homography moved{1, 0, 40, 0, 1, -60, 0, 0, 1};
  const auto s = shape_of(a, {k720p, moved}, {});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->lines[0].points, (std::vector<PixelPoint>{{360, 300}, {1000, 300}}));
  // Doubled about the picture's first pixel centre (0.5, 0.5).
  const Homography doubled{2, 0, 0, 0, 2, 0, 0, 0, 1};
  EXPECT_EQ(shape_of(a, {k720p, doubled}, {})->lines[0].points,
            (std::vector<PixelPoint>{{639.5, 719.5}, {1919.5, 719.5}}));
  const Homography behind{1, 0, 0, 0, 1, 0, 0, 0, -1};
  EXPECT_FALSE(shape_of(a, {k720p, behind}, {}));
  // Far off: held 100 000 px out, never overflowing a renderer's coordinates.
  const Homography wild{1, 0, 1e12, 0, 1, 0, 0, 0, 1};
  const auto far = shape_of(a, {k720p, wild}, {});
  ASSERT_TRUE(far);
  for (const PixelPoint& p : far->lines[0].points) EXPECT_LE(p.x, 100'000.0);
}

TEST(AnnotationShapeTest, BadPointsKindsAndFramesGiveNothing) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(shaped(stroke("m1-1", {{nan, 0.5F}, {0.5F, 0.5F}})));
  EXPECT_FALSE(shaped(stroke("m1-1", {})));
  Annotation one_point_arrow = stroke("m1-1", {{0.5F, 0.5F}});
  one_point_arrow.kind = AnnotationKind::kArrow;
  EXPECT_FALSE(shaped(one_point_arrow));
  Annotation unknown = stroke("m1-1", {{0.5F, 0.5F}});
  unknown.kind = static_cast<AnnotationKind>(99);
  EXPECT_FALSE(shaped(unknown));
  const Annotation fine = stroke("m1-1", {{0.2F, 0.5F}, {0.8F, 0.5F}});
  EXPECT_FALSE(shaped(fine, {0, 720}));
  EXPECT_FALSE(shaped(fine, {1280, std::numeric_limits<double>::infinity()}));
  EXPECT_FALSE(shaped(fine, {1280, std::numeric_limits<double>::quiet_NaN()}));
  EXPECT_FALSE(shaped(fine, {1e9, 720}));
}

}  // namespace
}  // namespace surgilink::annotation
