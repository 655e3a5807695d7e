#include "surgilink/media/voice_capture.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <spdlog/spdlog.h>

#include "surgilink/media/audio_marker.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/srtp_session.hpp"
#include "voice_gst.hpp"

namespace surgilink::media {

std::string first_openable_element(std::initializer_list<const char*> factories) {
  for (const char* factory : factories) {
    GstElement* made = gst_element_factory_make(factory, nullptr);
    if (made == nullptr) continue;
    const GstObjectRef<GstElement> element(GST_ELEMENT(gst_object_ref_sink(made)));
    const bool opens = gst_element_set_state(element.get(), GST_STATE_READY) != GST_STATE_CHANGE_FAILURE;
    gst_element_set_state(element.get(), GST_STATE_NULL);
    if (opens) return factory;
  }
  return {};
}

bool start_playing(GstElement* pipeline) {
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE) return true;
  gst_element_set_state(pipeline, GST_STATE_NULL);
  return false;
}

std::string message_text(GstMessage* message) {
  GError* error = nullptr;
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
    gst_message_parse_error(message, &error, nullptr);
  } else {
    gst_message_parse_warning(message, &error, nullptr);
  }
  std::string text = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(message))) + ": " +
                     (error != nullptr ? error->message : "unknown problem");
  if (error != nullptr) g_error_free(error);
  return text;
}

std::vector<float> read_sound_file(const std::string& path) {
  initialise_gstreamer();
  GError* error = nullptr;
  GstElement* parsed = gst_parse_launch(
      "filesrc name=in ! decodebin ! audioconvert ! audioresample ! "
      "audio/x-raw,format=F32LE,rate=48000,channels=1,layout=interleaved ! appsink name=out sync=false",
      &error);
  if (parsed == nullptr) {
    const std::string why = error ? error->message : "unknown";
    if (error) g_error_free(error);
    throw std::runtime_error("cannot read sound files: " + why);
  }
  const GstObjectRef<GstElement> pipeline(GST_ELEMENT(gst_object_ref_sink(parsed)));
  {
    const GstObjectRef<GstElement> in(gst_bin_get_by_name(GST_BIN(pipeline.get()), "in"));
    g_object_set(in.get(), "location", path.c_str(), nullptr);
  }
  const GstObjectRef<GstElement> out(gst_bin_get_by_name(GST_BIN(pipeline.get()), "out"));
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  std::vector<float> samples;
  // Blocks until the end of the file or an error: configuration time, never a streaming path.
  while (GstSample* sample = gst_app_sink_pull_sample(GST_APP_SINK(out.get()))) {
    const GstMiniRef<GstSample> owned(sample);
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    GstMapInfo map;
    if (buffer != nullptr && gst_buffer_map(buffer, &map, GST_MAP_READ)) {
      const auto* f = reinterpret_cast<const float*>(map.data);
      samples.insert(samples.end(), f, f + map.size / sizeof(float));
      gst_buffer_unmap(buffer, &map);
    }
  }
  const GstObjectRef<GstBus> bus(gst_element_get_bus(pipeline.get()));
  GstMessage* message = gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR);
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  if (message != nullptr) {
    const std::string why = message_text(message);
    gst_message_unref(message);
    throw std::runtime_error("cannot read sound file " + path + ": " + why);
  }
  if (samples.empty()) throw std::runtime_error("sound file " + path + " has no samples");
  return samples;
}

