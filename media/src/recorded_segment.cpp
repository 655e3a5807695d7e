#include "surgilink/media/recorded_segment.hpp"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <algorithm>
#include <functional>

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

namespace {

// A decoded BGR sample's pixels, copied out of GStreamer's buffer.
std::optional<cv::Mat> bgr_of(GstSample* sample) {
  GstVideoInfo info;
  GstCaps* caps = gst_sample_get_caps(sample);
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  if (caps == nullptr || buffer == nullptr || !gst_video_info_from_caps(&info, caps)) return std::nullopt;
  GstMapInfo map;
  if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return std::nullopt;
  const cv::Mat view(GST_VIDEO_INFO_HEIGHT(&info), GST_VIDEO_INFO_WIDTH(&info), CV_8UC3, map.data,
                     static_cast<std::size_t>(GST_VIDEO_INFO_PLANE_STRIDE(&info, 0)));
  cv::Mat copy = view.clone();
  gst_buffer_unmap(buffer, &map);
  return copy;
}

// Decodes `file` from the keyframe at or before `from` (ns into the file) up to `to`: the stop position makes
// the decoder drop every later frame and the demuxer end there. `each` gets every decoded sample in order and
// returns false to stop. False with `why` when the file cannot be read.
template <typename Each>
bool decode_between(const std::filesystem::path& file, std::int64_t from, std::int64_t to, Each each,
                    std::string* why) {
  const auto pipeline = segment_reader(
      file,
      "h264parse ! avdec_h264 ! videoconvert ! video/x-raw,format=BGR ! appsink name=out sync=false "
      "max-buffers=4",
      why);
  if (!pipeline) return false;
  const GstObjectRef<GstElement> sink(gst_bin_get_by_name(GST_BIN(pipeline.get()), "out"));
  struct Stop {
    GstElement* pipeline;
    ~Stop() { gst_element_set_state(pipeline, GST_STATE_NULL); }
  } stop{pipeline.get()};
  gst_element_set_state(pipeline.get(), GST_STATE_PAUSED);
  if (!wait_for_bus(pipeline.get(), GST_MESSAGE_ASYNC_DONE, std::chrono::seconds{10},
                    "the segment did not open within 10 s", why))
    return false;
  const auto seek =
      static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT | GST_SEEK_FLAG_SNAP_BEFORE);
  if (!gst_element_seek(pipeline.get(), 1.0, GST_FORMAT_TIME, seek, GST_SEEK_TYPE_SET,
                        std::max<std::int64_t>(0, from), GST_SEEK_TYPE_SET,
                        std::max<std::int64_t>(0, to) + 1)) {
    if (why) *why = "cannot seek in " + file.filename().string();
    return false;
  }
  if (!wait_for_bus(pipeline.get(), GST_MESSAGE_ASYNC_DONE, std::chrono::seconds{10},
                    "the segment did not open within 10 s", why))
    return false;
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  while (GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 10 * GST_SECOND)) {
    GstMiniRef<GstSample> held(sample);
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    if (buffer == nullptr || !GST_BUFFER_PTS_IS_VALID(buffer)) continue;
    if (!each(std::move(held), static_cast<std::int64_t>(GST_BUFFER_PTS(buffer)))) break;
  }
  return true;
}

}  // namespace

std::optional<RecordedPicture> recorded_picture_at(const std::filesystem::path& file, core::CaptureTime first,
                                                   core::CaptureTime at, std::string* why,
                                                   std::chrono::nanoseconds refresh_wave) {
  const auto offset = std::max<std::int64_t>(0, std::chrono::nanoseconds(at - first).count());
  GstMiniRef<GstSample> last;
  std::int64_t last_pts = 0;
  const bool read = decode_between(
      file, offset - refresh_wave.count(), offset,
      [&](GstMiniRef<GstSample> sample, std::int64_t pts) {
        // The first frame stands for any time before it; after that, only frames not later than `at`.
        if (last && pts > offset) return false;
        last = std::move(sample);
        last_pts = pts;
        return true;
      },
      why);
  if (!read) return std::nullopt;
  if (!last) {
    if (why) *why = "no picture could be decoded from " + file.filename().string();
    return std::nullopt;
  }
  auto bgr = bgr_of(last.get());
  if (!bgr) {
    if (why) *why = "a picture of " + file.filename().string() + " could not be read";
    return std::nullopt;
  }
  return RecordedPicture{std::move(*bgr), first + std::chrono::nanoseconds{last_pts}};
}

bool for_each_recorded_picture(const std::filesystem::path& file, core::CaptureTime first,
                               core::CaptureTime from, core::CaptureTime to,
                               const std::function<bool(RecordedPicture&)>& each, std::string* why,
                               std::chrono::nanoseconds refresh_wave) {
  const auto begin = std::chrono::nanoseconds(from - first).count();
  const auto end = std::chrono::nanoseconds(to - first).count();
  if (end < 0) return true;
  bool failed = false;
  const bool read = decode_between(
      file, begin - refresh_wave.count(), end,
      [&](GstMiniRef<GstSample> sample, std::int64_t pts) {
        if (pts < begin) return true;  // decoded only to reach `from`
        if (pts > end) return false;
        auto bgr = bgr_of(sample.get());
        if (!bgr) {
          failed = true;
          return false;
        }
        RecordedPicture picture{std::move(*bgr), first + std::chrono::nanoseconds{pts}};
        return each(picture);
      },
      why);
  if (failed && why) *why = "a picture of " + file.filename().string() + " could not be read";
  return read && !failed;
}

}  // namespace surgilink::media
