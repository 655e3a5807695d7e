#include "surgilink/media/local_video_loop.hpp"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/videooverlay.h>

#include <atomic>
#include <mutex>
#include <stdexcept>

#include "gst_sample_frame.hpp"
#include "surgilink/media/pixel_timestamp_code.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::media {

struct LocalVideoLoop::Impl {
  GstElement* pipeline = nullptr;
  LatestFrameMailbox* mailbox = nullptr;
  std::function<void()> on_picture;
  int width = 0, height = 0;
  mutable std::mutex error_mutex;
  std::optional<std::string> first_error;
  std::atomic<std::uint64_t> to_sink{0};

  // Streaming thread: the capture time goes into the picture itself, as the sender's pixel code does.
  GstPadProbeReturn stamp(GstPadProbeInfo* info) {
    GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    GstMapInfo map;
    if (gst_buffer_map(buffer, &map, GST_MAP_WRITE)) {
      const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      draw_pixel_timestamp(std::span<std::uint8_t>(map.data, map.size), width, height, now_us);
      gst_buffer_unmap(buffer, &map);
    }
    return GST_PAD_PROBE_OK;
  }

  GstFlowReturn on_sample(GstAppSink* sink) {
    GstSample* sample = gst_app_sink_pull_sample(sink);
    if (sample == nullptr) return GST_FLOW_OK;
    // The capture time is read back from the picture (unreadable: now, so the frame still shows).
    core::CaptureTime capture = std::chrono::system_clock::now();
    GstVideoInfo info;
    GstVideoFrame video;
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    if (buffer != nullptr && gst_video_info_from_caps(&info, gst_sample_get_caps(sample)) &&
        gst_video_frame_map(&video, &info, buffer, GST_MAP_READ)) {
      if (const auto us =
              read_pixel_timestamp(static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&video, 0)),
                                   GST_VIDEO_FRAME_PLANE_STRIDE(&video, 0), width, height))
        capture = core::CaptureTime{std::chrono::microseconds{*us}};
      gst_video_frame_unmap(&video);
    }
    if (auto frame = frame_from_sample(sample, capture)) {
      mailbox->put(std::move(frame));
      if (on_picture) on_picture();
    }
    return GST_FLOW_OK;
  }

  GstBusSyncReply on_bus_message(GstMessage* message) {
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
      GError* error = nullptr;
      gst_message_parse_error(message, &error, nullptr);
      std::lock_guard lock(error_mutex);
      if (!first_error) first_error = error != nullptr ? error->message : "unknown";
      if (error) g_error_free(error);
    }
    return GST_BUS_DROP;
  }

  void build(const VideoProfile& profile, const std::string& tail) {
    initialise_gstreamer();
    width = profile.width;
    height = profile.height;
    const std::string description =
        "videotestsrc is-live=true pattern=ball animation-mode=running-time motion=sweep ! "
        "video/x-raw,format=I420,"
        "width=" +
        std::to_string(profile.width) + ",height=" + std::to_string(profile.height) +
        ",framerate=" + std::to_string(profile.fps) +
        "/1 ! identity name=stamp ! x264enc tune=zerolatency "
        "speed-preset=ultrafast bframes=0 key-int-max=" +
        std::to_string(2 * profile.fps) + " bitrate=" + std::to_string(profile.bitrate_kbps) +
        " ! video/x-h264,profile=constrained-baseline ! h264parse ! avdec_h264 thread-type=slice ! "
        "video/x-raw,format=I420 ! " +
        tail;
    GError* error = nullptr;
    pipeline = gst_parse_launch(description.c_str(), &error);
    if (pipeline == nullptr || error != nullptr) {
      const std::string why = error ? error->message : "unknown";
      if (error) g_error_free(error);
      if (pipeline) gst_object_unref(pipeline);
      throw std::runtime_error("cannot build the local video loop: " + why +
                               " (install the packages in tools/debian-packages.txt)");
    }
    GstElement* stamp_element = gst_bin_get_by_name(GST_BIN(pipeline), "stamp");
    GstPad* pad = gst_element_get_static_pad(stamp_element, "src");
    gst_pad_add_probe(
        pad, GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad*, GstPadProbeInfo* info, gpointer self) { return static_cast<Impl*>(self)->stamp(info); },
        this, nullptr);
    gst_object_unref(pad);
    gst_object_unref(stamp_element);
    GstBus* bus = gst_element_get_bus(pipeline);
    gst_bus_set_sync_handler(
        bus,
        [](GstBus*, GstMessage* m, gpointer self) { return static_cast<Impl*>(self)->on_bus_message(m); },
        this, nullptr);
    gst_object_unref(bus);
  }
};

