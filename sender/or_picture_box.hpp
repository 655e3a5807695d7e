#pragma once
// A filled box with light text drawn into an I420 picture of the OR display: the badges', the status strip's
// and the touch panel's shape. ASCII text is drawn in OpenCV's Hershey font, as it always was; any other text
// (the Japanese words of the catalogue) with the annotation labels' FreeType typeface, at a size that
// matches.

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::sender {

// Which letters draw a text: Hershey for ASCII and the typeface for the rest (the English OR display, as it
// always looked), or the typeface for everything (a translated display, where a name or "48 ms" stands beside
// Japanese words and should look like them).
enum class Lettering { kHersheyForAscii, kTypeface };

// `text` as the functions below draw it at `font_scale` and `thickness`: its width, its height above the
// baseline, and in `baseline` its depth below. Any thread.
cv::Size measure_box_text(const std::string& text, double font_scale, int thickness, int* baseline,
                          Lettering lettering = Lettering::kHersheyForAscii);

// Fills `box` (made even, so the half-resolution chroma lines up) with the YUV colour `yuv` and writes `text`
// in it, `pad` pixels from its left edge, vertically centred. Nothing is drawn for a box outside the picture.
// Any thread (it touches only `picture`).
void draw_text_box(media::I420Picture& picture, cv::Rect box, const std::string& text, cv::Scalar yuv,
                   double font_scale, int thickness, int pad,
                   Lettering lettering = Lettering::kHersheyForAscii);

// One line of a label in its box: its text, where it is drawn (baseline start) and the rectangle its letters
// take (width x height above and below the baseline). Plain value.
struct LabelLine {
  std::string text;
  cv::Point origin;
  cv::Rect extent;
  double font_scale = 1.0;
};
// How draw_label_box sets `text` in `box` (made even): on one line when it fits at `font_scale`, else on two
// lines broken at the space nearest the middle (for text without spaces, such as Japanese, between the
// characters nearest the middle, after a particle where there is one), else smaller, so no word is ever cut
// off. Any thread.
std::vector<LabelLine> label_layout(cv::Rect box, const std::string& text, double font_scale, int thickness,
                                    Lettering lettering = Lettering::kHersheyForAscii);

// Fills `box` like draw_text_box and writes `text` centred in it as label_layout sets it.
void draw_label_box(media::I420Picture& picture, cv::Rect box, const std::string& text, cv::Scalar yuv,
                    double font_scale, int thickness, Lettering lettering = Lettering::kHersheyForAscii);

}  // namespace surgilink::sender
