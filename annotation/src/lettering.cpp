#include "surgilink/annotation/lettering.hpp"

#include "label_typeface.hpp"
#include "text.hpp"

namespace surgilink::annotation {

std::optional<LetteringExtent> measure_lettering(std::string_view utf8, int pixel_size) {
  auto* typeface = detail::LabelTypeface::shared();
  const auto glyphs = detail::visible_text(utf8);
  if (typeface == nullptr || !glyphs || pixel_size <= 0) return std::nullopt;
  const auto e = typeface->measure(*glyphs, pixel_size);
  return LetteringExtent{e.width, e.ascent, e.descent};
}

bool draw_lettering(cv::Mat& target, cv::Point origin, std::string_view utf8, int pixel_size,
                    const cv::Scalar& colour) {
  auto* typeface = detail::LabelTypeface::shared();
  const auto glyphs = detail::visible_text(utf8);
  if (typeface == nullptr || !glyphs || pixel_size <= 0) return false;
  typeface->draw(target, origin, *glyphs, pixel_size, colour);
  return true;
}

}  // namespace surgilink::annotation
