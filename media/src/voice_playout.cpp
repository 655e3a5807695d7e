#include "surgilink/media/voice_playout.hpp"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>

#include <gst/app/gstappsrc.h>

#include "surgilink/media/audio_marker.hpp"
#include "surgilink/media/opus_packet.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/sender_pipeline.hpp"
#include "voice_gst.hpp"

namespace surgilink::media {

namespace {

constexpr std::chrono::milliseconds kOpusFrame{10};  // VoiceCaptureSettings::frame as both programs send it
constexpr const char* kMixCaps = "audio/x-raw,format=S16LE,rate=48000,channels=1,layout=interleaved";

std::string sink_description(const AudioEndpoint& output) {
  switch (output.kind) {
    case AudioEndpoint::Kind::kFile:
      // Written in real time as a sound card would play it (a syncing sink: each block at its time), silence
      // included.
      return "wavenc ! filesink name=file_out sync=true processing-deadline=0";
    case AudioEndpoint::Kind::kDevice:
      if (output.location.rfind("alsa:", 0) == 0) return "alsasink name=device";
      if (output.location.rfind("pipewire:", 0) == 0) return "pipewiresink name=device";
      return "pulsesink name=device";
    case AudioEndpoint::Kind::kNone:
      return "fakesink sync=true";
    case AudioEndpoint::Kind::kDefault: {
      const std::string element = first_openable_element({"pulsesink", "alsasink"});
      if (element.empty())
        throw std::runtime_error("no sound output here (no PulseAudio/PipeWire server, no ALSA card)");
      return element;
    }
  }
  return "fakesink sync=true";
}

}  // namespace

struct VoicePlayout::Impl {
  struct Talker {
    GstObjectRef<GstElement> source, jitter;
    core::CaptureTime last_packet{};
  };

  VoicePlayoutSettings settings;
  const core::Clock& clock;
  VoicePlayoutCounters counters;
  GstObjectRef<GstElement> pipeline;
  GstElement* mixer = nullptr;  // held by the pipeline
  bool started = false;
  std::map<std::uint32_t, Talker> talkers;  // network thread
  // The playout delay: set on the network thread, read by the talkers' latency probes.
  std::atomic<std::chrono::milliseconds> delay{std::chrono::milliseconds{0}};
  std::atomic<double> level_dbfs{-180.0};
  RunningTimeOnCaptureClock running;
  std::uint64_t concealed_at_stop = 0;  // the talkers' count when they were let go
  // An element's latency changed (a talker joined, its decoder configured, the playout delay moved): set by
  // the bus's sync handler, acted on by the network thread (push), which recalculates the pipeline's latency
  // so every talker is played its jitter buffer's latency after arrival, and no later.
  std::atomic<bool> latency_changed{false};
  HandedOver handed_over;
  // The end of the stream reached the file (its WAV header is written): stop() waits for it.
  std::mutex end_mutex;
  std::condition_variable end;
  bool ended = false;

  void recalculate_latency_if_changed() {
    if (latency_changed.exchange(false)) {
      gst_bin_recalculate_latency(GST_BIN(pipeline.get()));
      ask_latency();
    } else if (latency_ns.load(std::memory_order_relaxed) < 0) {
      ask_latency();
    }
  }

  // The pipeline's latency: a block with running time t reaches the speaker at t + this (less the device's
  // own buffer). Asked and stored by the network thread, read by the heard probe; -1: to be asked.
  std::atomic<std::int64_t> latency_ns{-1};
  std::int64_t latency() const {
    return std::max<std::int64_t>(0, latency_ns.load(std::memory_order_acquire));
  }
  void ask_latency() {
    GstQuery* query = gst_query_new_latency();
    std::int64_t known = 0;
    if (gst_element_query(pipeline.get(), query)) {
      gboolean live = FALSE;
      GstClockTime min = 0, max = 0;
      gst_query_parse_latency(query, &live, &min, &max);
      if (live && GST_CLOCK_TIME_IS_VALID(min)) known = static_cast<std::int64_t>(min);
    }
    gst_query_unref(query);
    latency_ns.store(known, std::memory_order_release);
  }

