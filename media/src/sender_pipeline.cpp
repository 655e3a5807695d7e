#include "surgilink/media/sender_pipeline.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <spdlog/spdlog.h>

#include "gst_ref.hpp"
#include "gst_sample_frame.hpp"
#include "segment_recorder_gst.hpp"
#include "surgilink/media/pixel_timestamp_code.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/srtp_session.hpp"
#include "surgilink/media/synthetic_scene.hpp"
#include "surgilink/media/synthetic_truth.hpp"

namespace surgilink::media {

void initialise_gstreamer() {
  static std::once_flag once;
  std::call_once(once, [] { gst_init(nullptr, nullptr); });
}

GstObjectRef<GstElement> make_element(const char* factory, const char* name) {
  GstElement* e = gst_element_factory_make(factory, name);
  if (e == nullptr) {
    throw std::runtime_error(std::string("GStreamer element '") + factory +
                             "' is missing (install the packages in tools/debian-packages.txt)");
  }
  return GstObjectRef<GstElement>(GST_ELEMENT(gst_object_ref_sink(e)));
}

GstClockTime running_time_on(GstPad* pad, GstClockTime pts) {
  const GstMiniRef<GstEvent> event(gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0));
  if (!event) return pts;
  const GstSegment* segment = nullptr;
  gst_event_parse_segment(event.get(), &segment);
  return gst_segment_to_running_time(segment, GST_FORMAT_TIME, pts);
}

namespace {

std::string source_description(const SenderPipelineSettings& s) {
  const auto& p = s.profile;
  // An explicit capsfilter: the "a ! caps" shorthand is not allowed at the end of a bin description. Square
  // pixels: whatever the source's shape, the picture leaves here at its true display aspect ratio.
  const std::string caps = "capsfilter caps=\"video/x-raw,format=I420,width=" + std::to_string(p.width) +
                           ",height=" + std::to_string(p.height) + ",framerate=" + std::to_string(p.fps) +
                           "/1,pixel-aspect-ratio=1/1\"";
  // A real source comes in any size, pixel shape and scan. Deinterlaced first, before scaling mixes the
  // lines of two moments; "linear" builds each picture from the newest field alone, so it holds no field
  // back (no added latency; a progressive source passes through untouched). Then scaled into the profile
  // with black borders where the shapes differ (videoscale add-borders): a 4:3 tower or a PAL/NTSC picture
  // is pillarboxed at its display aspect ratio, never stretched.
  const std::string shown_true =
      "videoconvert ! deinterlace name=deinterlace method=linear ! videoscale add-borders=true ! videorate "
      "! ";
  switch (s.source.kind) {
    case VideoSource::Kind::kSynthetic:
      // videotestsrc only paces live frames and provides buffers; the capture probe paints the scene into
      // them.
      return "videotestsrc is-live=true pattern=black ! " + caps + " name=source_out";
    case VideoSource::Kind::kTestSrc:
      return "videotestsrc is-live=true pattern=smpte ! " + caps + " name=source_out";
    case VideoSource::Kind::kFile:
      return "filesrc location=\"" + s.source.location + "\" ! decodebin ! " + shown_true + caps +
             " ! clocksync name=source_out";
    case VideoSource::Kind::kV4l2:
      return "v4l2src device=\"" + s.source.location + "\" ! " + shown_true + caps + " name=source_out";
  }
  return {};
}

// Says once per change of the source's format how it is shown: its size, pixel shape and scan, and what the
// pipeline does about each (the choice of deinterlacer is logged, DESIGN.md §8: the OR knows its picture).
void log_source_format(const GstCaps* caps, const VideoProfile& p) {
  GstVideoInfo info;
  if (caps == nullptr || !gst_video_info_from_caps(&info, caps)) return;
  const int w = GST_VIDEO_INFO_WIDTH(&info), h = GST_VIDEO_INFO_HEIGHT(&info);
  const int par_n = std::max(1, GST_VIDEO_INFO_PAR_N(&info)),
            par_d = std::max(1, GST_VIDEO_INFO_PAR_D(&info));
  // The display aspect ratio and the area it fills in the profile's frame, borders around it.
  const double dar = static_cast<double>(w) * par_n / (static_cast<double>(h) * par_d);
  const double frame = static_cast<double>(p.width) / p.height;
  const int shown_w = dar < frame ? static_cast<int>(p.height * dar + 0.5) : p.width;
  const int shown_h = dar < frame ? p.height : static_cast<int>(p.width / dar + 0.5);
  spdlog::info(
      "video source: {}x{}, pixel aspect {}/{} (display aspect {:.3f}), shown {}x{} in the {}x{} frame{}", w,
      h, par_n, par_d, dar, shown_w, shown_h, p.width, p.height,
      shown_w == p.width && shown_h == p.height ? "" : " with black borders");
  if (GST_VIDEO_INFO_IS_INTERLACED(&info)) {
    spdlog::info(
        "video source is interlaced ({}): deinterlaced before the tee with 'linear' (each picture from its "
        "newest field alone: no field held back, no added latency)",
        gst_video_interlace_mode_to_string(GST_VIDEO_INFO_INTERLACE_MODE(&info)));
  } else {
    spdlog::info("video source is progressive: the deinterlacer passes it through");
  }
}
}  // namespace

