#pragma once
// The mentor's annotations on the OR display: the sender's canonical scene, anchored to the moving tissue
// and composited over the live picture (DESIGN.md §5, §8). Only the OR display gets them drawn in; the
// mentor's consoles draw the same scene themselves.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "surgilink/annotation/annotation_layer.hpp"
#include "surgilink/annotation/placed_frame.hpp"
#include "surgilink/annotation/scene_anchoring.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::sender {

class StaleAnnotations;
class TelestrationMeasurements;

// Everything runs on the OR display's streaming thread; the scene comes as an atomic snapshot.
class OrAnnotationOverlay : public media::OrDisplayOverlay {
 public:
  using SceneSource = std::function<std::shared_ptr<const annotation::Scene>()>;
  // Throws std::invalid_argument for a non-positive frame size. `measurements` (may be null) is told about
  // every composited frame.
  OrAnnotationOverlay(int width, int height, SceneSource scene,
                      std::shared_ptr<TelestrationMeasurements> measurements = nullptr,
                      annotation::AnchoringSettings anchoring = {});

  // While `hidden()` is true nothing is drawn, but tracking goes on, so the annotations come back in place.
  void set_hidden_source(std::function<bool()> hidden) { hidden_ = std::move(hidden); }
  // Departed mentors' annotations are drawn fading out, by author (DESIGN.md §8).
  void set_fade(std::shared_ptr<const StaleAnnotations> fade) { fade_ = std::move(fade); }
  // Told, on this (the frame) thread, the placements a composited frame changed enough to record
  // (annotation::PlacementChanges), while want_placements(true) holds: it must hand them on (a post to the
  // network thread) and never block. Set before the pipeline starts.
  using PlacementListener = std::function<void(annotation::PlacedFrame)>;
  void set_placement_listener(PlacementListener listener, annotation::PlacementChangeSettings settings = {}) {
    placed_ = std::move(listener);
    placement_settings_ = settings;
  }
  // Any thread (the network thread, as a recording starts and stops). On: from the next composited frame the
  // listener hears every placement afresh, then the changes; off: nothing is compared or handed on.
  void want_placements(bool on);

  void observe(const media::VideoFrame& frame) override;
  bool has_content() const override;
  void draw(media::I420Picture picture, core::CaptureTime capture_time) override;

 private:
  SceneSource source_;
  std::shared_ptr<TelestrationMeasurements> measurements_;
  std::function<bool()> hidden_;
  std::shared_ptr<const StaleAnnotations> fade_;
  annotation::Placements faded_;  // the anchoring's placements with the fade applied, reused per frame
  annotation::SceneAnchoring anchoring_;
  annotation::AnnotationLayer layer_;
  std::shared_ptr<const annotation::Scene> scene_;  // as of the last observed frame
  std::chrono::nanoseconds tracking_{0};            // spent in observe() on the current frame
  PlacementListener placed_;
  annotation::PlacementChangeSettings placement_settings_;
  annotation::PlacementChanges placement_changes_;
  // 0: placements not wanted; each want_placements(true) a new number, so the frame thread starts afresh.
  std::atomic<std::uint64_t> placement_generation_{0};
  std::uint64_t placements_asked_ = 0;  // network side: the last number handed out
  std::uint64_t placements_seen_ = 0;   // frame thread: the number its changes started with
  cv::Size frame_size_;
};

// Several overlays on one display, drawn in order (annotations first, badges on top).
class OrDisplayLayers : public media::OrDisplayOverlay {
 public:
  explicit OrDisplayLayers(std::vector<std::shared_ptr<media::OrDisplayOverlay>> layers)
      : layers_(std::move(layers)) {}
  void observe(const media::VideoFrame& frame) override;
  bool has_content() const override;
  void draw(media::I420Picture picture, core::CaptureTime capture_time) override;

 private:
  std::vector<std::shared_ptr<media::OrDisplayOverlay>> layers_;
};

}  // namespace surgilink::sender