std::chrono::nanoseconds sound_processing_delay(const VoiceCaptureSettings& settings) {
  const int samples = settings.noise_suppression ? 334 : 46;
  return std::chrono::nanoseconds{std::int64_t{samples} * 1'000'000'000 / kVoiceSampleRate};
}

namespace {

// The source part of the capture pipeline for an endpoint (its last element is named "spoken_in").
std::string source_description(const AudioEndpoint& input) {
  switch (input.kind) {
    case AudioEndpoint::Kind::kFile:
      return "appsrc name=file_in is-live=true format=time "
             "caps=audio/x-raw,format=F32LE,rate=48000,channels=1,layout=interleaved ! clocksync";
    case AudioEndpoint::Kind::kDevice:
      if (input.location.rfind("alsa:", 0) == 0) return "alsasrc name=device";
      if (input.location.rfind("pipewire:", 0) == 0) return "pipewiresrc name=device";
      return "pulsesrc name=device";
    case AudioEndpoint::Kind::kDefault:
    case AudioEndpoint::Kind::kNone: {
      const std::string element = first_openable_element({"pulsesrc", "alsasrc"});
      if (element.empty())
        throw std::runtime_error("no sound input here (no PulseAudio/PipeWire server, no ALSA card)");
      return element;
    }
  }
  return {};
}

}  // namespace

GstObjectRef<GstElement> launch_voice_pipeline(const std::string& description, const std::string& what) {
  GError* error = nullptr;
  GstElement* parsed = gst_parse_launch(description.c_str(), &error);
  if (parsed == nullptr || error != nullptr) {
    const std::string why = error ? error->message : "unknown";
    if (error) g_error_free(error);
    if (parsed) gst_object_unref(parsed);
    throw std::runtime_error("cannot build the " + what + ": " + why +
                             " (install the packages in tools/debian-packages.txt)");
  }
  return GstObjectRef<GstElement>(GST_ELEMENT(gst_object_ref_sink(parsed)));
}

void choose_device(GstElement* element, const std::string& location) {
  std::string name = location;
  for (const std::string prefix : {"alsa:", "pulse:", "pipewire:"}) {
    if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  }
  GObjectClass* klass = G_OBJECT_GET_CLASS(element);
  const char* property = g_object_class_find_property(klass, "device")          ? "device"
                         : g_object_class_find_property(klass, "target-object") ? "target-object"
                                                                                : "path";
  g_object_set(element, property, name.c_str(), nullptr);
}

struct VoiceCapture::Impl {
  VoiceCaptureSettings settings;
  const core::Clock& clock;
  VoiceCaptureListener& listener;
  const std::chrono::nanoseconds processing_delay;  // sound_processing_delay(settings)
  VoiceCaptureCounters counters;
  GstObjectRef<GstElement> pipeline;
  std::atomic<bool> muted{false};
  // When the microphone was last opened (capture clock, ns): a packet holding sound from before it was
  // spoken while muted, and is not sent (the encoder's frame and the processing run behind the mute).
  std::atomic<std::int64_t> opened_at_ns{0};
  HandedOver handed_over;
  RunningTimeOnCaptureClock running;

  // file: input, looped; read on the appsrc's streaming thread only.
  std::vector<float> file_samples;
  std::size_t file_next = 0;
  std::uint64_t file_pushed = 0;  // samples pushed so far: the next buffer's PTS

  // The spoken blocks as floats and their level (the spoken pad's streaming thread).
  SoundBlocks spoken;

  mutable std::mutex marker_mutex;
  AudioMarkerDetector markers;
  std::vector<core::CaptureTime> marker_times;

  Impl(VoiceCaptureSettings s, const core::Clock& c, VoiceCaptureListener& l)
      : settings(std::move(s)),
        clock(c),
        listener(l),
        processing_delay(sound_processing_delay(settings)),
        markers(settings.marker) {}

  void push_file_block(GstAppSrc* src) {
    if (!handed_over.ready()) return;
    constexpr std::size_t kBlock = kVoiceSampleRate / 100;  // 10 ms
    GstBuffer* buffer = gst_buffer_new_allocate(nullptr, kBlock * sizeof(float), nullptr);
    GstMapInfo map;
    gst_buffer_map(buffer, &map, GST_MAP_WRITE);
    auto* out = reinterpret_cast<float*>(map.data);
    for (std::size_t i = 0; i < kBlock; ++i) {
      out[i] = file_samples[file_next];
      file_next = (file_next + 1) % file_samples.size();
    }
    gst_buffer_unmap(buffer, &map);
    GST_BUFFER_PTS(buffer) = gst_util_uint64_scale(file_pushed, GST_SECOND, kVoiceSampleRate);
    GST_BUFFER_DURATION(buffer) = gst_util_uint64_scale(kBlock, GST_SECOND, kVoiceSampleRate);
    file_pushed += kBlock;
    gst_app_src_push_buffer(src, buffer);  // takes the buffer
  }

  // The simulated loudspeaker's echo into a spoken block (S16, mono, writable) that starts at `at`.
  void add_echo(GstBuffer* buffer, core::CaptureTime at) {
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READWRITE)) return;
    auto* s16 = reinterpret_cast<std::int16_t*>(map.data);
    std::vector<float> f(map.size / sizeof(std::int16_t));
    for (std::size_t i = 0; i < f.size(); ++i) f[i] = static_cast<float>(s16[i]) / 32768.0f;
    settings.echo_path->add_echo(f, at);
    for (std::size_t i = 0; i < f.size(); ++i)
      s16[i] = static_cast<std::int16_t>(std::clamp(std::lround(f[i] * 32768.0f), -32768L, 32767L));
    gst_buffer_unmap(buffer, &map);
  }

  // Every spoken block (S16, mono), before any processing: the running-time mapping, the level, markers.
  GstPadProbeReturn on_spoken(GstPad* pad, GstPadProbeInfo* info) {
    if (!handed_over.ready()) return GST_PAD_PROBE_OK;
    GstBuffer* buffer = gst_pad_probe_info_get_buffer(info);
    if (buffer == nullptr) return GST_PAD_PROBE_OK;
    // Any element has the pipeline's clock and base time.
    running.update(GST_ELEMENT(GST_PAD_PARENT(pad)), clock);
    if (settings.echo_path && running.known()) {
      buffer = gst_buffer_make_writable(buffer);
      GST_PAD_PROBE_INFO_DATA(info) = buffer;
      add_echo(buffer, running.at(running_time_on(pad, GST_BUFFER_PTS(buffer))));
    }
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return GST_PAD_PROBE_OK;
    const auto f = spoken.convert(map);
    gst_buffer_unmap(buffer, &map);
    if (const auto level = spoken.level()) listener.on_voice_level(level->rms_dbfs, level->peak_dbfs);
    if (settings.find_markers && running.known()) {
      const auto at = running.at(running_time_on(pad, GST_BUFFER_PTS(buffer)));
      std::lock_guard lock(marker_mutex);
      for (const auto t : markers.feed(f, at)) marker_times.push_back(t);
    }
    return GST_PAD_PROBE_OK;
  }

  GstFlowReturn on_rtp_sample(GstAppSink* sink) {
    const GstMiniRef<GstSample> sample(gst_app_sink_pull_sample(sink));
    if (!sample) return GST_FLOW_EOS;
    if (!handed_over.ready()) return GST_FLOW_OK;
    GstBuffer* b = gst_sample_get_buffer(sample.get());
    if (b == nullptr) return GST_FLOW_OK;
    const GstSegment* segment = gst_sample_get_segment(sample.get());
    const GstClockTime pts = GST_BUFFER_PTS(b);
    EncodedPackets out;
    out.capture_time =
        running.known() && GST_CLOCK_TIME_IS_VALID(pts)
            ? running.at(segment ? gst_segment_to_running_time(segment, GST_FORMAT_TIME, pts) : pts) -
                  processing_delay
            : clock.now() - processing_delay;
    if (muted.load(std::memory_order_acquire) ||
        out.capture_time.time_since_epoch().count() < opened_at_ns.load(std::memory_order_acquire)) {
      counters.muted_packets.fetch_add(1, std::memory_order_relaxed);
      return GST_FLOW_OK;
    }
    const gsize size = gst_buffer_get_size(b);
    std::vector<std::uint8_t> bytes;
    bytes.reserve(size + kTimingExtensionSize + kSrtpMaxTrailer);
    bytes.resize(size);
    gst_buffer_extract(b, 0, bytes.data(), size);
    out.packets.push_back(std::move(bytes));
    counters.packets.fetch_add(1, std::memory_order_relaxed);
    listener.on_voice_packets(std::move(out));
    return GST_FLOW_OK;
  }
};