struct SenderPipeline::Impl {
  SenderPipelineSettings settings;
  const core::Clock& clock;
  SenderPipelineListener& listener;
  SenderPipelineCounters counters;
  LatestFrameMailbox display;
  std::shared_ptr<OrDisplayOverlay> overlay;  // set before start; read on the display streaming thread

  GstObjectRef<GstElement> pipeline;
  GstElement* source_bin = nullptr;    // held by the pipeline
  GstElement* encoder = nullptr;       // held by the pipeline
  GstElement* ladder_caps = nullptr;   // held by the pipeline; null in the plain-RTP baseline
  GstElement* encode_queue = nullptr;  // held by the pipeline
  std::mutex encoding_mutex;
  int encoded_width = 0, encoded_height = 0, encoded_fps = 0;
  std::shared_ptr<SyntheticScene> scene;
  std::shared_ptr<SyntheticTruth> truth;

  // Capture time by buffer PTS: written where frames enter the pipeline, read when their RTP packets leave.
  std::mutex capture_mutex;
  std::array<std::pair<GstClockTime, core::CaptureTime>, 256> capture_times{};
  std::size_t capture_next = 0;

  Impl(SenderPipelineSettings s, const core::Clock& c, SenderPipelineListener& l)
      : settings(std::move(s)), clock(c), listener(l) {}

  void remember_capture(GstClockTime pts, core::CaptureTime t) {
    std::lock_guard lock(capture_mutex);
    capture_times[capture_next] = {pts, t};
    capture_next = (capture_next + 1) % capture_times.size();
  }

  // The newest frame with this running time: after a looped file's flushing seek, running time starts again
  // at 0, and the older frames of the same running time are still in the ring (matching one of them gave the
  // frame a capture time seconds old).
  std::optional<core::CaptureTime> capture_of(GstClockTime pts) {
    std::lock_guard lock(capture_mutex);
    const std::size_t n = capture_times.size();
    for (std::size_t back = 1; back <= n; ++back) {
      const auto& [p, t] = capture_times[(capture_next + n - back) % n];
      if (p == pts && t.time_since_epoch().count() != 0) return t;
    }
    return std::nullopt;
  }

