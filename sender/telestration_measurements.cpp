#include "telestration_measurements.hpp"

#include <algorithm>
#include <cmath>

namespace surgilink::sender {

namespace {

constexpr std::size_t kMaxCompositeRecords = 200'000;
constexpr std::size_t kPointsPerAnnotation = 8;  // spread along the annotation: enough, and bounded work

cv::Point2d apply(const cv::Matx23d& m, cv::Point2d p) {
  return {m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2), m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2)};
}

}  // namespace

TelestrationMeasurements::TelestrationMeasurements(const core::Clock& clock,
                                                   std::shared_ptr<const media::SyntheticTruth> truth,
                                                   cv::Size frame_size, std::size_t error_samples)
    : clock_(clock), truth_(std::move(truth)), size_(frame_size), error_samples_(error_samples) {
  if (!truth_) return;
  // The whole reservoir at once: growing it by doubling would leave freed blocks behind in the allocator.
  figures_.anchored_px.reserve(error_samples_);
  figures_.unanchored_px.reserve(error_samples_);
}

void TelestrationMeasurements::on_composited(const annotation::Scene& scene,
                                             const annotation::Placements& placements,
                                             core::CaptureTime capture, std::chrono::nanoseconds tracking,
                                             std::chrono::nanoseconds compositing) {
  const core::CaptureTime now = clock_.now();
  std::lock_guard lock(mutex_);
  if (scene.version != last_version_) {
    last_version_ = scene.version;
    if (figures_.first_composited.size() < kMaxCompositeRecords) {
      figures_.first_composited.emplace_back(scene.version, now);
      figures_.first_composited_capture.push_back(capture);
    }
  }
  ++figures_.frames_with_annotations;
  if (figures_.tracking_ms.size() < kMaxCompositeRecords) {
    figures_.tracking_ms.push_back(std::chrono::duration<double, std::milli>(tracking).count());
    figures_.compositing_ms.push_back(std::chrono::duration<double, std::milli>(compositing).count());
  }
  figures_.most_annotations = std::max(figures_.most_annotations, scene.annotations.size());
  if (!truth_) return;
  if (previous_capture_) {
    if (const auto step = truth_->tissue_motion(*previous_capture_, capture)) {
      const cv::Point2d centre((size_.width - 1) / 2.0, (size_.height - 1) / 2.0);
      const cv::Point2d moved = apply(*step, centre);
      const double seconds = std::chrono::duration<double>(capture - *previous_capture_).count();
      if (seconds > 0) {
        pan_sum_ += std::hypot(moved.x - centre.x, moved.y - centre.y) / seconds;
        ++pan_samples_;
        figures_.pan_px_per_s = pan_sum_ / static_cast<double>(pan_samples_);
      }
    }
  }
  previous_capture_ = capture;
  for (const auto& a : scene.annotations) {
    if (a->points.empty()) continue;
    const auto truth = truth_->tissue_motion(a->reference_capture, capture);
    if (!truth) continue;  // drawn on a frame this sender no longer (or never) knew
    const auto placed = placements.find(a->id);
    const cv::Matx33d h = placed == placements.end() ? cv::Matx33d::eye() : placed->second.homography;
    ++figures_.annotation_frames;
    if (placed == placements.end()) ++figures_.annotation_frames_unplaced;
    if (placed != placements.end() && placed->second.position_uncertain)
      ++figures_.annotation_frames_uncertain;
    const std::size_t step = std::max<std::size_t>(1, a->points.size() / kPointsPerAnnotation);
    for (std::size_t i = 0; i < a->points.size(); i += step) {
      const cv::Point2d drawn = annotation::to_pixels(a->points[i], size_);
      const cv::Point2d where = apply(*truth, drawn);
      const cv::Point2d shown = annotation::map_point(h, drawn);
      keep_error(std::hypot(shown.x - where.x, shown.y - where.y),
                 std::hypot(drawn.x - where.x, drawn.y - where.y));
    }
  }
}

void TelestrationMeasurements::keep_error(double anchored, double unanchored) {
  // Reservoir sampling (Vitter's algorithm R): after n offers each one is kept with probability capacity / n.
  const std::uint64_t seen = errors_seen_++;
  if (seen < error_samples_) {
    figures_.anchored_px.push_back(anchored);
    figures_.unanchored_px.push_back(unanchored);
    return;
  }
  const auto slot = std::uniform_int_distribution<std::uint64_t>(0, seen)(reservoir_random_);
  if (slot >= error_samples_) return;
  figures_.anchored_px[static_cast<std::size_t>(slot)] = anchored;
  figures_.unanchored_px[static_cast<std::size_t>(slot)] = unanchored;
}

TelestrationMeasurements::Figures TelestrationMeasurements::figures() const {
  std::lock_guard lock(mutex_);
  return figures_;
}

}  // namespace surgilink::sender
