#include "surgilink/media/voice_playout.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <limits>
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

// How much later than its timestamp a decoded block's sound is: Opus's own look-ahead (6.5 ms for speech at
// 48 kHz; RTP carries no pre-skip to trim it).
constexpr std::chrono::nanoseconds kSoundBehindTimestamp = std::chrono::microseconds{6500};
// A block must reach the mixer this long before its timestamp plus the pipeline's latency: the mixer mixes
// one output block (2.5 ms) ahead of that, and 2 ms of scheduling slack.
constexpr std::chrono::nanoseconds kMixerMargin = std::chrono::microseconds{4500};
// The age (capture to arrival) a talker's packets arrived within, 95 times in 100, over its last 200 packets
// (2 s of 10-ms frames): a start-up spike is forgotten, and a rare late packet is concealed rather than
// holding every voice back.
class RecentAges {
 public:
  void add(std::chrono::nanoseconds age) {
    ages_[next_] = age;
    next_ = (next_ + 1) % ages_.size();
    count_ = std::min(count_ + 1, ages_.size());
    if (next_ % 20 == 0) {  // re-ranked every 200 ms
      std::array<std::chrono::nanoseconds, 200> sorted = ages_;
      const auto end = sorted.begin() + static_cast<std::ptrdiff_t>(count_);
      const auto at = sorted.begin() + static_cast<std::ptrdiff_t>(count_ * 95 / 100);
      std::nth_element(sorted.begin(), at, end);
      p95_ = *at;
    }
  }
  std::optional<std::chrono::nanoseconds> p95() const {
    if (count_ == 0) return std::nullopt;
    return count_ < 20 ? *std::max_element(ages_.begin(), ages_.begin() + static_cast<std::ptrdiff_t>(count_))
                       : p95_;
  }

 private:
  std::array<std::chrono::nanoseconds, 200> ages_{};
  std::size_t next_ = 0, count_ = 0;
  std::chrono::nanoseconds p95_{0};
};

// Without capture times: the earliest a talker's packets arrived against their RTP time over the last 2 s (8
// blocks of 250 ms). The line through it stands for the capture clock: a stall that floods late packets does
// not move it (the jitter buffer's own timestamps follow such a flood for about a second), and it follows the
// clocks' drift.
class EarliestArrival {
 public:
  // `offset`: arrival minus the packet's RTP time.
  void add(core::CaptureTime now, std::int64_t offset) {
    const auto block = now.time_since_epoch() / kBlock;
    if (block != block_) {
      for (auto b = block_ + 1; b <= block && b - block_ <= static_cast<std::int64_t>(earliest_.size()); ++b)
        earliest_[static_cast<std::size_t>(b) % earliest_.size()] = kNone;
      block_ = block;
    }
    auto& e = earliest_[static_cast<std::size_t>(block) % earliest_.size()];
    e = std::min(e, offset);
  }
  std::int64_t value() const { return *std::min_element(earliest_.begin(), earliest_.end()); }

 private:
  static constexpr std::chrono::milliseconds kBlock{250};
  static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  std::array<std::int64_t, 8> earliest_{kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone};
  std::int64_t block_ = 0;
};
// A talker's delay moves down only by this much at once (each move is a small jump in its sound).
constexpr std::chrono::nanoseconds kDelayStep = std::chrono::milliseconds{10};  // the mixer's alignment
constexpr const char* kMixCaps = "audio/x-raw,format=S16LE,rate=48000,channels=1,layout=interleaved";

}  // namespace