  mutable std::mutex marker_mutex;
  // Both codes: a console hears the OR's and, relayed, the other mentors'.
  AudioMarkerDetector or_markers{AudioMarker::kOr}, mentor_markers{AudioMarker::kMentor};
  std::vector<core::CaptureTime> or_marker_times, mentor_marker_times;
  SoundBlocks heard;  // the heard pad's streaming thread

  Impl(VoicePlayoutSettings s, const core::Clock& c) : settings(std::move(s)), clock(c) {}

  // Every block on its way to the speaker (or file): it is heard at its running time plus the pipeline's
  // latency, when the syncing sink plays it (the device's own buffer is not counted).
  GstPadProbeReturn on_heard(GstPad* pad, GstPadProbeInfo* info) {
    if (!handed_over.ready()) return GST_PAD_PROBE_OK;
    GstBuffer* buffer = gst_pad_probe_info_get_buffer(info);
    if (buffer == nullptr) return GST_PAD_PROBE_OK;
    // Any element has the pipeline's clock and base time.
    running.update(GST_ELEMENT(GST_PAD_PARENT(pad)), clock);
    const auto now =
        running.at(running_time_on(pad, GST_BUFFER_PTS(buffer))) + std::chrono::nanoseconds{latency()};
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return GST_PAD_PROBE_OK;
    const auto f = heard.convert(map);
    gst_buffer_unmap(buffer, &map);
    if (const auto level = heard.level()) level_dbfs.store(level->rms_dbfs, std::memory_order_relaxed);
    if (settings.find_markers) {
      std::lock_guard lock(marker_mutex);
      for (const auto t : or_markers.feed(f, now)) or_marker_times.push_back(t);
      for (const auto t : mentor_markers.feed(f, now)) mentor_marker_times.push_back(t);
    }
    if (settings.echo_path) settings.echo_path->played(f, now);
    return GST_PAD_PROBE_OK;
  }

