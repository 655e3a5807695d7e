#include "recorded_segment.hpp"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "surgilink/media/pixel_timestamp_code.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::testing {

DecodedSegment decode_segment(const std::filesystem::path& file) {
  media::initialise_gstreamer();
  DecodedSegment out;
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(
      "filesrc name=file ! matroskademux ! h264parse ! avdec_h264 ! video/x-raw,format=I420 ! "
      "appsink name=out sync=false",
      &error);
  if (pipeline == nullptr || error != nullptr) {
    out.error = error ? error->message : "no pipeline";
    return out;
  }
  GstElement* source = gst_bin_get_by_name(GST_BIN(pipeline), "file");
  g_object_set(source, "location", file.c_str(), nullptr);
  gst_object_unref(source);
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "out");
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  while (GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 5 * GST_SECOND)) {
    if (GstBuffer* buffer = gst_sample_get_buffer(sample))
      out.pts_ns.push_back(static_cast<std::int64_t>(GST_BUFFER_PTS(buffer)));
    if (out.frames++ == 0) {
      GstVideoInfo info;
      GstVideoFrame frame;
      if (gst_video_info_from_caps(&info, gst_sample_get_caps(sample)) &&
          gst_video_frame_map(&frame, &info, gst_sample_get_buffer(sample), GST_MAP_READ)) {
        out.first_pixel_us = media::read_pixel_timestamp(
            static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
            GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0), info.width, info.height);
        gst_video_frame_unmap(&frame);
      }
    }
    gst_sample_unref(sample);
  }
  GstBus* bus = gst_element_get_bus(pipeline);
  if (GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)) {
    GError* e = nullptr;
    gst_message_parse_error(m, &e, nullptr);
    out.error = e ? e->message : "error";
    if (e) g_error_free(e);
    gst_message_unref(m);
  }
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  return out;
}

}  // namespace surgilink::testing
