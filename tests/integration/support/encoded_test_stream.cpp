#include "encoded_test_stream.hpp"

#include <gst/app/gstappsink.h>

#include <stdexcept>
#include <string>

#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::testing {

EncodedTestStream::EncodedTestStream(int width, int height, int bitrate_kbps, int keyframe_interval,
                                     const char* pattern, bool intra_refresh) {
  media::initialise_gstreamer();
  const std::string description =
      "videotestsrc pattern=" + std::string(pattern) +
      " ! video/x-raw,format=I420,width=" + std::to_string(width) + ",height=" + std::to_string(height) +
      ",framerate=30/1 ! x264enc tune=zerolatency speed-preset=ultrafast bitrate=" +
      std::to_string(bitrate_kbps) + " key-int-max=" + std::to_string(keyframe_interval) +
      (intra_refresh ? " option-string=intra-refresh=1" : "") +
      " ! video/x-h264,stream-format=byte-stream,alignment=au ! appsink name=out sync=false max-buffers=8";
  GError* error = nullptr;
  pipeline_ = gst_parse_launch(description.c_str(), &error);
  if (pipeline_ == nullptr || error != nullptr) throw std::runtime_error("cannot build the test encoder");
  gst_object_ref_sink(pipeline_);
  sink_ = gst_bin_get_by_name(GST_BIN(pipeline_), "out");
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
}

EncodedTestStream::~EncodedTestStream() {
  gst_element_set_state(pipeline_, GST_STATE_NULL);
  gst_object_unref(sink_);
  gst_object_unref(pipeline_);
}

GstSample* EncodedTestStream::next() {
  return gst_app_sink_try_pull_sample(GST_APP_SINK(sink_), 10 * GST_SECOND);
}

}  // namespace surgilink::testing