LocalVideoLoop::LocalVideoLoop(const VideoProfile& profile, LatestFrameMailbox& mailbox,
                               std::function<void()> on_picture)
    : impl_(std::make_unique<Impl>()) {
  impl_->mailbox = &mailbox;
  impl_->on_picture = std::move(on_picture);
  impl_->build(profile,
               "appsink name=decoded sync=false async=false max-buffers=1 drop=true "
               "enable-last-sample=false");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(impl_->pipeline), "decoded");
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = [](GstAppSink* s, gpointer self) { return static_cast<Impl*>(self)->on_sample(s); };
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, impl_.get(), nullptr);
  gst_object_unref(sink);
}

LocalVideoLoop::LocalVideoLoop(const VideoProfile& profile, const std::string& sink_factory, void* widget)
    : impl_(std::make_unique<Impl>()) {
  if (!load_gstreamer_element(sink_factory))
    throw std::runtime_error("GStreamer element '" + sink_factory +
                             "' is missing (install the packages in tools/debian-packages.txt)");
  // A latest-frame display: the sink must not wait for the clock (DESIGN.md §11).
  impl_->build(profile, "glupload ! glcolorconvert ! " + sink_factory + " name=decoded sync=false");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(impl_->pipeline), "decoded");
  g_object_set(sink, "widget", widget, nullptr);
  gst_object_unref(sink);
}

LocalVideoLoop::LocalVideoLoop(const VideoProfile& profile, const std::string& sink_factory,
                               NativeWindow window)
    : impl_(std::make_unique<Impl>()) {
  if (!load_gstreamer_element(sink_factory))
    throw std::runtime_error("GStreamer element '" + sink_factory +
                             "' is missing (install the packages in tools/debian-packages.txt)");
  // ximagesink draws at the picture's own size: it is scaled to the window on the CPU first.
  const std::string scale = sink_factory == "ximagesink"
                                ? "videoscale ! video/x-raw,width=" + std::to_string(window.width) +
                                      ",height=" + std::to_string(window.height) + " ! "
                                : std::string();
  impl_->build(profile, scale + "videoconvert ! " + sink_factory + " name=decoded sync=false");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(impl_->pipeline), "decoded");
  gst_video_overlay_set_window_handle(GST_VIDEO_OVERLAY(sink), window.handle);
  GstPad* pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(
      pad, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo*, gpointer self) {
        static_cast<Impl*>(self)->to_sink.fetch_add(1, std::memory_order_relaxed);
        return GST_PAD_PROBE_OK;
      },
      impl_.get(), nullptr);
  gst_object_unref(pad);
  gst_object_unref(sink);
}

std::uint64_t LocalVideoLoop::pictures_to_sink() const { return impl_->to_sink.load(); }

LocalVideoLoop::~LocalVideoLoop() {
  gst_element_set_state(impl_->pipeline, GST_STATE_NULL);
  gst_object_unref(impl_->pipeline);
}

void LocalVideoLoop::play() {
  if (gst_element_set_state(impl_->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    throw std::runtime_error("the local video loop refused to start" +
                             (error() ? ": " + *error() : std::string()));
}

std::optional<std::string> LocalVideoLoop::error() const {
  std::lock_guard lock(impl_->error_mutex);
  return impl_->first_error;
}

bool load_gstreamer_element(const std::string& factory) {
  initialise_gstreamer();
  GstElement* element = gst_element_factory_make(factory.c_str(), nullptr);
  if (element == nullptr) return false;
  gst_object_unref(gst_object_ref_sink(element));
  return true;
}

}  // namespace surgilink::media
