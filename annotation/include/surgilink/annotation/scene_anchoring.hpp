#pragma once
// Motion anchoring: keeps each annotation on the tissue the mentor drew it on, although the mentor saw the
// picture ~latency ago and the laparoscope keeps moving.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include <opencv2/core.hpp>

#include "surgilink/annotation/frame_history.hpp"
#include "surgilink/annotation/motion_estimate.hpp"
#include "surgilink/annotation/placement.hpp"
#include "surgilink/annotation/scene.hpp"
#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"

namespace surgilink::annotation {

// Tuning of SceneAnchoring. Plain value type; any thread.
struct AnchoringSettings {
  int small_width = kSmallWidth;                                    // width motion is estimated at
  std::chrono::nanoseconds history_span = std::chrono::seconds{2};  // how old a reference frame may be
  // A reference capture farther than this from every frame in the history cannot be anchored.
  std::chrono::nanoseconds max_reference_gap = std::chrono::milliseconds{20};
  // How long one key frame serves before the current frame replaces it (see SceneAnchoring).
  std::chrono::nanoseconds key_frame_interval = std::chrono::milliseconds{400};
  double confident_above = 0.25;    // below: "position uncertain", drawn faded
  float uncertain_opacity = 0.35F;  // opacity of an uncertain annotation
  int max_new_per_frame = 2;        // first placements estimated per frame; more wait for the next frame
  MotionSettings motion;
};

// For each displayed frame, places every live annotation of the scene on it.
//
// A new annotation is placed from its reference frame (found in the history by capture time) to the current
// frame. While a key frame is being followed, every followed frame's motion from the key is kept, chained
// across key renewals, so an annotation drawn on one of them is placed at once by composing the two — no
// estimate of its own, however many annotations or pointer moves arrive. Otherwise (the first annotation,
// or a reference from before the chain began) it takes one estimate from its reference frame. Placed
// annotations are then all expressed against one key frame, and each frame costs one estimate, key frame ->
// current frame, whatever the number of annotations. The key frame is replaced by the current one every
// key_frame_interval: estimating across a few hundred milliseconds rather than one frame keeps instruments,
// which move slowly against the tissue, out of the inliers, and errors add up only once per key frame instead
// of once per frame. When the estimate is not confident (smoke, a cut, the scope wiped), annotations stay
// where they were, faded and flagged uncertain, and snap back as soon as the current frame matches the key
// frame again, for as long as the key frame is in the history.
//
// One thread at a time (the OR display's frame thread).
class SceneAnchoring {
 public:
  // Throws std::invalid_argument for a non-positive frame size or small width.
  explicit SceneAnchoring(cv::Size full_frame, AnchoringSettings settings = {});

  // Feeds the next frame in capture order: its full-size luma (CV_8UC1 of the frame size; a header over an
  // I420 frame's Y plane works). Returns false, counting kMalformed and changing nothing, for a picture of
  // another size or type or a capture time not after the previous one.
  bool track(core::CaptureTime capture_time, const cv::Mat& luma, const Scene& scene);
  // Same with the picture already reduced to small_size() (CV_8UC1). The picture is kept in the history
  // without a copy: the caller must not write into it afterwards.
  bool track_small(core::CaptureTime capture_time, const cv::Mat& grey_small, const Scene& scene);

  // Placement of every annotation of the scene last tracked, by id.
  const Placements& placements() const { return placements_; }
  const FrameHistory& history() const { return history_; }
  cv::Size small_size() const { return small_; }
  // The last key frame -> current frame estimate (zero confidence when none was needed).
  const MotionEstimate& last_estimate() const { return last_estimate_; }
  const core::FaultCounters& faults() const { return faults_; }

 private:
  // One annotation's placement as it is carried from frame to frame.
  struct Track {
    core::CaptureTime reference;                 // the annotation's reference capture when tracking began
    bool on_key = false;                         // to_key is valid: it follows the key frame's motion
    bool anchorable = true;                      // its reference frame was in the history
    cv::Matx33d to_key = cv::Matx33d::eye();     // reference frame -> key frame
    cv::Matx33d placement = cv::Matx33d::eye();  // reference frame -> current frame
    double confidence = 0.0;
    bool confident = false;  // placed by a confident estimate on the current frame
  };

  void follow_key(const cv::Mat& grey_small);
  void place_new(core::CaptureTime capture_time, const cv::Mat& grey_small);
  void renew_key(core::CaptureTime capture_time, const cv::Mat& grey_small);
  void publish(const Scene& scene);
  // reference frame -> current frame through the chain of followed frames, when both are on it.
  std::optional<cv::Matx33d> through_chain(core::CaptureTime reference, core::CaptureTime current) const;

  const cv::Size full_;
  const AnchoringSettings settings_;
  const cv::Size small_;
  FrameHistory history_;
  std::unordered_map<std::string, Track> tracks_;
  std::optional<core::CaptureTime> key_time_;
  MotionOrigin key_origin_;  // the key frame's features and pyramid, found once per key frame
  MotionEstimate last_estimate_;
  bool key_followed_ = false;  // last_estimate_ is a confident key -> current estimate for this frame
  // The chain: for each followed frame in the history, the motion from the chain's origin (its first key) to
  // it. A key lost (no confident estimate while it was still needed) starts a new chain.
  struct Chained {
    std::uint64_t chain = 0;
    cv::Matx33d from_origin = cv::Matx33d::eye();
  };
  std::map<core::CaptureTime, Chained> chained_;
  std::uint64_t chain_ = 0;
  cv::Matx33d key_from_origin_ = cv::Matx33d::eye();
  Placements placements_;
  core::FaultCounters faults_;
};

}  // namespace surgilink::annotation
