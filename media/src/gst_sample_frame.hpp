#pragma once
// Private to media/: wraps a GstSample as a VideoFrame without copying pixels.

#include <gst/gst.h>

#include "surgilink/media/video_frame.hpp"

namespace surgilink::media {

// Takes ownership of `sample` (unreffed when the last holder of the frame lets go); nullptr if it cannot be
// mapped as video (the sample is then released).
std::shared_ptr<const VideoFrame> frame_from_sample(GstSample* sample, core::CaptureTime capture_time);

}  // namespace surgilink::media