  // Runs on the source's streaming thread for every frame: paint the scene, stamp the capture time.
  GstPadProbeReturn on_captured_frame(GstPad* pad, GstPadProbeInfo* info) {
    GstBuffer* buffer = gst_pad_probe_info_get_buffer(info);
    if (buffer == nullptr) return GST_PAD_PROBE_OK;
    buffer = gst_buffer_make_writable(buffer);
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_WRITE)) return GST_PAD_PROBE_OK;
    std::span<std::uint8_t> frame(map.data, map.size);
    const auto pts = GST_BUFFER_PTS(buffer);
    const std::chrono::nanoseconds scene_time{GST_CLOCK_TIME_IS_VALID(pts) ? pts : 0};
    if (scene) scene->render(scene_time, frame);
    const core::CaptureTime captured = clock.now();
    if (truth) truth->note(captured, scene_time);
    if (settings.pixel_code) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(captured.time_since_epoch());
      draw_pixel_timestamp(frame, settings.profile.width, settings.profile.height, us.count());
    }
    gst_buffer_unmap(buffer, &map);
    remember_capture(running_time_on(pad, pts), captured);
    counters.frames_captured.fetch_add(1, std::memory_order_relaxed);
    return GST_PAD_PROBE_OK;
  }

  // Runs on the encoder branch's streaming thread: copy packets out and hand them to the listener.
  GstFlowReturn on_rtp_sample(GstAppSink* sink) {
    const GstMiniRef<GstSample> sample(gst_app_sink_pull_sample(sink));
    if (!sample) return GST_FLOW_EOS;
    EncodedPackets out;
    const GstSegment* segment = gst_sample_get_segment(sample.get());
    const auto take = [&](GstBuffer* b) {
      const gsize size = gst_buffer_get_size(b);
      std::vector<std::uint8_t> bytes;
      bytes.reserve(size + kTimingExtensionSize + kSrtpMaxTrailer);
      bytes.resize(size);
      gst_buffer_extract(b, 0, bytes.data(), size);
      out.packets.push_back(std::move(bytes));
      if (out.capture_time.time_since_epoch().count() == 0) {
        const GstClockTime pts = GST_BUFFER_PTS(b);
        const GstClockTime rt = segment ? gst_segment_to_running_time(segment, GST_FORMAT_TIME, pts) : pts;
        if (auto t = capture_of(rt)) out.capture_time = *t;
      }
    };
    if (GstBufferList* list = gst_sample_get_buffer_list(sample.get())) {
      const guint n = gst_buffer_list_length(list);
      for (guint i = 0; i < n; ++i) take(gst_buffer_list_get(list, i));
    } else if (GstBuffer* b = gst_sample_get_buffer(sample.get())) {
      take(b);
    }
    if (out.capture_time.time_since_epoch().count() == 0) out.capture_time = clock.now();
    listener.on_encoded_packets(std::move(out));
    return GST_FLOW_OK;
  }

  // Runs on the recording branch's streaming thread.
  GstFlowReturn on_record_sample(GstAppSink* sink) {
    const GstMiniRef<GstSample> sample(gst_app_sink_pull_sample(sink));
    if (!sample) return GST_FLOW_EOS;
    const GstSegment* segment = gst_sample_get_segment(sample.get());
    GstBuffer* buffer = gst_sample_get_buffer(sample.get());
    std::optional<core::CaptureTime> captured;
    if (buffer != nullptr) {
      const GstClockTime pts = GST_BUFFER_PTS(buffer);
      captured = capture_of(segment ? gst_segment_to_running_time(segment, GST_FORMAT_TIME, pts) : pts);
    }
    record_encoded_frame(*settings.recorder, sample.get(), captured.value_or(clock.now()));
    return GST_FLOW_OK;
  }

  GstFlowReturn on_display_sample(GstAppSink* sink) {
    GstSample* sample = gst_app_sink_pull_sample(sink);
    if (sample == nullptr) return GST_FLOW_EOS;
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    const GstObjectRef<GstPad> pad(gst_element_get_static_pad(GST_ELEMENT(sink), "sink"));
    const auto captured = capture_of(running_time_on(pad.get(), GST_BUFFER_PTS(buffer)));
    counters.frames_displayed.fetch_add(1, std::memory_order_relaxed);
    auto frame = frame_from_sample(sample, captured.value_or(clock.now()));
    if (!frame) return GST_FLOW_OK;
    if (overlay) overlay->observe(*frame);
    if (overlay && overlay->has_content()) {
      // One copy per frame, only while something is drawn: GStreamer's buffer is shared with the encoder.
      auto drawn = VideoFrame::copy_of(*frame);
      overlay->draw(drawn->writable(), drawn->capture_time());
      frame = std::move(drawn);
    }
    display.put(frame);
    listener.on_or_display_picture(frame);
    return GST_FLOW_OK;
  }

  // Caller holds encoding_mutex, or is the constructor.
  void set_ladder_caps() {
    const std::string text = "video/x-raw,width=" + std::to_string(encoded_width) +
                             ",height=" + std::to_string(encoded_height) +
                             ",framerate=" + std::to_string(encoded_fps) + "/1,pixel-aspect-ratio=1/1";
    const GstMiniRef<GstCaps> caps(gst_caps_from_string(text.c_str()));
    g_object_set(ladder_caps, "caps", caps.get(), nullptr);
  }

  GstBusSyncReply on_bus_message(GstMessage* message) {
    switch (GST_MESSAGE_TYPE(message)) {
      case GST_MESSAGE_ERROR: {
        GError* error = nullptr;
        gchar* debug = nullptr;
        gst_message_parse_error(message, &error, &debug);
        listener.on_pipeline_problem(std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(message))) + ": " +
                                         (error ? error->message : "unknown error"),
                                     true);
        if (error) g_error_free(error);
        g_free(debug);
        break;
      }
      case GST_MESSAGE_WARNING: {
        GError* error = nullptr;
        gst_message_parse_warning(message, &error, nullptr);
        listener.on_pipeline_problem(error ? error->message : "warning", false);
        if (error) g_error_free(error);
        break;
      }
      case GST_MESSAGE_SEGMENT_DONE:
      case GST_MESSAGE_EOS:
        listener.on_source_segment_done();
        break;
      default:
        break;
    }
    return GST_BUS_DROP;
  }
};

