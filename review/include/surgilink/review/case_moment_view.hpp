#pragma once
// A moment of a recorded case as the review shows it: as JSON (`surgilink-review show`) and as the OR display
// showed it, the annotations drawn over the picture by the OR display's own layer.

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "surgilink/review/recorded_case.hpp"

namespace surgilink::review {

// {"capture_ns", "offset_s", "annotations": [{"id", "author", "kind", "colour"}], "annotations_hidden",
// "vitals" (the console status line's keys and units), "vitals_alarms", "mentor_g2g_p95_ms" (display name ->
// ms), "link", "roster", "waveforms" (waveforms_json)} (README: Recordings). `first_picture` is the
// recording's start for `offset_s`; `waveforms_recorded` false adds "waveforms_note": "no waveforms
// recorded". Any thread.
nlohmann::json moment_json(const CaseMoment& moment, core::CaptureTime first_picture,
                           bool waveforms_recorded = true);

// The moment's waveforms, compact: per waveform {"waveform" (short name), "mdc_code", "unit",
// "sample_period_ms", "window_s" (seconds of samples in the moment), "min", "max" (over them), "last" (the
// newest kWaveformJsonSamples, oldest first, 4 significant digits), "last_capture_ns" (the newest's
// capture time)}. Any thread.
inline constexpr std::size_t kWaveformJsonSamples = 25;
nlohmann::json waveforms_json(const std::vector<vitals::WaveformChunk>& waveforms);

// "#rrggbbaa" of an annotation colour (0xRRGGBBAA).
std::string colour_text(std::uint32_t rgba);

// Draws the moment's annotations onto `bgr` (CV_8UC3) as the OR display composited them: the OR display's
// annotation layer, nothing while the surgeon had them hidden, each where the OR display had placed it
// (CaseMoment::placements, scaled to the picture). Any thread.
void draw_as_or_display(const CaseMoment& moment, cv::Mat& bgr);

}  // namespace surgilink::review
