#include "segment_writer.hpp"

#include <gst/app/gstappsrc.h>
#include <sys/stat.h>

#include <algorithm>

#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::media {

namespace {
// Matroska's TimecodeScale: 1 µs, so that a block's time is the frame's capture time to the microsecond (the
// default 1 ms put two frames captured within one millisecond on the same time).
constexpr guint64 kTimecodeScaleNs = 1000;
}  // namespace

std::string error_text(GstMessage* message) {
  GError* error = nullptr;
  gst_message_parse_error(message, &error, nullptr);
  std::string text = error != nullptr ? error->message : "unknown GStreamer error";
  if (error) g_error_free(error);
  return text;
}

bool wait_for_bus(GstElement* pipeline, GstMessageType done, std::chrono::nanoseconds wait,
                  const std::string& late, std::string* why) {
  const GstObjectRef<GstBus> bus(gst_element_get_bus(pipeline));
  GstMessage* message = gst_bus_timed_pop_filtered(bus.get(), static_cast<GstClockTime>(wait.count()),
                                                   static_cast<GstMessageType>(done | GST_MESSAGE_ERROR));
  if (message == nullptr) {
    if (why) *why = late;
    return false;
  }
  const GstMiniRef<GstMessage> held(message);
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
    if (why) *why = error_text(message);
    return false;
  }
  return true;
}

GstObjectRef<GstElement> segment_reader(const std::filesystem::path& file, const char* tail,
                                        std::string* why) {
  initialise_gstreamer();
  const std::string description = std::string("filesrc name=file ! matroskademux ! ") + tail;
  GError* error = nullptr;
  GstElement* parsed = gst_parse_launch(description.c_str(), &error);
  if (parsed == nullptr || error != nullptr) {
    if (why) *why = error ? error->message : "cannot build a reader";
    if (error) g_error_free(error);
    if (parsed) gst_object_unref(parsed);
    return {};
  }
  GstObjectRef<GstElement> reader(GST_ELEMENT(gst_object_ref_sink(parsed)));
  const GstObjectRef<GstElement> source(gst_bin_get_by_name(GST_BIN(reader.get()), "file"));
  g_object_set(source.get(), "location", file.c_str(), nullptr);
  return reader;
}

std::unique_ptr<SegmentWriter> SegmentWriter::open(const std::filesystem::path& file, GstCaps* caps,
                                                   core::CaptureTime first, std::string* why) {
  initialise_gstreamer();
  std::unique_ptr<SegmentWriter> w(new SegmentWriter());
  w->file_ = file;
  w->first_ = first;
  // Opus (a voice file) goes into the muxer as it is (the caps named, so that the muxer links an audio
  // track); H.264 is parsed into access units first.
  const GstStructure* kind = gst_caps_get_size(caps) > 0 ? gst_caps_get_structure(caps, 0) : nullptr;
  const bool voice = kind != nullptr && gst_structure_has_name(kind, "audio/x-opus");
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(
      // Bounded (about a minute of video): a writer that stops writing must not eat the sender's memory.
      voice
          ? "appsrc name=encoded is-live=true format=time max-bytes=4194304 leaky-type=upstream block=false "
            "! audio/x-opus ! matroskamux name=mux ! filesink name=file sync=false async=false"
          : "appsrc name=encoded is-live=true format=time max-bytes=67108864 leaky-type=upstream "
            "block=false ! h264parse ! capssetter caps=video/x-h264,framerate=(fraction)0/1 ! matroskamux "
            "name=mux ! filesink name=file sync=false async=false",
      &error);
  if (pipeline == nullptr || error != nullptr) {
    if (why)
      *why = std::string("cannot build the segment writer: ") + (error ? error->message : "?") +
             " (install the packages in tools/debian-packages.txt)";
    if (error) g_error_free(error);
    if (pipeline) gst_object_unref(pipeline);
    return nullptr;
  }
  w->pipeline_.reset(GST_ELEMENT(gst_object_ref_sink(pipeline)));
  w->source_.reset(gst_bin_get_by_name(GST_BIN(pipeline), "encoded"));
  const GstObjectRef<GstElement> mux(gst_bin_get_by_name(GST_BIN(pipeline), "mux"));
  const GstObjectRef<GstElement> sink(gst_bin_get_by_name(GST_BIN(pipeline), "file"));
  // Video frames go on the grid of the caps' frame rate (push()), with gaps where frames were dropped or the
  // source stalled: the track declares no fixed frame duration (no Matroska DefaultDuration).
  int rate_n = 0, rate_d = 0;
  if (!voice && kind != nullptr && gst_structure_get_fraction(kind, "framerate", &rate_n, &rate_d) &&
      rate_n > 0 && rate_d > 0)
    w->frame_rate_ = std::pair<std::uint64_t, std::uint64_t>(rate_n, rate_d);
  GstCaps* variable = gst_caps_copy(caps);
  if (!voice) gst_caps_set_simple(variable, "framerate", GST_TYPE_FRACTION, 0, 1, nullptr);
  g_object_set(w->source_.get(), "caps", variable, nullptr);
  gst_caps_unref(variable);
  const auto since_epoch = std::chrono::duration_cast<std::chrono::microseconds>(first.time_since_epoch());
  GDateTime* seconds =
      g_date_time_new_from_unix_utc(std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count());
  GDateTime* date = g_date_time_add(seconds, (since_epoch % std::chrono::seconds{1}).count());
  g_object_set(mux.get(), "timecodescale", static_cast<gint64>(kTimecodeScaleNs), "creation-time", date,
               "writing-app", "SurgiLink", nullptr);
  g_date_time_unref(date);
  g_date_time_unref(seconds);
  g_object_set(sink.get(), "location", file.c_str(), nullptr);
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    if (why) *why = "cannot open " + file.string();
    gst_element_set_state(pipeline, GST_STATE_NULL);
    return nullptr;
  }
  // The case's pictures are the service's own, whatever the process's umask.
  ::chmod(file.c_str(), 0600);
  return w;
}

