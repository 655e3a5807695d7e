#include "surgilink/media/or_monitor_window.hpp"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/navigation.h>
#include <gst/video/video.h>
#include <gst/video/videooverlay.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "gst_ref.hpp"
#include "or_x11_window.hpp"
#include "surgilink/media/local_video_loop.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::media {

struct OrMonitorWindow::Impl {
  OrMonitorWindowSettings settings;
  const core::Clock& clock;
  GstObjectRef<GstElement> pipeline;
  GstElement* source = nullptr;  // owned by the pipeline
  std::atomic<std::uint64_t> offered{0}, shown{0};
  // The first picture's capture time: buffer times count from it, so the capture time rides in the PTS.
  std::once_flag origin_set;
  core::CaptureTime origin{};
  int width = 0, height = 0;  // of the caps set on the source; the display branch's size never changes
  std::atomic<int> picture_width{0}, picture_height{0};  // the same, for the window's event thread
  mutable std::mutex error_mutex;
  std::optional<std::string> first_error;
  std::unique_ptr<OrX11Window> x11;  // null off X11 (the sink opens a window of its own)

  Impl(OrMonitorWindowSettings s, const core::Clock& c) : settings(std::move(s)), clock(c) {}

  GstBusSyncReply on_bus_message(GstMessage* message) {
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
      GError* error = nullptr;
      gst_message_parse_error(message, &error, nullptr);
      std::lock_guard lock(error_mutex);
      if (!first_error)
        first_error = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(message))) + ": " +
                      (error != nullptr ? error->message : "unknown error");
      if (error != nullptr) g_error_free(error);
    }
    return GST_BUS_DROP;
  }

  // The window's event thread: the sink sends what happened in the window upstream, in picture pixels.
  void on_upstream_event(GstEvent* event) {
    if (GST_EVENT_TYPE(event) != GST_EVENT_NAVIGATION) return;
    gint button = 0;
    guint identifier = 0;
    gdouble x = 0, y = 0, pressure = 0;
    switch (gst_navigation_event_get_type(event)) {
      case GST_NAVIGATION_EVENT_MOUSE_BUTTON_PRESS:
        if (settings.on_touch && gst_navigation_event_parse_mouse_button_event(event, &button, &x, &y) &&
            button == 1)
          settings.on_touch(x, y);
        break;
      case GST_NAVIGATION_EVENT_TOUCH_DOWN:
        if (settings.on_touch &&
            gst_navigation_event_parse_touch_event(event, &identifier, &x, &y, &pressure))
          settings.on_touch(x, y);
        break;
      case GST_NAVIGATION_EVENT_KEY_PRESS: {
        const gchar* key = nullptr;
        if (!gst_navigation_event_parse_key_event(event, &key) || key == nullptr) break;
        const std::string name(key);
        if (name == "F11" && x11) x11->set_full_screen(!x11->full_screen());
        if (settings.on_key) settings.on_key(name);
        break;
      }
      default:
        break;
    }
  }

  // A press on the window itself (ximagesink cannot select presses on a window it did not make): from window
  // pixels to the picture's, which fills the window with its shape kept.
  void on_window_press(int x, int y, int window_width, int window_height) {
    const int w = picture_width.load(), h = picture_height.load();
    if (!settings.on_touch || w <= 0 || h <= 0 || window_width <= 0 || window_height <= 0) return;
    const double scale =
        std::min(static_cast<double>(window_width) / w, static_cast<double>(window_height) / h);
    const double px = (x - (window_width - w * scale) / 2) / scale,
                 py = (y - (window_height - h * scale) / 2) / scale;
    if (px < 0 || py < 0 || px >= w || py >= h) return;  // on a black border
    settings.on_touch(px, py);
  }

  // The sink's streaming thread: the picture is handed to the screen now.
  void on_sink_buffer(GstBuffer* buffer) {
    shown.fetch_add(1, std::memory_order_relaxed);
    if (settings.on_shown && GST_BUFFER_PTS_IS_VALID(buffer))
      settings.on_shown(origin + std::chrono::nanoseconds{GST_BUFFER_PTS(buffer)}, clock.now());
  }
};

