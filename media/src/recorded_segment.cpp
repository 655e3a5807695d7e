#include "surgilink/media/recorded_segment.hpp"

#include <gst/gst.h>

#include "gst_ref.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::media {

std::optional<core::CaptureTime> recorded_segment_start(const std::filesystem::path& file) {
  initialise_gstreamer();
  GError* error = nullptr;
  GstElement* parsed = gst_parse_launch("filesrc name=file ! matroskademux ! fakesink", &error);
  if (parsed == nullptr || error != nullptr) {
    if (error) g_error_free(error);
    if (parsed) gst_object_unref(parsed);
    return std::nullopt;
  }
  const GstObjectRef<GstElement> pipeline(GST_ELEMENT(gst_object_ref_sink(parsed)));
  {
    const GstObjectRef<GstElement> source(gst_bin_get_by_name(GST_BIN(pipeline.get()), "file"));
    g_object_set(source.get(), "location", file.c_str(), nullptr);
  }
  gst_element_set_state(pipeline.get(), GST_STATE_PAUSED);
  const GstObjectRef<GstBus> bus(gst_element_get_bus(pipeline.get()));
  std::optional<core::CaptureTime> start;
  // The container's tags come before the first picture reaches the sink (preroll: ASYNC_DONE).
  while (GstMessage* message = gst_bus_timed_pop_filtered(
             bus.get(), 5 * GST_SECOND,
             static_cast<GstMessageType>(GST_MESSAGE_TAG | GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR))) {
    const GstMiniRef<GstMessage> held(message);
    if (GST_MESSAGE_TYPE(message) != GST_MESSAGE_TAG) break;
    GstTagList* tags = nullptr;
    gst_message_parse_tag(message, &tags);
    GstDateTime* date = nullptr;
    if (gst_tag_list_get_date_time(tags, GST_TAG_DATE_TIME, &date) && date != nullptr) {
      if (GDateTime* g = gst_date_time_to_g_date_time(date)) {
        start = core::CaptureTime{std::chrono::seconds{g_date_time_to_unix(g)} +
                                  std::chrono::microseconds{g_date_time_get_microsecond(g)}};
        g_date_time_unref(g);
      }
      gst_date_time_unref(date);
    }
    gst_tag_list_unref(tags);
  }
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  return start;
}

}  // namespace surgilink::media