SegmentWriter::~SegmentWriter() {
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
}

bool SegmentWriter::push(GstBuffer* buffer, core::CaptureTime capture) {
  if (ended_) return false;
  std::chrono::microseconds pts{0};
  std::optional<std::uint64_t> tick;
  if (frame_rate_) {
    // A live source stamps each frame when it was painted or read, a few milliseconds after its even
    // spacing, while the stream's headers say it has a fixed rate; a reader rounds each frame to that rate's
    // tick (ffmpeg's "non monotonically increasing dts" for two frames on one tick). The tick at or before
    // the capture time, from the segment's first frame: as long as a frame is stamped less than a frame
    // interval later than the first was, each frame lands on its own tick and none drifts.
    const auto [rate_n, rate_d] = *frame_rate_;
    const auto since = std::max<std::int64_t>(0, (capture - first_).count());
    tick = gst_util_uint64_scale(static_cast<std::uint64_t>(since), rate_n, rate_d * GST_SECOND);
    if (last_tick_) tick = std::max(*tick, *last_tick_ + 1);
    // The tick's time rounded up to the file's microsecond: never before the tick, so that rounding down and
    // rounding to the nearest both read it back as this tick.
    const std::uint64_t ns = gst_util_uint64_scale_ceil(*tick, rate_d * GST_SECOND, rate_n);
    pts = std::chrono::microseconds{static_cast<std::int64_t>((ns + 999) / 1000)};
  } else {
    pts = std::chrono::duration_cast<std::chrono::microseconds>(capture - first_);
    if (last_pts_) pts = std::max(pts, *last_pts_ + std::chrono::microseconds{1});
    pts = std::max(pts, std::chrono::microseconds{0});
  }
  GstBuffer* copy = gst_buffer_copy(buffer);  // shares the memory; only the timestamps are ours
  GST_BUFFER_PTS(copy) = static_cast<GstClockTime>(std::chrono::nanoseconds{pts}.count());
  GST_BUFFER_DTS(copy) = GST_BUFFER_PTS(copy);
  GST_BUFFER_DURATION(copy) = GST_CLOCK_TIME_NONE;
  const gsize size = gst_buffer_get_size(copy);
  if (gst_app_src_push_buffer(GST_APP_SRC(source_.get()), copy) != GST_FLOW_OK) return false;
  last_pts_ = pts;
  if (tick) last_tick_ = tick;
  ++frames_;
  bytes_ += size;
  return true;
}

std::optional<std::string> SegmentWriter::failure() {
  const GstObjectRef<GstBus> bus(gst_element_get_bus(pipeline_.get()));
  GstMessage* message = gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR);
  if (message == nullptr) return std::nullopt;
  std::string text = error_text(message);
  gst_message_unref(message);
  return text;
}

bool SegmentWriter::finish(std::chrono::nanoseconds wait, std::string* why) {
  if (!ended_) {
    ended_ = true;
    gst_app_src_end_of_stream(GST_APP_SRC(source_.get()));
  }
  const GstObjectRef<GstBus> bus(gst_element_get_bus(pipeline_.get()));
  GstMessage* message =
      gst_bus_timed_pop_filtered(bus.get(), static_cast<GstClockTime>(wait.count()),
                                 static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  const bool finished = message != nullptr && GST_MESSAGE_TYPE(message) == GST_MESSAGE_EOS;
  if (!finished && why)
    *why =
        message != nullptr ? error_text(message) : file_.filename().string() + ": the muxer did not finish";
  if (message) gst_message_unref(message);
  gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  return finished;
}

}  // namespace surgilink::media