std::string output_description(const AudioEndpoint& output) {
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

void aim_output(GstBin* pipeline, const AudioEndpoint& output) {
  if (const GstObjectRef<GstElement> file(gst_bin_get_by_name(pipeline, "file_out")); file)
    g_object_set(file.get(), "location", output.location.c_str(), nullptr);
  if (const GstObjectRef<GstElement> device(gst_bin_get_by_name(pipeline, "device")); device)
    choose_device(device.get(), output.location);
}

struct VoicePlayout::Impl {
  // When a talker's sound is played (DESIGN.md §13, lip sync): each packet leaving the jitter buffer is
  // re-stamped so that its sound is heard `delay` after it was captured. The capture time comes from the
  // packet's timing extension (mapped by the newest packet pushed), or, when unknown, is its arrival. The
  // delay is the requested one, but never shorter than the talker's path needs: the longest recent age at the
  // jitter buffer's exit plus the codec's and the mixer's share.
  struct Schedule {
    // Stored (release) once the schedule is built, loaded (acquire) by the jitter buffer's thread:
    // GStreamer's pooled streaming threads hand over in ways ThreadSanitizer cannot see (as HandedOver).
    std::atomic<Impl*> impl{nullptr};
    std::mutex mutex;           // the network thread (push) and the jitter buffer's thread
    bool captured = false;      // capture_time maps rtp_timestamp (below: or the arrival line's)
    bool from_arrival = false;  // no capture times: the earliest-arrival line stands for them
    std::uint32_t rtp_timestamp = 0;
    core::CaptureTime capture_time{};
    std::int64_t rtp_samples = 0;  // RTP time unwrapped, for the arrival line
    EarliestArrival arrival_line;
    RecentAges arrival_age;  // capture to arrival (push), measured before the jitter buffer: what
                             // waits after it (the mixer holds each talker's next block) is not the path's
    // The jitter buffer's thread only.
    std::int64_t delay_ns = 0;
    std::int64_t shift_ns = 0;  // new timestamp minus the jitter buffer's, for its loss events too
  };
  struct Talker {
    GstObjectRef<GstElement> source, jitter;
    core::CaptureTime last_packet{};
    std::unique_ptr<Schedule> schedule;
  };

  VoicePlayoutSettings settings;
  const core::Clock& clock;
  VoicePlayoutCounters counters;
  GstObjectRef<GstElement> pipeline;
  GstElement* mixer = nullptr;  // held by the pipeline
  bool started = false;
  std::map<std::uint32_t, Talker> talkers;  // network thread
  // The requested mouth-to-ear delay (lip sync): set on the network thread, read by the talkers' probes.
  std::atomic<std::chrono::milliseconds> delay{std::chrono::milliseconds{0}};
  // The delay the newest capture-timed packet was scheduled with (0: none yet), for playout_delay().
  std::atomic<std::int64_t> heard_delay_ns{0};
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

  // A packet (or a loss the jitter buffer announces) on its way to the decoder: re-stamped by its schedule.
  GstPadProbeReturn on_released(Schedule& schedule, GstPad* pad, GstPadProbeInfo* info) {
    if (!handed_over.ready()) return GST_PAD_PROBE_OK;
    if ((GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) != 0) {
      GstEvent* event = gst_pad_probe_info_get_event(info);
      if (event == nullptr || GST_EVENT_TYPE(event) != GST_EVENT_CUSTOM_DOWNSTREAM ||
          !gst_event_has_name(event, "GstRTPPacketLost"))
        return GST_PAD_PROBE_OK;
      GstClockTime timestamp = GST_CLOCK_TIME_NONE;
      if (!gst_structure_get_clock_time(gst_event_get_structure(event), "timestamp", &timestamp))
        return GST_PAD_PROBE_OK;
      event = gst_event_make_writable(event);
      GST_PAD_PROBE_INFO_DATA(info) = event;
      gst_structure_set(gst_event_writable_structure(event), "timestamp", G_TYPE_UINT64,
                        static_cast<guint64>(std::max<std::int64_t>(
                            0, static_cast<std::int64_t>(timestamp) + schedule.shift_ns)),
                        nullptr);
      return GST_PAD_PROBE_OK;
    }
    GstBuffer* buffer = gst_pad_probe_info_get_buffer(info);
    if (buffer == nullptr || !GST_BUFFER_PTS_IS_VALID(buffer)) return GST_PAD_PROBE_OK;
    if (!running.known()) running.update(GST_ELEMENT(GST_PAD_PARENT(pad)), clock);
    const auto pts = static_cast<std::int64_t>(running_time_on(pad, GST_BUFFER_PTS(buffer)));
    // When it was captured, in this pipeline's running time.
    std::int64_t captured = pts;
    bool timed = false;
    // Arrival-timed: the jitter buffer's latency bounds how much later than the earliest arrivals a packet
    // may come and still be played.
    std::int64_t age = std::chrono::nanoseconds(settings.jitter_latency).count();
    {
      std::lock_guard lock(schedule.mutex);
      if (schedule.captured) {
        if (!schedule.from_arrival)
          age = schedule.arrival_age.p95().value_or(std::chrono::nanoseconds{0}).count();
        GstMapInfo map;
        if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
          if (const auto header = parse_rtp({map.data, map.size})) {
            const auto samples = static_cast<std::int32_t>(header.value().timestamp - schedule.rtp_timestamp);
            captured = running.running_ns(schedule.capture_time) +
                       static_cast<std::int64_t>(samples) * 1'000'000'000 / kVoiceSampleRate;
            timed = !schedule.from_arrival;
          }
          gst_buffer_unmap(buffer, &map);
        }
      }
    }
    const auto needed = std::max<std::int64_t>(age, 0) + (kSoundBehindTimestamp + kMixerMargin).count();
    const std::int64_t requested =
        timed ? std::chrono::nanoseconds(delay.load(std::memory_order_relaxed)).count() : 0;
    const std::int64_t wanted = std::max(needed, requested);
    // Up at once (a block later than the mixer's deadline would be cut), down in steps.
    if (wanted > schedule.delay_ns || schedule.delay_ns - wanted >= kDelayStep.count())
      schedule.delay_ns = wanted;
    if (timed) heard_delay_ns.store(schedule.delay_ns, std::memory_order_relaxed);
    // Heard at its timestamp plus the pipeline's latency, its sound kSoundBehindTimestamp later.
    const std::int64_t restamped =
        std::max<std::int64_t>(0, captured + schedule.delay_ns - latency() -
                                      std::chrono::nanoseconds(kSoundBehindTimestamp).count());
    GstClockTime position = static_cast<GstClockTime>(restamped);
    if (const GstMiniRef<GstEvent> event(gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0)); event) {
      const GstSegment* segment = nullptr;
      gst_event_parse_segment(event.get(), &segment);
      position = gst_segment_position_from_running_time(segment, GST_FORMAT_TIME, position);
    }
    if (!GST_CLOCK_TIME_IS_VALID(position)) return GST_PAD_PROBE_OK;
    schedule.shift_ns =
        static_cast<std::int64_t>(position) - static_cast<std::int64_t>(GST_BUFFER_PTS(buffer));
    buffer = gst_buffer_make_writable(buffer);
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    GST_BUFFER_PTS(buffer) = position;
    GST_BUFFER_DTS(buffer) = GST_CLOCK_TIME_NONE;
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
      {
        std::lock_guard lock(reused.schedule->mutex);
        reused.schedule->captured = false;  // the new talker's capture times, when it has them
        reused.schedule->rtp_samples = 0;
        reused.schedule->arrival_line = {};
        reused.schedule->arrival_age = {};
      }
      return &(talkers[ssrc] = std::move(reused));
    }
    const std::string caps = "application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=" +
                             std::to_string(settings.payload_type);
    // The sender's packets carry in-band FEC, but this decoder conceals a loss without it: decoding FEC holds
    // every packet until the next one (10 ms more mouth-to-ear) and stamps the sound with a neighbour's time,
    // which moved a talker by 10-20 ms at start and after losses (measured); at 5 % loss concealment alone
    // keeps speech's envelope correlation at 0.957 (tests/integration/voice_path_test.cpp).
    const std::string description =
        "appsrc name=rtp_in is-live=true format=time do-timestamp=true caps=\"" + caps +
        "\" ! rtpjitterbuffer name=jitter drop-on-latency=true do-lost=true ! rtpopusdepay ! "
        "opusdec plc=true use-inband-fec=false ! audioconvert ! audioresample ! capsfilter caps=" +
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
    g_object_set(t.jitter.get(), "latency", static_cast<guint>(settings.jitter_latency.count()), nullptr);
    t.schedule = std::make_unique<Schedule>();
    t.schedule->impl.store(this, std::memory_order_release);
    const GstObjectRef<GstPad> released(gst_element_get_static_pad(t.jitter.get(), "src"));
    gst_pad_add_probe(
        released.get(),
        static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
        [](GstPad* pad, GstPadProbeInfo* info, gpointer schedule) {
          auto* s = static_cast<Schedule*>(schedule);
          Impl* impl = s->impl.load(std::memory_order_acquire);
          return impl != nullptr ? impl->on_released(*s, pad, info) : GST_PAD_PROBE_OK;
        },
        t.schedule.get(), nullptr);
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
  // Continuous silence keeps the mixer (and a file output) running in real time when nobody speaks. A
  // talker's sound is placed at its timestamps within 10 ms: with the mixer's default 40 ms, an offset from
  // the first packets stayed for the whole session (45 to 74 ms mouth-to-ear, run to run, measured).
  const std::string description =
      std::string("audiotestsrc wave=silence is-live=true samplesperbuffer=120 ! capsfilter caps=") +
      kMixCaps +
      " ! audiomixer name=mixer output-buffer-duration=2500000 alignment-threshold=10000000 "
      "discont-wait=100000000 ! capsfilter caps=" +
      kMixCaps + " ! webrtcechoprobe name=" + s.echo_probe + " ! identity name=heard ! " +
      output_description(s.output);
  impl_->pipeline = launch_voice_pipeline(description, "voice playout (" + to_string(s.output) + ")");
  GstBin* bin = GST_BIN(impl_->pipeline.get());
  const GstObjectRef<GstElement> mixer(gst_bin_get_by_name(bin, "mixer"));
  impl_->mixer = mixer.get();
  aim_output(bin, s.output);
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

