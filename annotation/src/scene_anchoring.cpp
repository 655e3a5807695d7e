#include "surgilink/annotation/scene_anchoring.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace surgilink::annotation {

namespace {

// How much one estimate moves an annotation's running confidence.
constexpr double kConfidenceWeight = 0.3;

// |a - b| <= gap without overflow, whatever times a console sent.
bool within(core::CaptureTime a, core::CaptureTime b, std::chrono::nanoseconds gap) {
  const auto x = static_cast<std::uint64_t>(a.time_since_epoch().count());
  const auto y = static_cast<std::uint64_t>(b.time_since_epoch().count());
  const std::uint64_t distance = a >= b ? x - y : y - x;
  return gap.count() >= 0 && distance <= static_cast<std::uint64_t>(gap.count());
}

cv::Size checked_small_size(cv::Size full, int small_width) {
  if (full.width <= 0 || full.height <= 0 || small_width <= 0) {
    throw std::invalid_argument("SceneAnchoring needs a positive frame size and small width");
  }
  return small_size(full, small_width);
}

}  // namespace

SceneAnchoring::SceneAnchoring(cv::Size full_frame, AnchoringSettings settings)
    : full_(full_frame),
      settings_(settings),
      small_(checked_small_size(full_frame, settings.small_width)),
      history_(settings.history_span) {}

bool SceneAnchoring::track(core::CaptureTime capture_time, const cv::Mat& luma, const Scene& scene) {
  if (luma.type() != CV_8UC1 || luma.size() != full_) {
    faults_.add(core::Fault::kMalformed);
    return false;
  }
  return track_small(capture_time, downscale_luma(luma, small_), scene);
}

bool SceneAnchoring::track_small(core::CaptureTime capture_time, const cv::Mat& grey_small,
                                 const Scene& scene) {
  const HistoryFrame* newest = history_.newest();
  if (grey_small.type() != CV_8UC1 || grey_small.size() != small_ ||
      (newest != nullptr && capture_time <= newest->capture_time)) {
    faults_.add(core::Fault::kMalformed);
    return false;
  }
  history_.push(capture_time, grey_small);
  // The chain keeps no frame the history has dropped.
  if (const HistoryFrame* oldest = history_.oldest())
    chained_.erase(chained_.begin(), chained_.lower_bound(oldest->capture_time));
  // Forget annotations that are gone, and those re-made with another reference (a pointer that moved).
  std::erase_if(tracks_, [&scene](const auto& entry) {
    const Annotation* a = scene.find(entry.first);
    return a == nullptr || a->reference_capture != entry.second.reference;
  });
  for (const auto& annotation : scene.annotations) {
    if (!tracks_.contains(annotation->id))
      tracks_.emplace(annotation->id, Track{annotation->reference_capture});
  }
  follow_key(grey_small);
  place_new(capture_time, grey_small);
  renew_key(capture_time, grey_small);
  publish(scene);
  return true;
}

void SceneAnchoring::follow_key(const cv::Mat& grey_small) {
  last_estimate_ = MotionEstimate{};
  key_followed_ = false;
  const bool any_on_key =
      std::any_of(tracks_.begin(), tracks_.end(), [](const auto& e) { return e.second.on_key; });
  const HistoryFrame* key = key_time_ ? history_.at(*key_time_) : nullptr;
  if (!any_on_key || key == nullptr) {
    // Nobody to carry, or the key frame left the history while the picture was unusable: those annotations
    // can no longer be placed and stay where they were, uncertain.
    key_time_.reset();
    key_origin_ = MotionOrigin{};
    for (auto& [id, track] : tracks_) {
      if (track.on_key) {
        track.on_key = false;
        track.anchorable = false;
        track.confident = false;
      }
    }
    return;
  }
  last_estimate_ = estimate_motion(key_origin_, grey_small, full_, settings_.motion);
  key_followed_ = last_estimate_.confidence >= settings_.confident_above;
  if (key_followed_)
    chained_[history_.newest()->capture_time] = Chained{chain_, last_estimate_.homography * key_from_origin_};
  for (auto& [id, track] : tracks_) {
    if (!track.on_key) continue;
    track.confident = key_followed_;
    if (key_followed_) {
      track.placement = last_estimate_.homography * track.to_key;
      track.confidence =
          (1.0 - kConfidenceWeight) * track.confidence + kConfidenceWeight * last_estimate_.confidence;
    }
  }
}

