#include "window_pixel_code.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "surgilink/media/pixel_timestamp_code.hpp"

namespace surgilink::console {

std::optional<std::int64_t> pixel_code_in_grab(const QImage& grab, const QRectF& video, int width,
                                               int height) {
  const QImage rgb = grab.convertToFormat(QImage::Format_RGB888);
  const cv::Mat whole(rgb.height(), rgb.width(), CV_8UC3, const_cast<uchar*>(rgb.constBits()),
                      rgb.bytesPerLine());
  // A grab is in device pixels; the video rectangle in logical ones.
  const double dpr = grab.devicePixelRatio();
  const cv::Rect area(
      static_cast<int>(std::round(video.x() * dpr)), static_cast<int>(std::round(video.y() * dpr)),
      static_cast<int>(std::round(video.width() * dpr)), static_cast<int>(std::round(video.height() * dpr)));
  if (area.empty() || (area & cv::Rect(0, 0, whole.cols, whole.rows)) != area) return std::nullopt;
  cv::Mat grey, scaled;
  cv::cvtColor(whole(area), grey, cv::COLOR_RGB2GRAY);
  cv::resize(grey, scaled, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
  return media::read_pixel_timestamp(scaled.ptr(), static_cast<int>(scaled.step), width, height);
}

QRectF letterboxed(const QSizeF& area, int width, int height) {
  const double scale = std::min(area.width() / width, area.height() / height);
  return {(area.width() - width * scale) / 2, (area.height() - height * scale) / 2, width * scale,
          height * scale};
}

}  // namespace surgilink::console
