#include "surgilink/media/receiver_pipeline.hpp"

#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "gst_sample_frame.hpp"
#include "surgilink/media/pixel_timestamp_code.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::media {

struct ReceiverPipeline::Impl {
  const core::Clock& clock;
  ReceiverPipelineListener& listener;
  LatestFrameMailbox& mailbox;
  bool read_pixel_code;
  GstElement* pipeline = nullptr;
  GstElement* source = nullptr;
  // Capture time (ns since the Unix epoch) that PTS 0 stands for; 0 until the first packet. Written once by
  // the network thread, read by the streaming thread.
  std::atomic<std::int64_t> epoch_ns{0};
  // A plain path's sequence numbers as the depacketizer gets them (its streaming thread; read by any).
  mutable std::mutex gaps_mutex;
  RtpGapWatch gaps;

  Impl(const core::Clock& c, ReceiverPipelineListener& l, LatestFrameMailbox& m, bool pixel)
      : clock(c), listener(l), mailbox(m), read_pixel_code(pixel) {}

  GstFlowReturn on_sample(GstAppSink* sink) {
    GstSample* sample = gst_app_sink_pull_sample(sink);
    if (sample == nullptr) return GST_FLOW_EOS;
    const core::CaptureTime decoded_at = clock.now();
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    const core::CaptureTime capture_time{
        std::chrono::nanoseconds{epoch_ns.load() + static_cast<std::int64_t>(GST_BUFFER_PTS(buffer))}};
    auto frame = frame_from_sample(sample, capture_time);
    if (!frame) {
      listener.on_pipeline_problem("decoded frame could not be mapped", false);
      return GST_FLOW_OK;
    }
    DecodedFrameInfo decoded;
    decoded.decoded_at = decoded_at;
    decoded.capture_time = capture_time;
    if (read_pixel_code) {
      decoded.pixel_capture_us =
          read_pixel_timestamp(frame->plane(0), frame->stride(0), frame->width(), frame->height());
    }
    mailbox.put(std::move(frame));
    listener.on_frame_decoded(decoded);
    return GST_FLOW_OK;
  }

  void watch_rtp(GstBuffer* buffer) {
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return;
    {
      const std::lock_guard lock(gaps_mutex);
      gaps.on_packet(std::span<const std::uint8_t>(map.data, map.size));
    }
    gst_buffer_unmap(buffer, &map);
  }

  GstBusSyncReply on_bus_message(GstMessage* message) {
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR || GST_MESSAGE_TYPE(message) == GST_MESSAGE_WARNING) {
      GError* error = nullptr;
      const bool fatal = GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR;
      if (fatal) {
        gst_message_parse_error(message, &error, nullptr);
      } else {
        gst_message_parse_warning(message, &error, nullptr);
      }
      listener.on_pipeline_problem(error ? error->message : "unknown", fatal);
      if (error) g_error_free(error);
    }
    return GST_BUS_DROP;
  }
};

namespace {

// Where a pipeline's RTP comes from: SurgiLink's network thread (appsrc), or a baseline's plain path.
std::string rtp_source(const std::optional<PlainRtpPath>& plain, int payload_type) {
  const std::string caps = " ! application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=" +
                           std::to_string(payload_type);
  if (!plain) return "appsrc name=rtp_in is-live=true format=time do-timestamp=false" + caps;
  if (plain->transport == PlainRtpPath::Transport::srt) {
    // RTP inside SRT, one packet per SRT message: SRT delivers each after its latency window, in order.
    return "srtsrc name=rtp_in uri=\"srt://" + plain->address + ":" + std::to_string(plain->port) +
           "?mode=caller\" latency=" + std::to_string(plain->srt_latency.count()) + caps;
  }
  std::string description = "udpsrc name=rtp_in buffer-size=4194304 address=" + plain->address +
                            " port=" + std::to_string(plain->port) + caps;
  // No retransmission asked for: a gap is waited for `latency` (reordering), then given up on.
  if (plain->jitter_latency)
    description += " ! rtpjitterbuffer latency=" + std::to_string(plain->jitter_latency->count());
  return description;
}

}  // namespace