void SceneAnchoring::place_new(core::CaptureTime capture_time, const cv::Mat& grey_small) {
  // New annotations drawn on the same frame share one estimate.
  std::map<core::CaptureTime, MotionEstimate> estimates;
  for (auto& [id, track] : tracks_) {
    if (track.on_key || !track.anchorable) continue;
    const HistoryFrame* reference = history_.nearest(track.reference);
    if (reference == nullptr ||
        !within(reference->capture_time, track.reference, settings_.max_reference_gap)) {
      // Older than the history (or from a clock far off): drawn where the mentor drew it, uncertain.
      track.anchorable = false;
      continue;
    }
    if (const auto chained = through_chain(reference->capture_time, capture_time)) {
      track.placement = *chained;
      track.confidence = last_estimate_.confidence;
      track.confident = true;
      track.to_key = last_estimate_.homography.inv() * track.placement;
      track.on_key = true;
      continue;
    }
    auto known = estimates.find(reference->capture_time);
    if (known == estimates.end()) {
      if (static_cast<int>(estimates.size()) >= settings_.max_new_per_frame) continue;
      MotionEstimate motion;
      if (reference->capture_time == capture_time) {
        motion.confidence = 1.0;  // drawn on the very frame shown now
      } else {
        motion = estimate_motion(reference->grey, grey_small, full_, settings_.motion);
      }
      known = estimates.emplace(reference->capture_time, motion).first;
    }
    const MotionEstimate& motion = known->second;
    track.confidence = motion.confidence;
    if (motion.confidence < settings_.confident_above) continue;  // tried again next frame
    track.placement = motion.homography;
    track.confident = true;
    // Join the key frame: reference -> key = (key -> current)^-1 x (reference -> current). With no key frame
    // (or one not matched this frame) the current frame becomes the key for everyone placed on it.
    if (!key_time_) {
      key_time_ = capture_time;
      key_origin_ = prepare_motion_origin(grey_small, settings_.motion);
      key_followed_ = true;
      last_estimate_ = MotionEstimate{cv::Matx33d::eye(), 1.0, 0, 0};
      // A new chain, starting at this key frame.
      ++chain_;
      key_from_origin_ = cv::Matx33d::eye();
      chained_[capture_time] = Chained{chain_, key_from_origin_};
    }
    if (key_followed_) {
      track.to_key = last_estimate_.homography.inv() * track.placement;
      track.on_key = true;
    }
  }
}

void SceneAnchoring::renew_key(core::CaptureTime capture_time, const cv::Mat& grey_small) {
  if (!key_time_ || !key_followed_ || capture_time - *key_time_ < settings_.key_frame_interval) return;
  key_time_ = capture_time;
  key_origin_ = prepare_motion_origin(grey_small, settings_.motion);
  if (const auto found = chained_.find(capture_time); found != chained_.end())
    key_from_origin_ = found->second.from_origin;
  for (auto& [id, track] : tracks_) {
    if (track.on_key) track.to_key = track.placement;
  }
}

std::optional<cv::Matx33d> SceneAnchoring::through_chain(core::CaptureTime reference,
                                                         core::CaptureTime current) const {
  const auto from = chained_.find(reference);
  const auto to = chained_.find(current);
  if (from == chained_.end() || to == chained_.end() || from->second.chain != to->second.chain)
    return std::nullopt;
  // reference -> current = (origin -> current) x (origin -> reference)^-1
  return to->second.from_origin * from->second.from_origin.inv();
}

void SceneAnchoring::publish(const Scene& scene) {
  placements_.clear();
  for (const auto& annotation : scene.annotations) {
    const auto found = tracks_.find(annotation->id);
    if (found == tracks_.end()) continue;
    const Track& track = found->second;
    Placement p;
    p.homography = track.placement;
    p.confidence = track.confidence;
    p.position_uncertain = !track.confident || track.confidence < settings_.confident_above;
    p.opacity = p.position_uncertain ? settings_.uncertain_opacity : 1.0F;
    placements_.emplace(annotation->id, p);
  }
}

}  // namespace surgilink::annotation
