#pragma once
// The annotation model: what a mentor draws on the video, in coordinates normalised to the frame.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::annotation {

// The shapes of the drawing tools. Values are the wire values; append only.
enum class AnnotationKind : std::uint8_t {
  kStroke = 1,   // freehand line through its points
  kArrow = 2,    // two points: tail, head
  kEllipse = 3,  // two points: opposite corners of the bounding box (a circle when it is square in pixels)
  kLabel = 4,    // one point (top-left of the text) and text
  kPointer = 5,  // one point; transient, one per author, expires unless moved
};
const char* describe(AnnotationKind kind);

// A position on the video frame: x to the right, y down, both 0..1 across the whole picture (0 is the
// left/top edge, 1 the right/bottom edge). Plain value type; any thread.
struct NormalisedPoint {
  float x = 0.0F;
  float y = 0.0F;
  bool operator==(const NormalisedPoint&) const = default;
};

// True when both coordinates are finite and within [0, 1].
bool is_on_frame(NormalisedPoint p);

// One mentor annotation as the sender holds it. Plain value type; any thread.
struct Annotation {
  std::string id;      // author + "-" + decimal counter, e.g. "m1-7"; a pointer is author + "-pointer"
  std::string author;  // the session's short name for the console that drew it, e.g. "m1"
  AnnotationKind kind = AnnotationKind::kStroke;
  std::vector<NormalisedPoint> points;
  std::uint32_t colour_rgba = 0xFFD800FF;  // 0xRRGGBBAA
  float width = 0.004F;                    // line width as a fraction of the frame height
  std::string text;                        // labels only, UTF-8
  // When the sender accepted it, on the sender's capture clock (a console's proposal is overwritten), so
  // that time to live runs on one clock.
  core::CaptureTime created_at{};
  // Capture time of the frame the mentor was looking at when drawing began: anchoring moves the annotation
  // from that frame to wherever the tissue is now.
  core::CaptureTime reference_capture{};
  std::optional<std::chrono::nanoseconds> time_to_live;  // none: stays until deleted
  bool committed = false;                                // the mentor let go; no more points

  bool operator==(const Annotation&) const = default;

  // True when time to live has run out at `now`.
  bool expired_at(core::CaptureTime now) const;
};

// How long a pointer stays after its last move.
inline constexpr std::chrono::milliseconds kPointerTimeToLive{1500};
// Longest time to live a Begin may ask for.
inline constexpr std::chrono::hours kMaxTimeToLive{1};
// Line width the pointer ring is drawn with (fraction of the frame height).
inline constexpr float kPointerWidth = 0.004F;
// Widths a mentor may choose, as fractions of the frame height (about 1 to 54 px at 1080p).
inline constexpr float kMinWidth = 0.001F;
inline constexpr float kMaxWidth = 0.05F;

// The id of `author`'s pointer ("m1-pointer").
std::string pointer_id(std::string_view author);

// True when `id` is `author` + "-" + a decimal counter (1 to 9 digits), the only form a Begin may propose.
bool is_drawing_id_of(std::string_view id, std::string_view author);

}  // namespace surgilink::annotation