ReceiverPipeline::ReceiverPipeline(const core::Clock& clock, ReceiverPipelineListener& listener,
                                   LatestFrameMailbox& mailbox, int payload_type, bool read_pixel_code,
                                   std::optional<PlainRtpPath> plain)
    : impl_(std::make_unique<Impl>(clock, listener, mailbox, read_pixel_code)) {
  initialise_gstreamer();
  const std::string description =
      rtp_source(plain, payload_type) +
      " ! rtph264depay name=depay ! avdec_h264 thread-type=slice ! video/x-raw,format=I420 ! "
      "appsink name=decoded sync=false async=false max-buffers=1 drop=true enable-last-sample=false";
  GError* error = nullptr;
  impl_->pipeline = gst_parse_launch(description.c_str(), &error);
  if (impl_->pipeline == nullptr || error != nullptr) {
    const std::string why = error ? error->message : "unknown";
    if (error) g_error_free(error);
    throw std::runtime_error("cannot build the receiver pipeline: " + why +
                             " (install the packages in tools/debian-packages.txt)");
  }
  impl_->source = gst_bin_get_by_name(GST_BIN(impl_->pipeline), "rtp_in");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(impl_->pipeline), "decoded");
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = [](GstAppSink* s, gpointer self) { return static_cast<Impl*>(self)->on_sample(s); };
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, impl_.get(), nullptr);
  gst_object_unref(sink);
  if (plain) {
    GstElement* depay = gst_bin_get_by_name(GST_BIN(impl_->pipeline), "depay");
    GstPad* pad = gst_element_get_static_pad(depay, "sink");
    gst_pad_add_probe(
        pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
        [](GstPad*, GstPadProbeInfo* info, gpointer self) {
          auto* impl = static_cast<Impl*>(self);
          if (GstBuffer* buffer = gst_pad_probe_info_get_buffer(info)) {
            impl->watch_rtp(buffer);
          } else if (GstBufferList* list = gst_pad_probe_info_get_buffer_list(info)) {
            for (guint i = 0; i < gst_buffer_list_length(list); ++i)
              impl->watch_rtp(gst_buffer_list_get(list, i));
          }
          return GST_PAD_PROBE_OK;
        },
        impl_.get(), nullptr);
    gst_object_unref(pad);
    gst_object_unref(depay);
  }
  GstBus* bus = gst_element_get_bus(impl_->pipeline);
  gst_bus_set_sync_handler(
      bus, [](GstBus*, GstMessage* m, gpointer self) { return static_cast<Impl*>(self)->on_bus_message(m); },
      impl_.get(), nullptr);
  gst_object_unref(bus);
}

ReceiverPipeline::~ReceiverPipeline() {
  stop();
  gst_object_unref(impl_->source);
  gst_object_unref(impl_->pipeline);
}

void ReceiverPipeline::load_elements() {
  initialise_gstreamer();
  for (const char* name : {"appsrc", "rtph264depay", "avdec_h264", "appsink"}) {
    GstElement* element = gst_element_factory_make(name, nullptr);
    if (element == nullptr) {
      throw std::runtime_error(std::string("GStreamer element ") + name +
                               " is missing (install the packages in tools/debian-packages.txt)");
    }
    gst_object_unref(element);
  }
}

void ReceiverPipeline::start() {
  if (gst_element_set_state(impl_->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    throw std::runtime_error("the receiver pipeline refused to start");
  }
}

void ReceiverPipeline::stop() { gst_element_set_state(impl_->pipeline, GST_STATE_NULL); }

PlainRtpCounts ReceiverPipeline::plain_counts() const {
  const std::lock_guard lock(impl_->gaps_mutex);
  return impl_->gaps.counts();
}

void ReceiverPipeline::push_rtp(std::span<const std::uint8_t> packet, core::CaptureTime capture_time) {
  if (impl_->epoch_ns.load() == 0) impl_->epoch_ns.store(capture_time.time_since_epoch().count());
  const auto pts = capture_time.time_since_epoch() - std::chrono::nanoseconds{impl_->epoch_ns.load()};
  if (pts.count() < 0) return;  // older than the first frame of this stream: nothing to show
  GstBuffer* buffer = gst_buffer_new_memdup(packet.data(), packet.size());
  GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(pts.count());
  GST_BUFFER_DTS(buffer) = GST_BUFFER_PTS(buffer);
  gst_app_src_push_buffer(GST_APP_SRC(impl_->source), buffer);
}

}  // namespace surgilink::media
