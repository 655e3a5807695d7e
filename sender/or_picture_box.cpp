#include "or_picture_box.hpp"

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

}  // namespace surgilink::sender
