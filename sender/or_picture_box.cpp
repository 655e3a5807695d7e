#include "or_picture_box.hpp"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace surgilink::sender {

void draw_text_box(media::I420Picture& p, cv::Rect box, const std::string& text, cv::Scalar yuv,
                   double font_scale, int thickness, int pad) {
  box = cv::Rect(box.x & ~1, box.y & ~1, (box.width + 1) & ~1, (box.height + 1) & ~1);
  if (box.x < 0 || box.y < 0 || box.x + box.width > p.width || box.y + box.height > p.height) return;
  cv::Mat luma(p.height, p.width, CV_8UC1, p.planes[0], static_cast<std::size_t>(p.strides[0]));
  cv::Mat u((p.height + 1) / 2, (p.width + 1) / 2, CV_8UC1, p.planes[1],
            static_cast<std::size_t>(p.strides[1]));
  cv::Mat v((p.height + 1) / 2, (p.width + 1) / 2, CV_8UC1, p.planes[2],
            static_cast<std::size_t>(p.strides[2]));
  luma(box).setTo(yuv[0]);
  const cv::Rect half(box.x / 2, box.y / 2, box.width / 2, box.height / 2);
  u(half).setTo(yuv[1]);
  v(half).setTo(yuv[2]);
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  int baseline = 0;
  const cv::Size size = cv::getTextSize(text, font, font_scale, thickness, &baseline);
  cv::putText(luma, text, cv::Point(box.x + pad, box.y + (box.height + size.height) / 2), font, font_scale,
              cv::Scalar(235), thickness, cv::LINE_AA);
}

void draw_label_box(media::I420Picture& p, cv::Rect box, const std::string& text, cv::Scalar yuv,
                    double font_scale, int thickness) {
  draw_text_box(p, box, "", yuv, font_scale, thickness, 0);
  box = cv::Rect(box.x & ~1, box.y & ~1, (box.width + 1) & ~1, (box.height + 1) & ~1);
  if (box.x < 0 || box.y < 0 || box.x + box.width > p.width || box.y + box.height > p.height) return;
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  const int room_x = box.width * 9 / 10, room_y = box.height * 8 / 10;
  const auto width_of = [&](const std::string& line, double scale) {
    int baseline = 0;
    return cv::getTextSize(line, font, scale, thickness, &baseline).width;
  };
  // One line, or two broken at the space nearest the middle.
  std::vector<std::string> lines{text};
  if (width_of(text, font_scale) > room_x) {
    std::size_t best = std::string::npos;
    for (std::size_t at = text.find(' '); at != std::string::npos; at = text.find(' ', at + 1)) {
      if (best == std::string::npos ||
          std::abs(static_cast<long>(at) - static_cast<long>(text.size() / 2)) <
              std::abs(static_cast<long>(best) - static_cast<long>(text.size() / 2)))
        best = at;
    }
    if (best != std::string::npos) lines = {text.substr(0, best), text.substr(best + 1)};
  }
  double scale = font_scale;
  int baseline = 0;
  const int line_height = cv::getTextSize("Hg", font, scale, thickness, &baseline).height;
  int widest = 0;
  for (const auto& line : lines) widest = std::max(widest, width_of(line, scale));
  const int tall = static_cast<int>(lines.size()) * line_height * 3 / 2;
  scale *= std::min({1.0, static_cast<double>(room_x) / std::max(widest, 1),
                     static_cast<double>(room_y) / std::max(tall, 1)});
  const int h = cv::getTextSize("Hg", font, scale, thickness, &baseline).height;
  const int gap = h / 2;
  const int block = static_cast<int>(lines.size()) * h + (static_cast<int>(lines.size()) - 1) * gap;
  cv::Mat luma(p.height, p.width, CV_8UC1, p.planes[0], static_cast<std::size_t>(p.strides[0]));
  int y = box.y + (box.height - block) / 2 + h;
  for (const auto& line : lines) {
    const int w = width_of(line, scale);
    cv::putText(luma, line, cv::Point(box.x + (box.width - w) / 2, y), font, scale, cv::Scalar(235),
                thickness, cv::LINE_AA);
    y += h + gap;
  }
}

}  // namespace surgilink::sender
