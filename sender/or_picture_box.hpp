#pragma once
// A filled box with light text drawn into an I420 picture of the OR display: the badges' and the touch
// panel's shape.

#include <string>

#include <opencv2/core.hpp>

#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::sender {

// Fills `box` (made even, so the half-resolution chroma lines up) with the YUV colour `yuv` and writes `text`
// in it, `pad` pixels from its left edge, vertically centred. Nothing is drawn for a box outside the picture.
// Any thread (it touches only `picture`).
void draw_text_box(media::I420Picture& picture, cv::Rect box, const std::string& text, cv::Scalar yuv,
                   double font_scale, int thickness, int pad);

// Fills `box` like draw_text_box and writes `text` centred in it: on one line when it fits at `font_scale`,
// else on two lines broken at a space, else smaller, so no word is ever cut off.
void draw_label_box(media::I420Picture& picture, cv::Rect box, const std::string& text, cv::Scalar yuv,
                    double font_scale, int thickness);

}  // namespace surgilink::sender
