#include "surgilink/media/synthetic_scene.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace surgilink::media {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

constexpr int kWidth = 640;
constexpr int kHeight = 360;

std::vector<std::uint8_t> render(SyntheticScene& scene, nanoseconds t) {
  std::vector<std::uint8_t> frame(scene.frame_bytes());
  EXPECT_TRUE(scene.render(t, frame));
  return frame;
}

cv::Mat luma(std::vector<std::uint8_t>& frame, int width, int height) {
  return cv::Mat(height, width, CV_8UC1, frame.data());
}

cv::Mat chroma_v(std::vector<std::uint8_t>& frame, int width, int height) {
  return cv::Mat(height / 2, width / 2, CV_8UC1,
                 frame.data() + static_cast<std::size_t>(width) * height * 5 / 4);
}

cv::Point2d apply(const cv::Matx23d& m, cv::Point2d p) {
  return {m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2), m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2)};
}

// Fraction of bytes that differ between two frames.
double differing_fraction(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  std::size_t differing = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differing += a[i] != b[i] ? 1 : 0;
  return static_cast<double>(differing) / static_cast<double>(a.size());
}

void expect_matx_near(const cv::Matx23d& a, const cv::Matx23d& b, double tolerance) {
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(a(r, c), b(r, c), tolerance) << "(" << r << ", " << c << ")";
  }
}

TEST(SyntheticSceneTest, ConstructorValidatesSize) {
  EXPECT_THROW(SyntheticScene(641, 360, 1), std::invalid_argument);
  EXPECT_THROW(SyntheticScene(640, 361, 1), std::invalid_argument);
  EXPECT_THROW(SyntheticScene(32, 32, 1), std::invalid_argument);
  EXPECT_THROW(SyntheticScene(-640, 360, 1), std::invalid_argument);
  const SyntheticScene scene(kWidth, kHeight, 1);
  EXPECT_EQ(scene.width(), kWidth);
  EXPECT_EQ(scene.height(), kHeight);
  EXPECT_EQ(scene.frame_bytes(), static_cast<std::size_t>(kWidth * kHeight * 3 / 2));
}

TEST(SyntheticSceneTest, SameSeedGivesIdenticalFrames) {
  SyntheticScene a(kWidth, kHeight, 1234);
  SyntheticScene b(kWidth, kHeight, 1234);
  for (const nanoseconds t :
       {nanoseconds{0}, nanoseconds{milliseconds{1'234}}, nanoseconds{milliseconds{97'001}}}) {
    const auto frame_a = render(a, t);
    EXPECT_EQ(frame_a, render(b, t)) << t.count();
    // Rendering is a pure function of the time: an earlier frame does not change a later one.
    EXPECT_EQ(frame_a, render(a, t)) << t.count();
  }
}

