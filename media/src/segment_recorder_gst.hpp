#pragma once
// Private to media/: how the sender pipeline hands encoded frames to the recorder.

#include <gst/gst.h>

#include "surgilink/media/segment_recorder.hpp"

namespace surgilink::media {

// Streaming thread: one encoded access unit (H.264 byte-stream) captured at `capture_time`. Borrows
// `sample`.
void record_encoded_frame(SegmentRecorder& recorder, GstSample* sample, core::CaptureTime capture_time);

}  // namespace surgilink::media