bool VoicePlayout::push(std::uint32_t ssrc, std::uint8_t payload_type, std::span<const std::uint8_t> packet,
                        std::optional<core::CaptureTime> captured) {
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
  {
    auto& schedule = *talker->schedule;
    const auto now = impl_->clock.now();
    const auto rtp = header.value().timestamp;
    std::lock_guard lock(schedule.mutex);
    if (captured) {
      schedule.from_arrival = false;
      schedule.capture_time = *captured;
      schedule.arrival_age.add(now - *captured);
    } else {
      if (schedule.captured) schedule.rtp_samples += static_cast<std::int32_t>(rtp - schedule.rtp_timestamp);
      const std::int64_t rtp_ns = schedule.rtp_samples * 1'000'000'000 / kVoiceSampleRate;
      schedule.arrival_line.add(now, now.time_since_epoch().count() - rtp_ns);
      schedule.from_arrival = true;
      schedule.capture_time =
          core::CaptureTime{core::CaptureTime::duration{schedule.arrival_line.value() + rtp_ns}};
    }
    schedule.captured = true;
    schedule.rtp_timestamp = rtp;
  }
  GstBuffer* buffer = gst_buffer_new_memdup(packet.data(), packet.size());
  if (gst_app_src_push_buffer(GST_APP_SRC(talker->source.get()), buffer) != GST_FLOW_OK) {
    c.refused_packets.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  c.packets.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void VoicePlayout::set_playout_delay(std::chrono::milliseconds delay) {
  impl_->delay = std::clamp(delay, std::chrono::milliseconds{0}, std::chrono::milliseconds{400});
}

std::chrono::milliseconds VoicePlayout::playout_delay() const {
  const auto heard = impl_->heard_delay_ns.load(std::memory_order_relaxed);
  if (heard == 0) return impl_->delay.load();
  return std::chrono::round<std::chrono::milliseconds>(std::chrono::nanoseconds{heard});
}

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