TEST(SyntheticSceneTest, DifferentSeedsGiveDifferentFrames) {
  SyntheticScene a(kWidth, kHeight, 1);
  SyntheticScene b(kWidth, kHeight, 2);
  const nanoseconds t = milliseconds{2'000};
  EXPECT_GT(differing_fraction(render(a, t), render(b, t)), 0.5);
}

TEST(SyntheticSceneTest, ConsecutiveFramesDiffer) {
  SyntheticScene scene(kWidth, kHeight, 3);
  auto previous = render(scene, nanoseconds{0});
  for (int i = 1; i <= 5; ++i) {
    auto frame = render(scene, milliseconds{33 * i});
    EXPECT_GT(differing_fraction(previous, frame), 0.3) << "frame " << i;
    previous = std::move(frame);
  }
}

TEST(SyntheticSceneTest, RenderRejectsWrongSizedBufferUntouched) {
  SyntheticScene scene(kWidth, kHeight, 4);
  for (const std::size_t size : {std::size_t{0}, scene.frame_bytes() - 1, scene.frame_bytes() + 1,
                                 static_cast<std::size_t>(kWidth) * kHeight}) {
    std::vector<std::uint8_t> buffer(size, 0x5A);
    EXPECT_FALSE(scene.render(milliseconds{10}, buffer)) << size;
    EXPECT_EQ(buffer, std::vector<std::uint8_t>(size, 0x5A));
  }
}

TEST(SyntheticSceneTest, LooksLikeTexturedReddishTissue) {
  SyntheticScene scene(kWidth, kHeight, 5);
  auto frame = render(scene, milliseconds{3'000});
  const cv::Mat y = luma(frame, kWidth, kHeight);
  const cv::Mat u(kHeight / 2, kWidth / 2, CV_8UC1, frame.data() + kWidth * kHeight);
  const cv::Mat v = chroma_v(frame, kWidth, kHeight);
  // Reddish: Cr well above neutral and above Cb.
  EXPECT_GT(cv::mean(v)[0], 145.0);
  EXPECT_GT(cv::mean(v)[0], cv::mean(u)[0] + 20.0);
  // Textured at fine scale, not flat: the luma differs noticeably from a blurred copy of itself.
  cv::Mat blurred;
  cv::GaussianBlur(y, blurred, cv::Size(), 3.0);
  cv::Mat detail;
  cv::absdiff(y, blurred, detail);
  EXPECT_GT(cv::mean(detail)[0], 2.0);
  // Bright specular spots and dark vessels or instrument rims exist somewhere in the picture.
  double min_luma = 0;
  double max_luma = 0;
  cv::minMaxLoc(y, &min_luma, &max_luma);
  EXPECT_GT(max_luma, 200.0);
  EXPECT_LT(min_luma, 70.0);
}

TEST(SyntheticSceneTest, CameraMotionIsSmoothAndBounded) {
  const SyntheticScene scene(kWidth, kHeight, 6);
  constexpr double kStep = 0.01;
  double min_zoom = 10;
  double max_zoom = 0;
  double speed_sum = 0;
  double max_speed = 0;
  constexpr int kSamples = 60'000;  // ten minutes
  for (int i = 0; i < kSamples; ++i) {
    const nanoseconds t{static_cast<std::int64_t>(i * kStep * 1e9)};
    const nanoseconds next{static_cast<std::int64_t>((i + 1) * kStep * 1e9)};
    const CameraPose pose = scene.camera_at(t);
    min_zoom = std::min(min_zoom, pose.zoom);
    max_zoom = std::max(max_zoom, pose.zoom);
    // Speed of the frame centre's tissue point, in frame pixels per second.
    const cv::Point2d centre((kWidth - 1) / 2.0, (kHeight - 1) / 2.0);
    const cv::Point2d moved = apply(scene.tissue_motion(t, next), centre);
    const double speed = std::hypot(moved.x - centre.x, moved.y - centre.y) / kStep;
    speed_sum += speed;
    max_speed = std::max(max_speed, speed);
  }
  EXPECT_GE(min_zoom, 1.0 - 1e-9);
  EXPECT_LE(max_zoom, 1.15 + 1e-9);
  EXPECT_LT(min_zoom, 1.02);
  EXPECT_GT(max_zoom, 1.13);
  // ~150 px/s at 1920 px wide, scaled to this width.
  const double nominal = 150.0 * kWidth / 1920.0;
  EXPECT_GT(speed_sum / kSamples, 0.8 * nominal);
  EXPECT_LT(speed_sum / kSamples, 1.2 * nominal);
  EXPECT_LT(max_speed, 3.0 * nominal);
}

TEST(SyntheticSceneTest, TissueMotionIdentityAndComposition) {
  const SyntheticScene scene(kWidth, kHeight, 7);
  for (const nanoseconds t : {nanoseconds{0}, nanoseconds{milliseconds{4'321}}}) {
    expect_matx_near(scene.tissue_motion(t, t), cv::Matx23d(1, 0, 0, 0, 1, 0), 1e-9);
  }
  const nanoseconds a = milliseconds{1'000};
  const nanoseconds b = milliseconds{3'700};
  const nanoseconds c = milliseconds{9'100};
  const cv::Matx23d ab = scene.tissue_motion(a, b);
  const cv::Matx23d bc = scene.tissue_motion(b, c);
  const cv::Matx23d ac = scene.tissue_motion(a, c);
  // The motion between these times is not trivial, so composition is a real check.
  EXPECT_GT(std::abs(ac(0, 2)) + std::abs(ac(1, 2)), 10.0);
  const cv::Matx33d ab3(ab(0, 0), ab(0, 1), ab(0, 2), ab(1, 0), ab(1, 1), ab(1, 2), 0, 0, 1);
  const cv::Matx33d bc3(bc(0, 0), bc(0, 1), bc(0, 2), bc(1, 0), bc(1, 1), bc(1, 2), 0, 0, 1);
  const cv::Matx33d composed = bc3 * ab3;
  expect_matx_near(cv::Matx23d(composed(0, 0), composed(0, 1), composed(0, 2), composed(1, 0), composed(1, 1),
                               composed(1, 2)),
                   ac, 1e-9);
  // And back again.
  const cv::Matx23d ca = scene.tissue_motion(c, a);
  const cv::Point2d p(100.5, 200.25);
  const cv::Point2d round_trip = apply(ca, apply(ac, p));
  EXPECT_NEAR(round_trip.x, p.x, 1e-9);
  EXPECT_NEAR(round_trip.y, p.y, 1e-9);
}

// Sub-pixel peak of a correlation map: a parabola through the maximum and its neighbours, per axis.
cv::Point2d refined_peak(const cv::Mat& response, cv::Point peak) {
  auto offset = [](float left, float centre, float right) {
    const float denominator = left - 2 * centre + right;
    return denominator < 0 ? 0.5 * (left - right) / denominator : 0.0;
  };
  double dx = 0;
  double dy = 0;
  if (peak.x > 0 && peak.x < response.cols - 1) {
    dx = offset(response.at<float>(peak.y, peak.x - 1), response.at<float>(peak),
                response.at<float>(peak.y, peak.x + 1));
  }
  if (peak.y > 0 && peak.y < response.rows - 1) {
    dy = offset(response.at<float>(peak.y - 1, peak.x), response.at<float>(peak),
                response.at<float>(peak.y + 1, peak.x));
  }
  return {peak.x + dx, peak.y + dy};
}

TEST(SyntheticSceneTest, TissueMotionAgreesWithRenderedPixels) {
  SyntheticScene scene(kWidth, kHeight, 8);
  // The first half-second interval in which the camera moves well, so that ignoring its motion would fail.
  const cv::Point2d frame_centre((kWidth - 1) / 2.0, (kHeight - 1) / 2.0);
  nanoseconds t0{0};
  while (cv::norm(apply(scene.tissue_motion(t0, t0 + milliseconds{500}), frame_centre) - frame_centre) <
         15.0) {
    t0 += milliseconds{250};
    ASSERT_LT(t0, milliseconds{60'000});
  }
  const nanoseconds t1 = t0 + milliseconds{500};
  auto frame0 = render(scene, t0);
  auto frame1 = render(scene, t1);
  const cv::Mat y0 = luma(frame0, kWidth, kHeight);
  const cv::Mat y1 = luma(frame1, kWidth, kHeight);
  const cv::Mat v0 = chroma_v(frame0, kWidth, kHeight);
  const cv::Mat v1 = chroma_v(frame1, kWidth, kHeight);
  const cv::Matx23d motion = scene.tissue_motion(t0, t1);

  constexpr int kHalf = 20;    // template is 41 x 41
  constexpr int kSearch = 12;  // +- px around the predicted position
  // Instruments are grey (Cr ~128-132) while tissue is red (Cr well above): a patch is tissue-only when no
  // pixel of it is greyish in either frame.
  auto tissue_only = [](const cv::Mat& v, cv::Point2d centre) {
    const cv::Rect rect(cvRound(centre.x / 2) - kHalf / 2 - 2, cvRound(centre.y / 2) - kHalf / 2 - 2,
                        kHalf + 4, kHalf + 4);
    double min_v = 0;
    cv::minMaxLoc(v(rect), &min_v);
    return min_v > 134;
  };
  const cv::Rect inner(kHalf + kSearch + 2, kHalf + kSearch + 2, kWidth - 2 * (kHalf + kSearch + 2),
                       kHeight - 2 * (kHalf + kSearch + 2));
  int checked = 0;
  double largest_shift = 0;
  for (int gy = 60; gy <= 300; gy += 40) {
    for (int gx = 60; gx <= 580; gx += 40) {
      const cv::Point2d p0(gx, gy);
      const cv::Point2d p1 = apply(motion, p0);
      if (!inner.contains(cv::Point(cvRound(p0.x), cvRound(p0.y))) ||
          !inner.contains(cv::Point(cvRound(p1.x), cvRound(p1.y))) || !tissue_only(v0, p0) ||
          !tissue_only(v1, p1)) {
        continue;
      }
      const cv::Mat patch = y0(cv::Rect(gx - kHalf, gy - kHalf, 2 * kHalf + 1, 2 * kHalf + 1));
      const cv::Point search_origin(cvRound(p1.x) - kHalf - kSearch, cvRound(p1.y) - kHalf - kSearch);
      const cv::Mat search =
          y1(cv::Rect(search_origin, cv::Size(2 * (kHalf + kSearch) + 1, 2 * (kHalf + kSearch) + 1)));
      cv::Mat response;
      cv::matchTemplate(search, patch, response, cv::TM_CCOEFF_NORMED);
      double best = 0;
      cv::Point peak;
      cv::minMaxLoc(response, nullptr, &best, nullptr, &peak);
      const cv::Point2d found =
          refined_peak(response, peak) + cv::Point2d(search_origin.x + kHalf, search_origin.y + kHalf);
      EXPECT_GT(best, 0.8) << "patch at " << p0;
      EXPECT_LT(std::hypot(found.x - p1.x, found.y - p1.y), 1.5)
          << "patch at " << p0 << " predicted " << p1 << " found " << found;
      largest_shift = std::max(largest_shift, std::hypot(p1.x - p0.x, p1.y - p0.y));
      ++checked;
    }
  }
  EXPECT_GE(checked, 5);
  EXPECT_GT(largest_shift, 10.0);
}

TEST(SyntheticSceneTest, OnlyTheInstrumentsMoveAgainstTheTissue) {
  SyntheticScene scene(kWidth, kHeight, 9);
  const nanoseconds t0 = milliseconds{5'000};
  const nanoseconds t1 = milliseconds{5'400};
  auto frame0 = render(scene, t0);
  auto frame1 = render(scene, t1);
  // Predict frame 1 from frame 0 by the tissue motion alone.
  cv::Mat predicted;
  cv::warpAffine(luma(frame0, kWidth, kHeight), predicted, scene.tissue_motion(t0, t1),
                 cv::Size(kWidth, kHeight), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::Mat error;
  cv::absdiff(predicted, luma(frame1, kWidth, kHeight), error);
  const cv::Mat interior = error(cv::Rect(40, 40, kWidth - 80, kHeight - 80));
  const double mismatched = cv::countNonZero(interior > 40) / static_cast<double>(interior.total());
  // The tissue (most of the picture) is predicted well; the independently moving instruments are not.
  EXPECT_LT(cv::mean(interior)[0], 8.0);
  EXPECT_GT(mismatched, 0.002);
  EXPECT_LT(mismatched, 0.2);
}

}  // namespace
}  // namespace surgilink::media