  Talker* add_talker(std::uint32_t ssrc) {
    if (talkers.size() >= settings.max_talkers) {
      // Full: the talker silent longest gives its place, if it has been silent for 2 s (a console that
      // reconnected comes back with a new SSRC).
      auto idle = std::min_element(talkers.begin(), talkers.end(), [](const auto& a, const auto& b) {
        return a.second.last_packet < b.second.last_packet;
      });
      if (clock.now() - idle->second.last_packet < std::chrono::seconds{2}) return nullptr;
      Talker reused = std::move(idle->second);
      talkers.erase(idle);
      return &(talkers[ssrc] = std::move(reused));
    }
    const std::string caps = "application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=" +
                             std::to_string(settings.payload_type);
    const std::string description =
        "appsrc name=rtp_in is-live=true format=time do-timestamp=true caps=\"" + caps +
        "\" ! rtpjitterbuffer name=jitter drop-on-latency=true do-lost=true ! rtpopusdepay ! "
        "opusdec plc=true use-inband-fec=true ! audioconvert ! audioresample ! capsfilter caps=" +
        kMixCaps;
    GError* error = nullptr;
    GstElement* bin = gst_parse_bin_from_description(description.c_str(), TRUE, &error);
    if (bin == nullptr || error != nullptr) {
      if (error) g_error_free(error);
      if (bin) gst_object_unref(bin);
      return nullptr;
    }
    Talker t;
    t.source.reset(gst_bin_get_by_name(GST_BIN(bin), "rtp_in"));
    t.jitter.reset(gst_bin_get_by_name(GST_BIN(bin), "jitter"));
    // Bad input never stops the playout: a decoder error is a concealed gap, not a pipeline error.
    GstIterator* it = gst_bin_iterate_elements(GST_BIN(bin));
    GValue item = G_VALUE_INIT;
    while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
      auto* element = GST_ELEMENT(g_value_get_object(&item));
      if (g_object_class_find_property(G_OBJECT_GET_CLASS(element), "max-errors")) {
        g_object_set(element, "max-errors", -1, nullptr);
      }
      g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(it);
    g_object_set(t.source.get(), "max-buffers", guint64{50}, nullptr);
    gst_util_set_object_arg(G_OBJECT(t.source.get()), "leaky-type", "downstream");
    g_object_set(t.jitter.get(), "latency", static_cast<guint>(delay.load(std::memory_order_relaxed).count()),
                 nullptr);
    // opusdec with in-band FEC declares 120 ms of latency (the longest Opus packet: it may decode a lost one
    // from its successor). Ours are one 10-ms frame, so a talker needs its jitter buffer's latency and one
    // frame more; declaring 120 ms would hold every voice that long.
    const GstObjectRef<GstPad> out(gst_element_get_static_pad(bin, "src"));
    gst_pad_add_probe(
        out.get(), GST_PAD_PROBE_TYPE_QUERY_UPSTREAM,
        [](GstPad*, GstPadProbeInfo* info, gpointer self) {
          GstQuery* query = gst_pad_probe_info_get_query(info);
          if ((GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_PULL) == 0 || query == nullptr ||
              GST_QUERY_TYPE(query) != GST_QUERY_LATENCY)
            return GST_PAD_PROBE_OK;
          gboolean live = FALSE;
          GstClockTime min = 0, max = 0;
          gst_query_parse_latency(query, &live, &min, &max);
          const auto* impl = static_cast<Impl*>(self);
          const GstClockTime needed = static_cast<GstClockTime>(
              std::chrono::nanoseconds(impl->delay.load(std::memory_order_relaxed) + kOpusFrame).count());
          if (GST_CLOCK_TIME_IS_VALID(min) && min > needed) gst_query_set_latency(query, live, needed, max);
          return GST_PAD_PROBE_OK;
        },
        this, nullptr);
    gst_bin_add(GST_BIN(pipeline.get()), bin);
    if (!gst_element_link(bin, mixer) || !gst_element_sync_state_with_parent(bin)) {
      gst_element_set_state(bin, GST_STATE_NULL);
      gst_bin_remove(GST_BIN(pipeline.get()), bin);
      return nullptr;
    }
    counters.talkers.fetch_add(1, std::memory_order_relaxed);
    gst_bin_recalculate_latency(GST_BIN(pipeline.get()));
    ask_latency();
    return &(talkers[ssrc] = std::move(t));
  }
};

VoicePlayout::VoicePlayout(VoicePlayoutSettings settings, const core::Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(settings), clock)) {
  initialise_gstreamer();
  auto& s = impl_->settings;
  impl_->delay = s.jitter_latency;
  // Continuous silence keeps the mixer (and a file output) running in real time when nobody speaks.
  const std::string description =
      std::string("audiotestsrc wave=silence is-live=true samplesperbuffer=240 ! capsfilter caps=") +
      kMixCaps + " ! audiomixer name=mixer output-buffer-duration=5000000 ! capsfilter caps=" + kMixCaps +
      " ! webrtcechoprobe name=" + s.echo_probe + " ! identity name=heard ! " + sink_description(s.output);
  impl_->pipeline = launch_voice_pipeline(description, "voice playout (" + to_string(s.output) + ")");
  GstBin* bin = GST_BIN(impl_->pipeline.get());
  const GstObjectRef<GstElement> mixer(gst_bin_get_by_name(bin, "mixer"));
  impl_->mixer = mixer.get();
  if (const GstObjectRef<GstElement> file(gst_bin_get_by_name(bin, "file_out")); file) {
    g_object_set(file.get(), "location", s.output.location.c_str(), nullptr);
  }
  if (const GstObjectRef<GstElement> device(gst_bin_get_by_name(bin, "device")); device)
    choose_device(device.get(), s.output.location);
  const GstObjectRef<GstBus> bus(gst_element_get_bus(impl_->pipeline.get()));
  gst_bus_set_sync_handler(
      bus.get(),
      [](GstBus*, GstMessage* m, gpointer self) {
        auto* impl = static_cast<Impl*>(self);
        if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_LATENCY)
          impl->latency_changed.store(true, std::memory_order_relaxed);
        if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS || GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
          std::lock_guard lock(impl->end_mutex);
          impl->ended = true;
          impl->end.notify_all();
        }
        return GST_BUS_DROP;
      },
      impl_.get(), nullptr);
  const GstObjectRef<GstElement> heard(gst_bin_get_by_name(bin, "heard"));
  const GstObjectRef<GstPad> pad(gst_element_get_static_pad(heard.get(), "src"));
  gst_pad_add_probe(
      pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad* p, GstPadProbeInfo* info, gpointer self) {
        return static_cast<Impl*>(self)->on_heard(p, info);
      },
      impl_.get(), nullptr);
}

