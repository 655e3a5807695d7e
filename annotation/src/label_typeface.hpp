#pragma once
// Label text drawn with FreeType from the system's fonts (found through fontconfig), so a label typed in
// Japanese shows on the OR display as it does on the console (private to the library).

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace surgilink::annotation::detail {

// Any thread (one lock around FreeType, which is not thread-safe).
class LabelTypeface {
 public:
  // The process's typeface: a sans-serif font that covers Japanese first, then the default sans-serif for
  // what it lacks; nullptr when fontconfig finds no usable font (labels then fall back to ASCII).
  static LabelTypeface* shared();
  ~LabelTypeface();

  struct Extent {
    int width = 0;
    int ascent = 0;   // above the baseline
    int descent = 0;  // below it
  };
  Extent measure(std::u32string_view text, int pixel_size);
  // Blends the glyphs in `colour` into `target` (CV_8UC1, CV_8UC3, or CV_8UC4 premultiplied: every channel is
  // blended alike), the baseline starting at `origin`; clipped to the picture.
  void draw(cv::Mat& target, cv::Point origin, std::u32string_view text, int pixel_size,
            const cv::Scalar& colour);

  struct Faces;

 private:
  explicit LabelTypeface(std::unique_ptr<Faces> faces);
  std::unique_ptr<Faces> faces_;
  mutable std::mutex mutex_;
};

}  // namespace surgilink::annotation::detail
