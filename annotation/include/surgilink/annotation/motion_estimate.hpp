#pragma once
// How the picture moved between two frames: sparse optical flow with a forward-backward check, then a RANSAC
// homography, so moving instruments (outliers) do not drag the tissue estimate with them.

#include <vector>

#include <opencv2/core.hpp>

namespace surgilink::annotation {

// Tuning of estimate_motion(); the defaults suit 480-px-wide pictures. Plain value type; any thread.
struct MotionSettings {
  int max_features = 300;
  double feature_quality = 0.01;  // goodFeaturesToTrack qualityLevel
  double feature_spacing_px = 8;  // goodFeaturesToTrack minDistance, small-picture pixels
  int window_px = 15;             // Lucas-Kanade window side
  int pyramid_levels = 3;         // follows about 2^levels * window/2 px of motion
  double forward_backward_px =
      0.5;  // a feature tracked there and back must land this close to where it began
  // Mean absolute grey difference of a tracked feature's window: above it, Lucas-Kanade "found" something
  // that does not look like the feature (a cut, smoke, unrelated pictures converge to nearby garbage).
  double max_patch_error = 20.0;
  double ransac_px = 1.0;  // inlier distance, small-picture pixels
  int min_inliers = 15;
  int coverage_cells = 4;  // coverage counted on a cells x cells grid
  // Burnt-in overlays of the source (an endoscope's on-screen text, the timestamp code), as fractions of the
  // picture: no features are taken there. Their sharp corners would be the strongest in the picture, and they
  // do not move with the tissue.
  std::vector<cv::Rect2f> ignore;
};

// Result of one estimate. Plain value type; any thread.
struct MotionEstimate {
  cv::Matx33d homography = cv::Matx33d::eye();  // from-frame pixels -> to-frame pixels, at full frame size
  // 0..1: (inliers / features found) x (fraction of grid cells holding an inlier). 0 when it failed: too few
  // features or inliers, or an implausible homography (it is then the identity).
  double confidence = 0.0;
  int features = 0;
  int inliers = 0;
};

// A picture estimates start from, with its features and image pyramid found once: a key frame serves a dozen
// estimates, and finding features is a third of the cost of one. Build with prepare_motion_origin(). Any
// thread.
struct MotionOrigin {
  cv::Mat grey;
  std::vector<cv::Point2f> features;
  std::vector<cv::Mat> pyramid;
};

MotionOrigin prepare_motion_origin(const cv::Mat& grey, const MotionSettings& settings = {});

// Estimates the motion from `from_grey` to `to_grey` (CV_8UC1, the same small size) and expresses it in
// pixels of a frame of `full_frame` size (pixel centres on integer coordinates). Never throws for bad input:
// pictures of different sizes or types give a zero-confidence estimate. Any thread.
MotionEstimate estimate_motion(const cv::Mat& from_grey, const cv::Mat& to_grey, cv::Size full_frame,
                               const MotionSettings& settings = {});
// Same from a prepared origin (made with the same settings).
MotionEstimate estimate_motion(const MotionOrigin& from, const cv::Mat& to_grey, cv::Size full_frame,
                               const MotionSettings& settings = {});

}  // namespace surgilink::annotation
