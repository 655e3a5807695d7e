#pragma once
// A moment of a recorded case as the review shows it: as JSON (`surgilink-review show`) and as the OR display
// showed it, the annotations drawn over the picture by the OR display's own layer.

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "surgilink/review/recorded_case.hpp"

namespace surgilink::review {

// {"capture_ns", "offset_s", "annotations": [{"id", "author", "kind", "colour"}], "annotations_hidden",
// "vitals" (the console status line's keys and units), "vitals_alarms", "mentor_g2g_p95_ms" (display name ->
// ms), "link", "roster"} (README: Recordings). `first_picture` is the recording's start for `offset_s`.
// Any thread.
nlohmann::json moment_json(const CaseMoment& moment, core::CaptureTime first_picture);

// "#rrggbbaa" of an annotation colour (0xRRGGBBAA).
std::string colour_text(std::uint32_t rgba);

// Draws the moment's annotations onto `bgr` (CV_8UC3) as the OR display composited them: the OR display's
// annotation layer, nothing while the surgeon had them hidden. Placed where they were drawn (the review does
// not replay motion anchoring). Any thread.
void draw_as_or_display(const CaseMoment& moment, cv::Mat& bgr);

}  // namespace surgilink::review
