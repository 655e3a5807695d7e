#pragma once
// Text in any script (Japanese included) drawn with the typeface the annotation labels use: FreeType glyphs
// from the system's fonts, found through fontconfig. OpenCV's Hershey fonts draw ASCII only; the OR display's
// badges, touch panel and status strip use this for the words the catalogue gives them in Japanese.

#include <optional>
#include <string_view>

#include <opencv2/core.hpp>

namespace surgilink::annotation {

// Extent of a line of lettering, in pixels. Plain value.
struct LetteringExtent {
  int width = 0;    // advance of the whole line
  int ascent = 0;   // above the baseline
  int descent = 0;  // below it
};

// `utf8` (one line of visible text) at `pixel_size` pixels (the font's em height); nullopt when the text is
// not valid UTF-8 or no font was found. Any thread.
std::optional<LetteringExtent> measure_lettering(std::string_view utf8, int pixel_size);

// Blends `utf8` in `colour` into `target` (CV_8UC1, CV_8UC3 or CV_8UC4), its baseline starting at `origin`,
// clipped to the picture; false (nothing drawn) where measure_lettering gives nullopt. Any thread.
bool draw_lettering(cv::Mat& target, cv::Point origin, std::string_view utf8, int pixel_size,
                    const cv::Scalar& colour);

}  // namespace surgilink::annotation
