#include "or_annotation_overlay.hpp"

#include <algorithm>

#include "stale_annotations.hpp"
#include "telestration_measurements.hpp"

namespace surgilink::sender {

OrAnnotationOverlay::OrAnnotationOverlay(int width, int height, SceneSource scene,
                                         std::shared_ptr<TelestrationMeasurements> measurements,
                                         annotation::AnchoringSettings anchoring)
    : source_(std::move(scene)),
      measurements_(std::move(measurements)),
      anchoring_(cv::Size(width, height), std::move(anchoring)),
      layer_(cv::Size(width, height)),
      frame_size_(width, height) {}

void OrAnnotationOverlay::observe(const media::VideoFrame& frame) {
  scene_ = source_();
  if (!scene_) return;
  // A header over the Y plane: no copy. Every frame goes into the history, annotations or not, because the
  // mentor's next stroke refers to a picture that is already ~latency old.
  const cv::Mat luma(frame.height(), frame.width(), CV_8UC1, const_cast<std::uint8_t*>(frame.plane(0)),
                     static_cast<std::size_t>(frame.stride(0)));
  const auto began = std::chrono::steady_clock::now();
  anchoring_.track(frame.capture_time(), luma, *scene_);
  tracking_ = std::chrono::steady_clock::now() - began;
}

void OrAnnotationOverlay::want_placements(bool on) {
  placement_generation_.store(on ? ++placements_asked_ : 0, std::memory_order_release);
}

bool OrAnnotationOverlay::has_content() const {
  return scene_ && !scene_->annotations.empty() && !(hidden_ && hidden_());
}

void OrAnnotationOverlay::draw(media::I420Picture p, core::CaptureTime capture_time) {
  const auto began = std::chrono::steady_clock::now();
  // The newest scene, not the one tracking started with: an operation that arrived while this frame was
  // being tracked shows now instead of a frame later. Extends move with their annotation's placement at once;
  // a just-begun annotation is drawn where the mentor drew it for this one frame, anchored from the next.
  if (auto newest = source_(); newest && !newest->annotations.empty()) scene_ = std::move(newest);
  const annotation::Placements* placements = &anchoring_.placements();
  // One lock a frame while nothing fades; the placements are copied only while something does.
  if (fade_ && fade_->fading()) {
    faded_ = *placements;
    bool fading = false;
    for (const auto& a : scene_->annotations) {
      const float opacity = fade_->opacity(a->author, capture_time);
      if (opacity >= 1.0F) continue;
      faded_[a->id].opacity *= opacity;  // an annotation without a placement is drawn as drawn, faded
      fading = true;
    }
    if (fading) placements = &faded_;
  }
  layer_.update(scene_, *placements);
  // As the surgeon sees them (faded ones too), for the recording: only what changed, at most 10 times a
  // second.
  if (const auto generation = placement_generation_.load(std::memory_order_acquire);
      placed_ && generation != 0) {
    if (generation != placements_seen_) {
      placement_changes_ = annotation::PlacementChanges(placement_settings_);  // a new recording: all afresh
      placements_seen_ = generation;
    }
    if (auto changed = placement_changes_.take(capture_time, frame_size_, *scene_, *placements))
      placed_(std::move(*changed));
  }
  layer_.blend_onto_i420(p.planes[0], p.strides[0], p.planes[1], p.strides[1], p.planes[2], p.strides[2],
                         p.width, p.height);
  if (measurements_) {
    measurements_->on_composited(*scene_, anchoring_.placements(), capture_time, tracking_,
                                 std::chrono::steady_clock::now() - began);
  }
}

void OrDisplayLayers::observe(const media::VideoFrame& frame) {
  for (const auto& layer : layers_) layer->observe(frame);
}

bool OrDisplayLayers::has_content() const {
  return std::any_of(layers_.begin(), layers_.end(), [](const auto& layer) { return layer->has_content(); });
}

void OrDisplayLayers::draw(media::I420Picture picture, core::CaptureTime capture_time) {
  for (const auto& layer : layers_) {
    if (layer->has_content()) layer->draw(picture, capture_time);
  }
}

}  // namespace surgilink::sender
