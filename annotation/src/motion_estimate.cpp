#include "surgilink/annotation/motion_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

namespace surgilink::annotation {

namespace {

// Maps full-frame pixels to small-picture pixels (both with pixel centres on integers).
cv::Matx33d full_to_small(cv::Size full, cv::Size small) {
  const double sx = static_cast<double>(small.width) / full.width;
  const double sy = static_cast<double>(small.height) / full.height;
  return {sx, 0.0, 0.5 * sx - 0.5, 0.0, sy, 0.5 * sy - 0.5, 0.0, 0.0, 1.0};
}

// A camera that pans, zooms and turns a little between two frames: no mirror, no collapse, no strong tilt.
bool plausible(const cv::Matx33d& h, cv::Size small) {
  const double det = h(0, 0) * h(1, 1) - h(0, 1) * h(1, 0);
  const double tilt = (std::abs(h(2, 0)) + std::abs(h(2, 1))) * std::max(small.width, small.height);
  return std::isfinite(det) && det > 0.5 && det < 2.0 && tilt < 0.2;
}

}  // namespace

MotionOrigin prepare_motion_origin(const cv::Mat& grey, const MotionSettings& settings) {
  MotionOrigin origin;
  if (grey.empty() || grey.type() != CV_8UC1) return origin;
  origin.grey = grey;
  cv::Mat mask;
  if (!settings.ignore.empty()) {
    mask = cv::Mat(grey.size(), CV_8UC1, cv::Scalar(255));
    for (const cv::Rect2f& area : settings.ignore) {
      const cv::Rect pixels(
          cv::Point(static_cast<int>(std::floor(area.x * static_cast<float>(grey.cols))),
                    static_cast<int>(std::floor(area.y * static_cast<float>(grey.rows)))),
          cv::Point(static_cast<int>(std::ceil(area.br().x * static_cast<float>(grey.cols))),
                    static_cast<int>(std::ceil(area.br().y * static_cast<float>(grey.rows)))));
      mask(pixels & cv::Rect({0, 0}, grey.size())).setTo(0);
    }
  }
  cv::goodFeaturesToTrack(grey, origin.features, settings.max_features, settings.feature_quality,
                          settings.feature_spacing_px, mask);
  // One pyramid per picture serves both directions of the forward-backward check.
  cv::buildOpticalFlowPyramid(grey, origin.pyramid, cv::Size(settings.window_px, settings.window_px),
                              settings.pyramid_levels);
  return origin;
}

MotionEstimate estimate_motion(const cv::Mat& from_grey, const cv::Mat& to_grey, cv::Size full_frame,
                               const MotionSettings& settings) {
  if (from_grey.empty() || from_grey.type() != CV_8UC1 || from_grey.size() != to_grey.size()) return {};
  return estimate_motion(prepare_motion_origin(from_grey, settings), to_grey, full_frame, settings);
}

MotionEstimate estimate_motion(const MotionOrigin& from, const cv::Mat& to_grey, cv::Size full_frame,
                               const MotionSettings& settings) {
  MotionEstimate estimate;
  if (from.grey.empty() || from.pyramid.empty() || to_grey.type() != CV_8UC1 ||
      from.grey.size() != to_grey.size() || full_frame.width <= 0 || full_frame.height <= 0) {
    return estimate;
  }
  const cv::Size small = from.grey.size();
  const std::vector<cv::Point2f>& features = from.features;
  estimate.features = static_cast<int>(features.size());
  if (estimate.features < settings.min_inliers) return estimate;

  const cv::Size window(settings.window_px, settings.window_px);
  const std::vector<cv::Mat>& from_pyramid = from.pyramid;
  std::vector<cv::Mat> to_pyramid;
  cv::buildOpticalFlowPyramid(to_grey, to_pyramid, window, settings.pyramid_levels);
  const cv::TermCriteria stop(cv::TermCriteria::COUNT | cv::TermCriteria::EPS, 20, 0.03);
  std::vector<cv::Point2f> forward;
  std::vector<cv::Point2f> backward;
  std::vector<std::uint8_t> forward_found;
  std::vector<std::uint8_t> backward_found;
  std::vector<float> forward_errors;
  std::vector<float> backward_errors;
  cv::calcOpticalFlowPyrLK(from_pyramid, to_pyramid, features, forward, forward_found, forward_errors, window,
                           settings.pyramid_levels, stop);
  cv::calcOpticalFlowPyrLK(to_pyramid, from_pyramid, forward, backward, backward_found, backward_errors,
                           window, settings.pyramid_levels, stop);

  std::vector<cv::Point2f> from_points;
  std::vector<cv::Point2f> to_points;
  const double limit_sq = settings.forward_backward_px * settings.forward_backward_px;
  for (std::size_t i = 0; i < features.size(); ++i) {
    if (forward_found[i] == 0 || backward_found[i] == 0) continue;
    if (forward_errors[i] > settings.max_patch_error) continue;
    const cv::Point2f round_trip = backward[i] - features[i];
    if (round_trip.dot(round_trip) > limit_sq) continue;
    from_points.push_back(features[i]);
    to_points.push_back(forward[i]);
  }
  if (static_cast<int>(from_points.size()) < settings.min_inliers) return estimate;

  std::vector<std::uint8_t> inlier_mask;
  const cv::Mat found =
      cv::findHomography(from_points, to_points, cv::RANSAC, settings.ransac_px, inlier_mask, 2000, 0.995);
  if (found.empty()) return estimate;
  const cv::Matx33d h_small(found);
  if (!plausible(h_small, small)) return estimate;

  const int cells = std::max(1, settings.coverage_cells);
  std::vector<bool> covered(static_cast<std::size_t>(cells * cells), false);
  int inliers = 0;
  for (std::size_t i = 0; i < from_points.size(); ++i) {
    if (inlier_mask[i] == 0) continue;
    ++inliers;
    const int cx = std::clamp(static_cast<int>(from_points[i].x * cells / small.width), 0, cells - 1);
    const int cy = std::clamp(static_cast<int>(from_points[i].y * cells / small.height), 0, cells - 1);
    covered[static_cast<std::size_t>(cy * cells + cx)] = true;
  }
  if (inliers < settings.min_inliers) return estimate;

  const cv::Matx33d to_small = full_to_small(full_frame, small);
  cv::Matx33d h_full = to_small.inv() * h_small * to_small;
  h_full *= 1.0 / h_full(2, 2);
  const double coverage = static_cast<double>(std::count(covered.begin(), covered.end(), true)) /
                          static_cast<double>(covered.size());
  estimate.homography = h_full;
  estimate.inliers = inliers;
  estimate.confidence = static_cast<double>(inliers) / estimate.features * coverage;
  return estimate;
}

}  // namespace surgilink::annotation
