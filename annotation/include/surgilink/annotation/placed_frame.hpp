#pragma once
// The OR display's placements as the recording keeps them (issue 16): where motion anchoring put each
// annotation on a composited frame, so that a review draws the scene where the surgeon saw it, not only where
// the mentor drew it. Only changes are kept (PlacementChanges), rate-bounded, so a moving scope does not
// flood the event log.
//
// Wire form, version 1 (big-endian; golden bytes in tests/data/annotation/placed_frame_v1.hex):
//   u8 version (1) | u16 frame width | u16 frame height | u16 count
//   each: u8 id length | id (UTF-8) | u8 flags (bit 0 position uncertain) | f32 opacity | f32 confidence |
//         9 x f32 homography, row-major (pixels of the drawn-on frame -> pixels of this frame, at this
//         frame's size, pixel centres on integer coordinates: Placement's convention)

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "surgilink/annotation/placement.hpp"
#include "surgilink/annotation/refusal.hpp"
#include "surgilink/annotation/scene.hpp"
#include "surgilink/core/capture_clock.hpp"

namespace surgilink::annotation {

inline constexpr std::uint8_t kPlacedFrameVersion = 1;
// Most placements one record holds, and the longest id (a decoder refuses more).
inline constexpr std::size_t kMaxPlacedAnnotations = 4096;

// The placements of some annotations on one composited frame. Plain value type; any thread.
struct PlacedFrame {
  core::CaptureTime capture{};                                // the frame they were composited on
  cv::Size frame;                                             // the size the homographies are in
  std::vector<std::pair<std::string, Placement>> placements;  // by annotation id
};

// Never fails. The capture time is not in the bytes (the event log row carries it). Any thread.
std::vector<std::uint8_t> encode_placed_frame(const PlacedFrame& placed);
// Refuses, with a reason: kUnsupportedVersion, kTruncated (shorter than a count says), kMalformed (a frame
// size of 0, an empty or over-long id, a number that is not finite, opacity or confidence outside 0..1,
// trailing bytes), kTooLarge (more than kMaxPlacedAnnotations). Never throws. Any thread.
Checked<PlacedFrame> decode_placed_frame(std::span<const std::uint8_t> bytes, core::CaptureTime capture);

// `placement`, made at frame size `from`, for a frame of size `to` (the same picture scaled: a recording
// whose stream stepped down the ladder, a console's window). Any thread.
Placement scaled_placement(const Placement& placement, cv::Size from, cv::Size2d to);

// Tuning of PlacementChanges. Plain value type; any thread.
struct PlacementChangeSettings {
  double min_move_px = 0.5;          // a move smaller than this everywhere on the frame is not recorded
  float min_opacity_change = 0.05F;  // nor an opacity change smaller than this (a fade records in steps)
  // Records at most this often; an annotation placed for the first time is recorded at once.
  std::chrono::nanoseconds min_interval = std::chrono::milliseconds{100};
};

// Chooses, frame after frame, the placements worth recording: those new, moved more than min_move_px at any
// corner of the frame, changed in opacity by min_opacity_change or in uncertainty, since they were last
// recorded. Costs a few point mappings per annotation a frame; allocates only when it returns something.
// One thread at a time (the OR display's frame thread).
class PlacementChanges {
 public:
  explicit PlacementChanges(PlacementChangeSettings settings = {}) : settings_(settings) {}

  // The frame `capture` of size `frame` was composited with `placements` (by id, for the annotations of
  // `scene`). Returns what to record (nothing when nothing changed enough or it is too soon).
  std::optional<PlacedFrame> take(core::CaptureTime capture, cv::Size frame, const Scene& scene,
                                  const Placements& placements);

 private:
  bool changed(const Placement& now, const Placement& then, cv::Size frame) const;

  PlacementChangeSettings settings_;
  std::unordered_map<std::string, Placement> recorded_;  // as last recorded, for annotations still shown
  std::optional<core::CaptureTime> last_record_;
  cv::Size last_frame_;
};

}  // namespace surgilink::annotation
