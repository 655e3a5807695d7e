#pragma once
// Figures about the mentor's annotations on the OR display, for the benchmark (surgilink-bench
// --annotations): when each scene version was first composited, and, with the synthetic source whose motion
// is known exactly, how far anchoring put each annotation from where its tissue really is.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include <opencv2/core/types.hpp>

#include "surgilink/annotation/placement.hpp"
#include "surgilink/annotation/scene.hpp"
#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/synthetic_truth.hpp"

namespace surgilink::sender {

// Written on the OR display's streaming thread, read at exit by the report. Bounded memory however long the
// case: the anchoring errors are a uniform random sample (reservoir) of at most `error_samples` of each kind,
// enough for their percentiles.
class TelestrationMeasurements {
 public:
  static constexpr std::size_t kDefaultErrorSamples = 200'000;

  // `truth` may be null (a camera): then only composite times are kept.
  TelestrationMeasurements(const core::Clock& clock, std::shared_ptr<const media::SyntheticTruth> truth,
                           cv::Size frame_size, std::size_t error_samples = kDefaultErrorSamples);

  // The scene was just composited into the OR display picture captured at `capture`, each annotation where
  // `placements` put it.
  // `tracking` and `compositing` are the time the overlay spent on this frame anchoring and drawing.
  void on_composited(const annotation::Scene& scene, const annotation::Placements& placements,
                     core::CaptureTime capture, std::chrono::nanoseconds tracking,
                     std::chrono::nanoseconds compositing);

  struct Figures {
    // (scene version, sender clock when a picture with it was first composited), in order.
    std::vector<std::pair<std::uint64_t, core::CaptureTime>> first_composited;
    // The capture time of that picture, same order: the OR window shows it (or a later one) after.
    std::vector<core::CaptureTime> first_composited_capture;
    // Per annotation point per frame (a reservoir sample of them): placed vs true position, and the same
    // point left where the mentor drew it vs true position; index i of both is the same point on the same
    // frame.
    std::vector<double> anchored_px;
    std::vector<double> unanchored_px;
    double pan_px_per_s = 0;  // mean tissue speed at the picture's centre while annotations showed
    std::uint64_t frames_with_annotations = 0;
    std::size_t most_annotations = 0;               // largest scene composited
    std::uint64_t annotation_frames = 0;            // annotation x frame pairs measured
    std::uint64_t annotation_frames_unplaced = 0;   // ... drawn without a placement (not anchored)
    std::uint64_t annotation_frames_uncertain = 0;  // ... drawn faded, "position uncertain"
    std::vector<double> tracking_ms;                // per frame with annotations
    std::vector<double> compositing_ms;             // layer update + blend, per frame with annotations
  };
  Figures figures() const;

 private:
  void keep_error(double anchored, double unanchored);  // with mutex_ held

  const core::Clock& clock_;
  std::shared_ptr<const media::SyntheticTruth> truth_;
  cv::Size size_;
  mutable std::mutex mutex_;
  Figures figures_;
  std::size_t error_samples_;
  std::uint64_t errors_seen_ = 0;      // error pairs offered to the reservoir
  std::minstd_rand reservoir_random_;  // fixed seed: the same run gives the same figures
  std::uint64_t last_version_ = 0;
  std::optional<core::CaptureTime> previous_capture_;
  double pan_sum_ = 0;
  std::uint64_t pan_samples_ = 0;
};

}  // namespace surgilink::sender