namespace {

// Keeps the picture alive while GStreamer holds memory that points into it.
struct HeldPicture {
  std::shared_ptr<const VideoFrame> picture;
};

// The picture's three planes as one GStreamer buffer, no pixel copied: a memory per plane, placed by a
// video meta.
GstBuffer* wrap(const std::shared_ptr<const VideoFrame>& picture) {
  GstBuffer* buffer = gst_buffer_new();
  gsize offsets[GST_VIDEO_MAX_PLANES] = {};
  gint strides[GST_VIDEO_MAX_PLANES] = {};
  gsize offset = 0;
  for (int plane = 0; plane < 3; ++plane) {
    const int rows = plane == 0 ? picture->height() : picture->height() / 2;
    const int row_bytes = plane == 0 ? picture->width() : picture->width() / 2;
    const int stride = picture->stride(plane);
    // The last row may end before the stride does (the next plane, or the end of GStreamer's buffer).
    const gsize size =
        static_cast<gsize>(stride) * static_cast<gsize>(rows - 1) + static_cast<gsize>(row_bytes);
    auto* held = new HeldPicture{picture};
    gst_buffer_append_memory(
        buffer,
        gst_memory_new_wrapped(GST_MEMORY_FLAG_READONLY, const_cast<std::uint8_t*>(picture->plane(plane)),
                               size, 0, size, held, [](gpointer p) { delete static_cast<HeldPicture*>(p); }));
    offsets[plane] = offset;
    strides[plane] = stride;
    offset += size;
  }
  gst_buffer_add_video_meta_full(buffer, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_FORMAT_I420,
                                 static_cast<guint>(picture->width()), static_cast<guint>(picture->height()),
                                 3, offsets, strides);
  return buffer;
}

}  // namespace

OrMonitorWindow::OrMonitorWindow(OrMonitorWindowSettings settings, const core::Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(settings), clock)) {
  initialise_gstreamer();
  const std::string& sink_name = impl_->settings.video_sink;
  if (sink_name != "glimagesink" && sink_name != "xvimagesink" && sink_name != "ximagesink")
    throw std::runtime_error(
        "the OR window's video sink must be glimagesink, xvimagesink or ximagesink, not '" + sink_name + "'");
  if (!load_gstreamer_element(sink_name))
    throw std::runtime_error("GStreamer element '" + sink_name +
                             "' is missing (install the packages in tools/debian-packages.txt)");
  // appsrc keeps one picture and drops the older one (leaky downstream) rather than blocking show(); the
  // sink draws each picture as it comes (sync=false: the OR display branch already paces them).
  GError* parse_error = nullptr;
  GstElement* built = gst_parse_launch(
      ("appsrc name=or_pictures is-live=true format=time block=false max-buffers=1 leaky-type=downstream ! "
       "videoconvert ! " +
       // ximagesink cannot scale: it asks upstream for the window's size, which videoscale gives it, the
       // picture's shape kept with black borders.
       std::string(sink_name == "ximagesink" ? "videoscale add-borders=true ! " : "") + sink_name +
       " name=or_screen sync=false async=false force-aspect-ratio=true")
          .c_str(),
      &parse_error);
  if (built == nullptr) {
    const std::string why = parse_error != nullptr ? parse_error->message : "unknown error";
    if (parse_error != nullptr) g_error_free(parse_error);
    throw std::runtime_error("the OR window's pipeline did not build: " + why);
  }
  impl_->pipeline.reset(GST_ELEMENT(gst_object_ref_sink(built)));
  const GstObjectRef<GstElement> source(gst_bin_get_by_name(GST_BIN(built), "or_pictures"));
  impl_->source = source.get();
  const GstObjectRef<GstElement> sink(gst_bin_get_by_name(GST_BIN(built), "or_screen"));
  const GstObjectRef<GstPad> pad(gst_element_get_static_pad(sink.get(), "sink"));
  gst_pad_add_probe(
      pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer self) {
        static_cast<Impl*>(self)->on_sink_buffer(GST_PAD_PROBE_INFO_BUFFER(info));
        return GST_PAD_PROBE_OK;
      },
      impl_.get(), nullptr);
  // Touches are read where they reach the pictures' source: videoscale (before ximagesink) has put them back
  // into the picture's pixels on the way.
  const GstObjectRef<GstPad> source_pad(gst_element_get_static_pad(source.get(), "src"));
  gst_pad_add_probe(
      source_pad.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      [](GstPad*, GstPadProbeInfo* info, gpointer self) {
        static_cast<Impl*>(self)->on_upstream_event(GST_PAD_PROBE_INFO_EVENT(info));
        return GST_PAD_PROBE_OK;
      },
      impl_.get(), nullptr);
  // On X11 the window is ours (full screen on the chosen monitor, F11); the sink draws into it.
  const char* display = std::getenv("DISPLAY");
  if (display != nullptr && *display != '\0') {
    impl_->x11 = std::make_unique<OrX11Window>(impl_->settings.full_screen, impl_->settings.screen, placed_,
                                               [impl = impl_.get()](int x, int y, int width, int height) {
                                                 impl->on_window_press(x, y, width, height);
                                               });
    gst_video_overlay_set_window_handle(GST_VIDEO_OVERLAY(sink.get()), impl_->x11->handle());
    gst_video_overlay_handle_events(GST_VIDEO_OVERLAY(sink.get()), TRUE);
  }
  const GstObjectRef<GstBus> bus(gst_element_get_bus(built));
  gst_bus_set_sync_handler(
      bus.get(),
      [](GstBus*, GstMessage* m, gpointer self) { return static_cast<Impl*>(self)->on_bus_message(m); },
      impl_.get(), nullptr);
  if (gst_element_set_state(built, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    gst_element_set_state(built, GST_STATE_NULL);
    throw std::runtime_error("the OR window did not open" + (error() ? ": " + *error() : std::string()));
  }
}