VoiceCapture::VoiceCapture(VoiceCaptureSettings settings, const core::Clock& clock,
                           VoiceCaptureListener& listener)
    : impl_(std::make_unique<Impl>(std::move(settings), clock, listener)) {
  initialise_gstreamer();
  auto& s = impl_->settings;
  if (s.input.kind == AudioEndpoint::Kind::kNone) throw std::runtime_error("voice capture without an input");
  if (s.input.kind == AudioEndpoint::Kind::kFile) impl_->file_samples = read_sound_file(s.input.location);
  const std::string description =
      source_description(s.input) +
      " ! audioconvert ! audioresample ! "
      "capsfilter name=spoken caps=audio/x-raw,format=S16LE,rate=48000,channels=1,layout=interleaved ! "
      "webrtcdsp name=dsp ! opusenc name=encoder ! rtpopuspay name=payloader ! appsink name=rtp_out";
  impl_->pipeline = launch_voice_pipeline(description, "voice capture (" + to_string(s.input) + ")");
  GstBin* bin = GST_BIN(impl_->pipeline.get());
  const auto get = [bin](const char* name) {
    return GstObjectRef<GstElement>(gst_bin_get_by_name(bin, name));
  };
  if (const auto device = get("device")) choose_device(device.get(), s.input.location);
  const auto dsp = get("dsp");
  g_object_set(dsp.get(), "echo-cancel", s.echo_cancel ? TRUE : FALSE, "noise-suppression",
               s.noise_suppression ? TRUE : FALSE, "gain-control", s.gain_control ? TRUE : FALSE, "probe",
               s.echo_probe.c_str(), nullptr);
  // The canceller finds the loudspeaker's delay in the signals themselves: the probe lies in the playout's
  // own pipeline, whose running time has another base (it started at another moment), so the delay the
  // timestamps would give is wrong by that difference and the echo was not cancelled (ERLE 0.6 dB measured;
  // with this, over 50 dB: tests/integration/voice_faults_test.cpp). Device buffers vary too.
  g_object_set(dsp.get(), "delay-agnostic", s.echo_cancel ? TRUE : FALSE, nullptr);
  const auto encoder = get("encoder");
  g_object_set(encoder.get(), "bitrate", s.bitrate_bps, "inband-fec", TRUE, "packet-loss-percentage",
               s.expected_loss_pct, "dtx", FALSE, nullptr);
  gst_util_set_object_arg(G_OBJECT(encoder.get()), "frame-size", s.frame.count() >= 20 ? "20" : "10");
  gst_util_set_object_arg(G_OBJECT(encoder.get()), "audio-type", "voice");
  const auto payloader = get("payloader");
  g_object_set(payloader.get(), "pt", static_cast<guint>(s.payload_type), "ssrc", s.ssrc, "seqnum-offset",
               static_cast<int>(s.first_sequence), nullptr);
  const auto sink = get("rtp_out");
  g_object_set(sink.get(), "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, nullptr);
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = [](GstAppSink* rtp_out, gpointer self) {
    return static_cast<Impl*>(self)->on_rtp_sample(rtp_out);
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(sink.get()), &callbacks, impl_.get(), nullptr);
  if (const auto file_in = get("file_in")) {
    g_object_set(file_in.get(), "max-bytes", guint64{kVoiceSampleRate / 10 * sizeof(float)}, nullptr);
    GstAppSrcCallbacks src_callbacks{};
    src_callbacks.need_data = [](GstAppSrc* src, guint, gpointer self) {
      static_cast<Impl*>(self)->push_file_block(src);
    };
    gst_app_src_set_callbacks(GST_APP_SRC(file_in.get()), &src_callbacks, impl_.get(), nullptr);
  }
  const auto spoken = get("spoken");
  const GstObjectRef<GstPad> spoken_pad(gst_element_get_static_pad(spoken.get(), "src"));
  gst_pad_add_probe(
      spoken_pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad* pad, GstPadProbeInfo* info, gpointer self) {
        return static_cast<Impl*>(self)->on_spoken(pad, info);
      },
      impl_.get(), nullptr);
  const GstObjectRef<GstBus> bus(gst_element_get_bus(impl_->pipeline.get()));
  gst_bus_set_sync_handler(
      bus.get(),
      [](GstBus*, GstMessage* m, gpointer self) {
        const auto type = GST_MESSAGE_TYPE(m);
        if ((type == GST_MESSAGE_ERROR || type == GST_MESSAGE_WARNING) &&
            static_cast<Impl*>(self)->handed_over.ready()) {
          static_cast<Impl*>(self)->listener.on_voice_problem(message_text(m), type == GST_MESSAGE_ERROR);
        }
        return GST_BUS_DROP;
      },
      impl_.get(), nullptr);
}

VoiceCapture::~VoiceCapture() { stop(); }

bool VoiceCapture::start(std::string& why) {
  impl_->handed_over.publish();
  if (!start_playing(impl_->pipeline.get())) {
    why = "the microphone '" + to_string(impl_->settings.input) +
          "' cannot be opened (no such sound device here?)";
    return false;
  }
  return true;
}

void VoiceCapture::stop() {
  if (impl_->pipeline) gst_element_set_state(impl_->pipeline.get(), GST_STATE_NULL);
}

void VoiceCapture::set_muted(bool muted) {
  if (!muted && impl_->muted.load(std::memory_order_acquire))
    impl_->opened_at_ns.store(impl_->clock.now().time_since_epoch().count(), std::memory_order_release);
  impl_->muted.store(muted, std::memory_order_release);
}
bool VoiceCapture::muted() const { return impl_->muted.load(std::memory_order_relaxed); }
const VoiceCaptureCounters& VoiceCapture::counters() const { return impl_->counters; }

std::vector<core::CaptureTime> VoiceCapture::marker_times() const {
  std::lock_guard lock(impl_->marker_mutex);
  return impl_->marker_times;
}

}  // namespace surgilink::media