SenderPipeline::SenderPipeline(SenderPipelineSettings settings, const core::Clock& clock,
                               SenderPipelineListener& listener)
    : impl_(std::make_unique<Impl>(std::move(settings), clock, listener)) {
  initialise_gstreamer();
  auto& s = impl_->settings;
  if (s.source.kind == VideoSource::Kind::kSynthetic) {
    impl_->scene = std::make_shared<SyntheticScene>(s.profile.width, s.profile.height, s.seed);
    impl_->truth = std::make_shared<SyntheticTruth>(impl_->scene);
  }
  GError* error = nullptr;
  // Only the last element's output is ghosted: ghosting every unlinked pad would also ghost the sink pad that
  // a decodebin links to later (its pads appear at run time), and that delayed link would then fail.
  GstElement* parsed = gst_parse_bin_from_description(source_description(s).c_str(), FALSE, &error);
  if (parsed == nullptr) {
    const std::string why = error ? error->message : "unknown";
    if (error) g_error_free(error);
    throw std::runtime_error("cannot build video source '" + to_string(s.source) + "': " + why);
  }
  const GstObjectRef<GstElement> source_ref(GST_ELEMENT(gst_object_ref_sink(parsed)));
  GstElement* source = source_ref.get();
  {
    const GstObjectRef<GstElement> source_out(gst_bin_get_by_name(GST_BIN(source), "source_out"));
    const GstObjectRef<GstPad> source_pad(gst_element_get_static_pad(source_out.get(), "src"));
    gst_element_add_pad(source, gst_ghost_pad_new("src", source_pad.get()));
  }
  impl_->source_bin = source;
  // A real source's format is known only once it flows: logged from its first caps (and any change).
  if (const GstObjectRef<GstElement> deinterlace(gst_bin_get_by_name(GST_BIN(source), "deinterlace"));
      deinterlace) {
    const GstObjectRef<GstPad> pad(gst_element_get_static_pad(deinterlace.get(), "sink"));
    gst_pad_add_probe(
        pad.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
        [](GstPad*, GstPadProbeInfo* info, gpointer self) {
          GstEvent* event = gst_pad_probe_info_get_event(info);
          if (event != nullptr && GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
            GstCaps* caps = nullptr;
            gst_event_parse_caps(event, &caps);
            log_source_format(caps, static_cast<Impl*>(self)->settings.profile);
          }
          return GST_PAD_PROBE_OK;
        },
        impl_.get(), nullptr);
  }
  impl_->pipeline.reset(GST_ELEMENT(gst_object_ref_sink(gst_pipeline_new("sender"))));
  // Owned here until the end of the constructor; the pipeline holds its own references once they are added.
  const auto tee_ref = make_element("tee", "split");
  const auto display_queue_ref = make_element("queue", "display_queue");
  const auto display_sink_ref = make_element("appsink", "or_display");
  const auto encode_queue_ref = make_element("queue", "encode_queue");
  const auto encoder_ref = make_element("x264enc", "encoder");
  // The video ladder (set_encoding): scaled and thinned before the encoder only, so the OR display and the
  // capture stamp keep the source's full picture. At the top step both pass frames through untouched;
  // videorate only drops (never holds a frame back, never duplicates).
  const auto ladder_scale_ref = make_element("videoscale", "ladder_scale");
  const auto ladder_rate_ref = make_element("videorate", "ladder_rate");
  const auto ladder_caps_ref = make_element("capsfilter", "ladder_caps");
  const auto h264_caps_ref = make_element("capsfilter", "h264_caps");
  const auto payloader_ref = make_element("rtph264pay", "payloader");
  const bool plain = s.plain.has_value();
  const bool srt = plain && s.plain->transport == PlainRtpPath::Transport::srt;
  const auto rtp_sink_ref = make_element(!plain ? "appsink" : srt ? "srtsink" : "udpsink", "rtp_out");
  GstElement* tee = tee_ref.get();
  GstElement* display_queue = display_queue_ref.get();
  GstElement* display_sink = display_sink_ref.get();
  GstElement* encode_queue = encode_queue_ref.get();
  impl_->encoder = encoder_ref.get();
  GstElement* h264_caps = h264_caps_ref.get();
  GstElement* ladder_scale = ladder_scale_ref.get();
  GstElement* ladder_rate = ladder_rate_ref.get();
  GstElement* ladder_caps = ladder_caps_ref.get();
  GstElement* payloader = payloader_ref.get();
  GstElement* rtp_sink = rtp_sink_ref.get();

  // Both branches may drop but never block the tee: the OR display must not wait on encoder or network.
  for (GstElement* q : {display_queue, encode_queue}) {
    g_object_set(q, "leaky", 2 /* downstream: drop old */, "max-size-buffers", 1u, "max-size-bytes", 0u,
                 "max-size-time", guint64{0}, nullptr);
  }
  gst_util_set_object_arg(G_OBJECT(impl_->encoder), "tune", "zerolatency");
  gst_util_set_object_arg(G_OBJECT(impl_->encoder), "speed-preset", "ultrafast");
  g_object_set(impl_->encoder, "bitrate", static_cast<guint>(s.profile.bitrate_kbps), "key-int-max",
               static_cast<guint>(s.keyframe_interval.count() * s.profile.fps), "bframes", 0u,
               "vbv-buf-capacity", static_cast<guint>(s.rate_buffer.count()), nullptr);
  // Intra refresh through x264's own option, not the element's property: with the property x264enc turns
  // every forced keyframe into a new refresh wave, and a joining console, a loss or a recording segment
  // would get no IDR (gst-plugins-ugly's x264enc, 1.22).
  if (s.intra_refresh) g_object_set(impl_->encoder, "option-string", "intra-refresh=1", nullptr);
  const GstMiniRef<GstCaps> caps(
      gst_caps_from_string("video/x-h264,profile=constrained-baseline,stream-format=byte-stream"));
  g_object_set(h264_caps, "caps", caps.get(), nullptr);
  g_object_set(payloader, "mtu", static_cast<guint>(s.max_rtp_size), "pt",
               static_cast<guint>(s.rtp_payload_type), "config-interval", -1, "ssrc", s.ssrc, "seqnum-offset",
               static_cast<int>(s.first_sequence), nullptr);
  gst_util_set_object_arg(G_OBJECT(payloader), "aggregate-mode", "zero-latency");
  for (GstElement* sink : {display_sink, rtp_sink}) {
    g_object_set(sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, nullptr);
  }
  g_object_set(display_sink, "max-buffers", 1u, "drop", TRUE, nullptr);
  if (srt) {
    // RTP inside SRT: each packet one SRT message. The mentor's receiver calls this listener.
    const std::string uri =
        "srt://" + s.plain->address + ":" + std::to_string(s.plain->port) + "?mode=listener";
    g_object_set(rtp_sink, "uri", uri.c_str(), "latency", static_cast<gint>(s.plain->srt_latency.count()),
                 nullptr);
  } else if (plain) {
    g_object_set(rtp_sink, "host", s.plain->address.c_str(), "port", s.plain->port, "buffer-size",
                 4 * 1024 * 1024, nullptr);
  } else {
    g_object_set(rtp_sink, "buffer-list", TRUE, nullptr);
  }

  gst_bin_add_many(GST_BIN(impl_->pipeline.get()), source, tee, display_queue, display_sink, encode_queue,
                   impl_->encoder, h264_caps, payloader, rtp_sink, nullptr);
  bool linked =
      gst_element_link(source, tee) && gst_element_link_many(tee, display_queue, display_sink, nullptr);
  if (plain) {
    linked = linked && gst_element_link_many(tee, encode_queue, impl_->encoder, h264_caps, nullptr);
  } else {
    g_object_set(ladder_rate, "drop-only", TRUE, "skip-to-first", TRUE, nullptr);
    gst_util_set_object_arg(G_OBJECT(ladder_scale), "add-borders", "true");
    impl_->ladder_caps = ladder_caps;
    impl_->encode_queue = encode_queue;
    impl_->encoded_width = s.profile.width;
    impl_->encoded_height = s.profile.height;
    impl_->encoded_fps = s.profile.fps;
    impl_->set_ladder_caps();
    gst_bin_add_many(GST_BIN(impl_->pipeline.get()), ladder_scale, ladder_rate, ladder_caps, nullptr);
    linked = linked && gst_element_link_many(tee, encode_queue, ladder_scale, ladder_rate, ladder_caps,
                                             impl_->encoder, h264_caps, nullptr);
  }
  impl_->counters.bitrate_kbps.store(static_cast<std::uint32_t>(s.profile.bitrate_kbps));
  GstObjectRef<GstElement> record_sink_ref;
  if (impl_->settings.recorder && !plain) {
    // The encoded stream splits after the encoder: the RTP branch first and without a queue (no extra
    // thread hop on the way to the mentor), the recorder behind a queue that drops when it falls behind.
    const auto encoded_tee_ref = make_element("tee", "encoded");
    const auto record_queue_ref = make_element("queue", "record_queue");
    record_sink_ref = make_element("appsink", "record_out");
    GstElement* encoded_tee = encoded_tee_ref.get();
    GstElement* record_queue = record_queue_ref.get();
    GstElement* record_sink = record_sink_ref.get();
    g_object_set(record_queue, "leaky", 2, "max-size-buffers", 120u, "max-size-bytes", 0u, "max-size-time",
                 guint64{0}, nullptr);
    g_object_set(record_sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, nullptr);
    gst_bin_add_many(GST_BIN(impl_->pipeline.get()), encoded_tee, record_queue, record_sink, nullptr);
    linked = linked && gst_element_link(h264_caps, encoded_tee) &&
             gst_element_link_many(encoded_tee, payloader, rtp_sink, nullptr) &&
             gst_element_link_many(encoded_tee, record_queue, record_sink, nullptr);
  } else {
    linked = linked && gst_element_link_many(h264_caps, payloader, rtp_sink, nullptr);
  }
  if (!linked) throw std::runtime_error("cannot link the sender pipeline");

  const GstObjectRef<GstPad> captured(gst_element_get_static_pad(source, "src"));
  gst_pad_add_probe(
      captured.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad* pad, GstPadProbeInfo* info, gpointer self) {
        return static_cast<Impl*>(self)->on_captured_frame(pad, info);
      },
      impl_.get(), nullptr);

  if (!plain) {
    GstAppSinkCallbacks rtp_callbacks{};
    rtp_callbacks.new_sample = [](GstAppSink* sink, gpointer self) {
      return static_cast<Impl*>(self)->on_rtp_sample(sink);
    };
    gst_app_sink_set_callbacks(GST_APP_SINK(rtp_sink), &rtp_callbacks, impl_.get(), nullptr);
  }
  if (GstElement* record_sink = record_sink_ref.get()) {
    GstAppSinkCallbacks record_callbacks{};
    record_callbacks.new_sample = [](GstAppSink* sink, gpointer self) {
      return static_cast<Impl*>(self)->on_record_sample(sink);
    };
    gst_app_sink_set_callbacks(GST_APP_SINK(record_sink), &record_callbacks, impl_.get(), nullptr);
  }
  GstAppSinkCallbacks display_callbacks{};
  display_callbacks.new_sample = [](GstAppSink* sink, gpointer self) {
    return static_cast<Impl*>(self)->on_display_sample(sink);
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(display_sink), &display_callbacks, impl_.get(), nullptr);

  const GstObjectRef<GstBus> bus(gst_element_get_bus(impl_->pipeline.get()));
  gst_bus_set_sync_handler(
      bus.get(),
      [](GstBus*, GstMessage* m, gpointer self) { return static_cast<Impl*>(self)->on_bus_message(m); },
      impl_.get(), nullptr);
}