VoicePlayout::~VoicePlayout() { stop(); }

bool VoicePlayout::start(std::string& why) {
  impl_->handed_over.publish();
  if (!start_playing(impl_->pipeline.get())) {
    why = "the speaker '" + to_string(impl_->settings.output) +
          "' cannot be opened (no such sound device here?)";
    return false;
  }
  impl_->started = true;
  return true;
}

void VoicePlayout::stop() {
  impl_->started = false;
  if (!impl_->pipeline) return;
  // A WAV file gets its sizes written only at the end of the stream.
  if (impl_->settings.output.kind == AudioEndpoint::Kind::kFile) {
    GstState state = GST_STATE_NULL;
    gst_element_get_state(impl_->pipeline.get(), &state, nullptr, 0);
    if (state == GST_STATE_PLAYING) {
      gst_element_send_event(impl_->pipeline.get(), gst_event_new_eos());
      std::unique_lock lock(impl_->end_mutex);
      impl_->end.wait_for(lock, std::chrono::seconds{1}, [this] { return impl_->ended; });
    }
  }
  impl_->concealed_at_stop = concealed_packets();
  gst_element_set_state(impl_->pipeline.get(), GST_STATE_NULL);
  impl_->talkers.clear();
}

bool VoicePlayout::push(std::uint32_t ssrc, std::uint8_t payload_type, std::span<const std::uint8_t> packet) {
  auto& c = impl_->counters;
  const auto header = parse_rtp(packet);
  if (!impl_->started || !header || header.value().payload_size == 0 ||
      payload_type != impl_->settings.payload_type ||
      !check_opus_packet(packet.subspan(header.value().payload_offset, header.value().payload_size))) {
    c.refused_packets.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  impl_->recalculate_latency_if_changed();
  auto it = impl_->talkers.find(ssrc);
  Impl::Talker* talker = it != impl_->talkers.end() ? &it->second : impl_->add_talker(ssrc);
  if (talker == nullptr) {
    c.refused_packets.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  talker->last_packet = impl_->clock.now();
  GstBuffer* buffer = gst_buffer_new_memdup(packet.data(), packet.size());
  if (gst_app_src_push_buffer(GST_APP_SRC(talker->source.get()), buffer) != GST_FLOW_OK) {
    c.refused_packets.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  c.packets.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void VoicePlayout::set_playout_delay(std::chrono::milliseconds delay) {
  delay = std::clamp(delay, impl_->settings.jitter_latency, std::chrono::milliseconds{400});
  if (delay == impl_->delay.load(std::memory_order_relaxed)) return;
  impl_->delay = delay;
  for (auto& [ssrc, talker] : impl_->talkers) {
    g_object_set(talker.jitter.get(), "latency", static_cast<guint>(delay.count()), nullptr);
  }
  gst_bin_recalculate_latency(GST_BIN(impl_->pipeline.get()));
  impl_->ask_latency();
}

std::chrono::milliseconds VoicePlayout::playout_delay() const { return impl_->delay.load(); }
const VoicePlayoutCounters& VoicePlayout::counters() const { return impl_->counters; }

std::uint64_t VoicePlayout::concealed_packets() const {
  if (impl_->talkers.empty()) return impl_->concealed_at_stop;
  std::uint64_t lost = 0;
  for (const auto& [ssrc, talker] : impl_->talkers) {
    GstStructure* stats = nullptr;
    g_object_get(talker.jitter.get(), "stats", &stats, nullptr);
    if (stats == nullptr) continue;
    guint64 n = 0;
    if (gst_structure_get_uint64(stats, "num-lost", &n)) lost += n;
    gst_structure_free(stats);
  }
  return lost;
}

double VoicePlayout::heard_level_dbfs() const { return impl_->level_dbfs.load(std::memory_order_relaxed); }

std::vector<core::CaptureTime> VoicePlayout::marker_times() const {
  return marker_times(impl_->settings.marker);
}

std::vector<core::CaptureTime> VoicePlayout::marker_times(AudioMarker who) const {
  std::lock_guard lock(impl_->marker_mutex);
  return who == AudioMarker::kOr ? impl_->or_marker_times : impl_->mentor_marker_times;
}

}  // namespace surgilink::media