OrMonitorWindow::~OrMonitorWindow() { gst_element_set_state(impl_->pipeline.get(), GST_STATE_NULL); }

void OrMonitorWindow::show(std::shared_ptr<const VideoFrame> picture) {
  if (!picture || picture->width() <= 0 || picture->height() <= 0) return;
  Impl& s = *impl_;
  std::call_once(s.origin_set, [&] {
    s.origin = picture->capture_time();
    s.width = picture->width();
    s.height = picture->height();
    s.picture_width = s.width;
    s.picture_height = s.height;
    const GstMiniRef<GstCaps> caps(gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420",
                                                       "width", G_TYPE_INT, s.width, "height", G_TYPE_INT,
                                                       s.height, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1,
                                                       1, "framerate", GST_TYPE_FRACTION, 0, 1, nullptr));
    gst_app_src_set_caps(GST_APP_SRC(s.source), caps.get());
  });
  if (picture->width() != s.width || picture->height() != s.height) return;
  GstBuffer* buffer = wrap(picture);
  const auto since = picture->capture_time() - s.origin;
  GST_BUFFER_PTS(buffer) = since.count() > 0 ? static_cast<GstClockTime>(since.count()) : 0;
  s.offered.fetch_add(1, std::memory_order_relaxed);
  gst_app_src_push_buffer(GST_APP_SRC(s.source), buffer);  // takes the buffer
}

bool OrMonitorWindow::full_screen() const { return impl_->x11 && impl_->x11->full_screen(); }

void OrMonitorWindow::toggle_full_screen() {
  if (impl_->x11) impl_->x11->set_full_screen(!impl_->x11->full_screen());
}

std::array<int, 4> OrMonitorWindow::geometry() const {
  return impl_->x11 ? impl_->x11->geometry() : std::array<int, 4>{};
}

std::uint64_t OrMonitorWindow::pictures_shown() const { return impl_->shown.load(); }

std::uint64_t OrMonitorWindow::pictures_skipped() const {
  const std::uint64_t offered = impl_->offered.load(), shown = impl_->shown.load();
  return offered > shown ? offered - shown : 0;
}

std::optional<std::string> OrMonitorWindow::error() const {
  std::lock_guard lock(impl_->error_mutex);
  return impl_->first_error;
}

}  // namespace surgilink::media
