#include "surgilink/media/recorded_segment.hpp"

#include <gst/gst.h>

#include "segment_writer.hpp"

namespace surgilink::media {

std::optional<core::CaptureTime> recorded_segment_start(const std::filesystem::path& file) {
  const auto pipeline = segment_reader(file, "fakesink", nullptr);
  if (!pipeline) return std::nullopt;
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