SenderPipeline::~SenderPipeline() { stop(); }

void SenderPipeline::start() {
  if (gst_element_set_state(impl_->pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    throw std::runtime_error("the sender pipeline refused to start (source " +
                             to_string(impl_->settings.source) + ")");
  }
}

void SenderPipeline::stop() { gst_element_set_state(impl_->pipeline.get(), GST_STATE_NULL); }

void SenderPipeline::request_keyframe() {
  const GstObjectRef<GstPad> pad(gst_element_get_static_pad(impl_->encoder, "src"));
  // gst_pad_send_event takes the event's reference.
  gst_pad_send_event(pad.get(), gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
  impl_->counters.keyframes_forced.fetch_add(1, std::memory_order_relaxed);
}

void SenderPipeline::set_encoding(int width, int height, int fps, std::uint32_t bitrate_kbps) {
  auto& impl = *impl_;
  if (bitrate_kbps == 0 || width <= 0 || height <= 0 || fps <= 0) return;
  if (impl.counters.bitrate_kbps.exchange(bitrate_kbps) != bitrate_kbps) {
    g_object_set(impl.encoder, "bitrate", static_cast<guint>(bitrate_kbps), nullptr);
  }
  if (impl.ladder_caps == nullptr) return;
  {
    std::lock_guard lock(impl.encoding_mutex);
    if (width == impl.encoded_width && height == impl.encoded_height && fps == impl.encoded_fps) return;
    impl.encoded_width = width;
    impl.encoded_height = height;
    impl.encoded_fps = fps;
  }
  // The new caps go in while no picture is on its way from the encode queue to the encoder (an idle probe:
  // the queue's thread waits while it runs). Changed while a picture was half-way, videorate once met a size
  // its downstream no longer allowed, and the pipeline stopped with "not negotiated": the sender ended on a
  // step up to 1080p.
  const GstObjectRef<GstPad> pad(gst_element_get_static_pad(impl.encode_queue, "src"));
  gst_pad_add_probe(
      pad.get(), GST_PAD_PROBE_TYPE_IDLE,
      [](GstPad*, GstPadProbeInfo*, gpointer data) {
        auto& i = *static_cast<Impl*>(data);
        // The reconfigure the capsfilter sends upstream as its caps change (in this thread) stops at the
        // encode queue: the scaler and videorate adapt any source picture to the step, so the source has
        // nothing to renegotiate, and when it did, it stopped with "not negotiated" about one run in fifteen
        // of the ladder test. Only this one: the source's start-up negotiation needs the others (a PAL
        // source's pixel aspect ratio).
        const GstObjectRef<GstPad> queue_sink(gst_element_get_static_pad(i.encode_queue, "sink"));
        const gulong drop = gst_pad_add_probe(
            queue_sink.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
            [](GstPad*, GstPadProbeInfo* info, gpointer) {
              return GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_RECONFIGURE
                         ? GST_PAD_PROBE_DROP
                         : GST_PAD_PROBE_OK;
            },
            nullptr, nullptr);
        {
          std::lock_guard lock(i.encoding_mutex);
          i.set_ladder_caps();
        }
        gst_pad_remove_probe(queue_sink.get(), drop);
        return GST_PAD_PROBE_REMOVE;
      },
      &impl, nullptr);
}

void SenderPipeline::rewind() {
  gst_element_seek_simple(impl_->pipeline.get(), GST_FORMAT_TIME,
                          static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT), 0);
}

void SenderPipeline::set_or_display_overlay(std::shared_ptr<OrDisplayOverlay> overlay) {
  impl_->overlay = std::move(overlay);
}

const LatestFrameMailbox& SenderPipeline::or_display() const { return impl_->display; }
std::shared_ptr<const SyntheticTruth> SenderPipeline::synthetic_truth() const { return impl_->truth; }
const SenderPipelineCounters& SenderPipeline::counters() const { return impl_->counters; }
const SenderPipelineSettings& SenderPipeline::settings() const { return impl_->settings; }

}  // namespace surgilink::media
