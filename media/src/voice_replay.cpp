#include "surgilink/media/voice_replay.hpp"

#include <pthread.h>

#include <gst/app/gstappsrc.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "surgilink/media/audio_marker.hpp"
#include "surgilink/media/recorded_voice.hpp"
#include "surgilink/media/sender_pipeline.hpp"
#include "voice_gst.hpp"

namespace surgilink::media {

namespace {

using Steady = std::chrono::steady_clock;

// One block of sound as the output asks for it.
constexpr auto kBlock = std::chrono::milliseconds{10};
constexpr std::size_t kBlockSamples = kVoiceSampleRate / 100;
// The time from a block's making to its playing the output is told to allow (the source's latency): room for
// the streaming thread to be scheduled late without the block arriving after its time.
constexpr auto kLead = std::chrono::milliseconds{20};
// A streaming thread this far behind starts again from now (the gap is silent) rather than catching up.
constexpr auto kGiveUpAfter = std::chrono::milliseconds{200};
// Voice files around the playing point are decoded before they are needed and dropped once far from it.
constexpr auto kDecodeAhead = std::chrono::seconds{3};
constexpr auto kKeepAround = std::chrono::seconds{10};
// A voice file whose manifest does not say when it ended (one still open) is read this far.
constexpr auto kUnknownLength = std::chrono::seconds{120};
constexpr const char* kSourceCaps = "audio/x-raw,format=F32LE,rate=48000,channels=1,layout=interleaved";
constexpr const char* kOutputCaps = "audio/x-raw,format=S16LE,rate=48000,channels=1,layout=interleaved";

GstClockTime ns(std::chrono::nanoseconds d) { return static_cast<GstClockTime>(d.count()); }

// The pipeline's latency: how long after its running time a sink plays a buffer.
GstClockTime pipeline_latency(GstElement* pipeline) {
  GstQuery* query = gst_query_new_latency();
  GstClockTime min = 0;
  if (gst_element_query(pipeline, query)) {
    gboolean live = FALSE;
    gst_query_parse_latency(query, &live, &min, nullptr);
  }
  gst_query_unref(query);
  return GST_CLOCK_TIME_IS_VALID(min) ? min : 0;
}

}  // namespace

struct VoiceReplay::Impl {
  Impl(std::filesystem::path f, std::vector<ManifestSegment> v, AudioEndpoint o)
      : folder(std::move(f)), files(std::move(v)), output(std::move(o)) {}

  // Passed in.
  const std::filesystem::path folder;
  const std::vector<ManifestSegment> files;
  const AudioEndpoint output;
  // Owned.
  GstObjectRef<GstElement> pipeline;
  GstElement* source = nullptr;  // the appsrc, owned by the pipeline
  HandedOver handed_over;
  std::thread decoder;

  // Shared by every thread.
  mutable std::mutex mutex;
  std::condition_variable wake;  // the decoder: a file is wanted, or stopping
  std::uint64_t request = 0;
  std::optional<ReplayClock> clock;
  bool muted = false;
  std::chrono::nanoseconds picture_delay{0};
  bool stopping = false;
  std::map<std::size_t, std::shared_ptr<const std::vector<float>>> decoded;  // by index in `files`
  std::set<std::size_t> asked;  // decoded, being decoded, waiting, or failed
  std::deque<std::size_t> wanted;
  std::vector<std::string> problems;
  bool started = false;

  // The output's streaming thread only.
  std::optional<GstClockTime> next_pts;
  std::optional<GstClockTime> latency;
  std::vector<float> block = std::vector<float>(kBlockSamples);
  struct Voice {
    const ManifestSegment* file;
    std::shared_ptr<const std::vector<float>> samples;
  };
  std::vector<Voice> sounding;

  std::atomic<std::uint64_t> blocks{0}, voiced{0}, late{0};
  // The steady clock's time of running time 0, the sinks' latency, the first block's running time (-1: none
  // yet): when the output's first sample was played.
  std::atomic<std::int64_t> running_zero_ns{0}, latency_ns{0}, first_pts_ns{-1};
  std::atomic<bool> sounding_now{false};

  core::CaptureTime end_of(const ManifestSegment& f) const {
    return f.last > f.first ? f.last + std::chrono::seconds{1} : f.first + kUnknownLength;
  }

  // Output streaming thread, mutex held: asks the decoder for the files around `at`, drops those far from it.
  void want_around(core::CaptureTime at) {
    bool asked_more = false;
    for (std::size_t i = 0; i < files.size(); ++i) {
      const auto& f = files[i];
      const bool near = f.first <= at + kDecodeAhead && end_of(f) >= at - kBlock;
      const bool far = f.first > at + kKeepAround || end_of(f) < at - kKeepAround;
      if (near && !asked.contains(i)) {
        asked.insert(i);
        wanted.push_back(i);
        asked_more = true;
      } else if (far && decoded.erase(i) > 0) {
        asked.erase(i);
      }
    }
    if (asked_more) wake.notify_all();
  }

  // Decoder thread.
  void decode_wanted() {
    pthread_setname_np(pthread_self(), "review-voice");
    for (;;) {
      std::size_t index = 0;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [this] { return stopping || !wanted.empty(); });
        if (stopping) return;
        index = wanted.front();
        wanted.pop_front();
      }
      const auto& f = files[index];
      const auto length = end_of(f) - f.first;
      auto samples = std::make_shared<std::vector<float>>(static_cast<std::size_t>(
          std::chrono::duration<double>(length).count() * static_cast<double>(kVoiceSampleRate)));
      std::string why;
      const long placed = mix_recorded_voice(folder / f.file, f.first, f.first, *samples, &why);
      std::lock_guard lock(mutex);
      if (placed < 0) {
        problems.push_back(why);  // stays in `asked`: not tried again
      } else if (asked.contains(index)) {
        decoded[index] = std::move(samples);
      }
    }
  }

  // The output's streaming thread: the appsrc wants its next block. Always pushes one (the appsrc waits for
  // it).
  void make_block() {
    std::fill(block.begin(), block.end(), 0.0f);
    GstElement* p = pipeline.get();
    const GstObjectRef<GstClock> gst_clock(gst_element_get_clock(p));
    // The latency the sinks were given (each block is played that long after its running time); asked again
    // now and then, as the pipeline may change it.
    if (!latency || *latency == 0 || blocks.load(std::memory_order_relaxed) % 100 == 0)
      latency = pipeline_latency(p);
    std::int64_t played_ns = 0;  // when the next block is played, steady clock
    if (gst_clock) {
      const GstClockTime now = gst_clock_get_time(gst_clock.get());
      const std::int64_t steady_now = Steady::now().time_since_epoch().count();
      const GstClockTime base = gst_element_get_base_time(p);
      const GstClockTime running = now > base ? now - base : 0;
      if (!next_pts || *next_pts + *latency + ns(kGiveUpAfter) < running) {
        if (next_pts) late.fetch_add(1, std::memory_order_relaxed);
        next_pts = running;
      } else if (*next_pts + *latency < running) {
        late.fetch_add(1, std::memory_order_relaxed);
      }
      // Running time 0 on the steady clock: both clocks are the same monotonic one, read a moment apart, so
      // it is kept until it moves by more than a sample's worth of jitter (each block then starts exactly 480
      // samples after the one before in the recorded sound: no sample repeated or skipped).
      const std::int64_t zero = steady_now + static_cast<std::int64_t>(base) - static_cast<std::int64_t>(now);
      const std::int64_t kept = running_zero_ns.load(std::memory_order_relaxed);
      if (kept == 0 || std::abs(zero - kept) > 1'000'000)
        running_zero_ns.store(zero, std::memory_order_relaxed);
      played_ns =
          running_zero_ns.load(std::memory_order_relaxed) + static_cast<std::int64_t>(*next_pts + *latency);
      latency_ns.store(static_cast<std::int64_t>(*latency), std::memory_order_relaxed);
    } else if (!next_pts) {
      next_pts = 0;
    }
    bool voice = false;
    sounding.clear();
    core::CaptureTime at{};
    {
      std::lock_guard lock(mutex);
      // Sound at 1× only (a faster or slower picture gets silence: see the README, "Recordings"), never
      // muted.
      if (clock && clock->speed == 1.0 && !muted && played_ns != 0) {
        at = clock->from + (Steady::time_point(Steady::duration(played_ns)) - clock->started - picture_delay);
        voice = at >= clock->from;
        want_around(at);
        for (const auto& [index, samples] : decoded) {
          const auto& f = files[index];
          if (f.first <= at + kBlock && end_of(f) > at) sounding.push_back({&f, samples});
        }
      }
      sounding_now.store(clock && clock->speed == 1.0 && !muted, std::memory_order_relaxed);
    }
    bool heard = false;
    for (const auto& v : sounding) {
      if (!voice) break;
      const auto start = static_cast<long long>(std::llround(
          std::chrono::duration<double>(at - v.file->first).count() * static_cast<double>(kVoiceSampleRate)));
      const auto size = static_cast<long long>(v.samples->size());
      for (long long k = std::max(0LL, -start); k < static_cast<long long>(kBlockSamples) && start + k < size;
           ++k) {
        block[static_cast<std::size_t>(k)] += (*v.samples)[static_cast<std::size_t>(start + k)];
        heard = true;
      }
    }
    for (float& x : block) x = std::clamp(x, -1.0f, 1.0f);
    if (heard) voiced.fetch_add(1, std::memory_order_relaxed);
    GstBuffer* buffer = gst_buffer_new_memdup(block.data(), block.size() * sizeof(float));
    GST_BUFFER_PTS(buffer) = *next_pts;
    GST_BUFFER_DURATION(buffer) = ns(kBlock);
    if (blocks.fetch_add(1, std::memory_order_relaxed) == 0 && played_ns != 0)
      first_pts_ns.store(static_cast<std::int64_t>(*next_pts), std::memory_order_relaxed);
    *next_pts += ns(kBlock);
    gst_app_src_push_buffer(GST_APP_SRC(source), buffer);  // takes it; refused only at the end
  }
};

VoiceReplay::VoiceReplay(std::filesystem::path folder, std::vector<ManifestSegment> files,
                         AudioEndpoint output)
    : impl_(std::make_unique<Impl>(std::move(folder), std::move(files), std::move(output))) {
  initialise_gstreamer();
  auto& i = *impl_;
  const std::string description =
      std::string("appsrc name=voice is-live=true format=time do-timestamp=false caps=") + kSourceCaps +
      " ! audioconvert ! capsfilter caps=" + kOutputCaps + " ! audioconvert ! audioresample ! " +
      output_description(i.output);
  i.pipeline = launch_voice_pipeline(description, "review voice (" + to_string(i.output) + ")");
  GstBin* bin = GST_BIN(i.pipeline.get());
  aim_output(bin, i.output);
  // The steady clock's own time: a block's playing time is known on it whatever the device's clock does.
  GstClock* system = gst_system_clock_obtain();
  gst_pipeline_use_clock(GST_PIPELINE(i.pipeline.get()), system);
  gst_object_unref(system);
  // A sound card's buffer holds what is decided ahead of playing: small, so a pause or seek is heard at once.
  GValue value = G_VALUE_INIT;
  GstIterator* sinks = gst_bin_iterate_sinks(bin);
  while (gst_iterator_next(sinks, &value) == GST_ITERATOR_OK) {
    auto* sink = GST_ELEMENT(g_value_get_object(&value));
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(sink), "buffer-time") != nullptr)
      g_object_set(sink, "buffer-time", gint64{40000}, "latency-time", gint64{10000}, nullptr);
    g_value_reset(&value);
  }
  g_value_unset(&value);
  gst_iterator_free(sinks);
  const GstObjectRef<GstElement> source(gst_bin_get_by_name(bin, "voice"));
  i.source = source.get();
  const auto lead = static_cast<guint64>(std::chrono::nanoseconds{kLead}.count());
  g_object_set(i.source, "min-latency", static_cast<gint64>(lead), "max-latency", static_cast<gint64>(lead),
               nullptr);
  GstAppSrcCallbacks callbacks{};
  callbacks.need_data = [](GstAppSrc*, guint, gpointer self) {
    auto* impl = static_cast<Impl*>(self);
    if (impl->handed_over.ready()) impl->make_block();
  };
  gst_app_src_set_callbacks(GST_APP_SRC(i.source), &callbacks, impl_.get(), nullptr);
  i.decoder = std::thread([this] { impl_->decode_wanted(); });
}

VoiceReplay::~VoiceReplay() {
  auto& i = *impl_;
  if (i.started && i.output.kind == AudioEndpoint::Kind::kFile) {
    // A WAV file gets its sizes written only at the end of the stream.
    gst_app_src_end_of_stream(GST_APP_SRC(i.source));
    const GstObjectRef<GstBus> bus(gst_element_get_bus(i.pipeline.get()));
    if (GstMessage* m = gst_bus_timed_pop_filtered(
            bus.get(), GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR)))
      gst_message_unref(m);
  }
  gst_element_set_state(i.pipeline.get(), GST_STATE_NULL);
  {
    std::lock_guard lock(i.mutex);
    i.stopping = true;
  }
  i.wake.notify_all();
  i.decoder.join();
}

bool VoiceReplay::start(std::string& why) {
  impl_->handed_over.publish();
  if (!start_playing(impl_->pipeline.get())) {
    why = "the sound output '" + to_string(impl_->output) + "' cannot be opened (no such sound device here?)";
    return false;
  }
  std::lock_guard lock(impl_->mutex);
  impl_->started = true;
  return true;
}

void VoiceReplay::follow(std::uint64_t request, std::optional<ReplayClock> clock) {
  std::lock_guard lock(impl_->mutex);
  if (request < impl_->request) return;
  impl_->request = request;
  impl_->clock = clock;
  if (clock) impl_->want_around(clock->from);  // decoding starts now, not with the first block
}

void VoiceReplay::set_picture_delay(std::chrono::nanoseconds delay) {
  std::lock_guard lock(impl_->mutex);
  impl_->picture_delay = delay;
}

void VoiceReplay::set_muted(bool muted) {
  std::lock_guard lock(impl_->mutex);
  impl_->muted = muted;
}

VoiceReplayState VoiceReplay::state() const {
  VoiceReplayState s;
  {
    std::lock_guard lock(impl_->mutex);
    s.open = impl_->started;
    s.problems = impl_->problems;
  }
  s.sounding = impl_->sounding_now.load(std::memory_order_relaxed);
  s.blocks = impl_->blocks.load(std::memory_order_relaxed);
  s.voiced = impl_->voiced.load(std::memory_order_relaxed);
  s.late = impl_->late.load(std::memory_order_relaxed);
  return s;
}

std::optional<std::chrono::steady_clock::time_point> VoiceReplay::first_sample_played() const {
  const auto& i = *impl_;
  const auto first = i.first_pts_ns.load(std::memory_order_relaxed);
  if (first < 0) return std::nullopt;
  return Steady::time_point(Steady::duration(i.running_zero_ns.load(std::memory_order_relaxed) + first +
                                             i.latency_ns.load(std::memory_order_relaxed)));
}

}  // namespace surgilink::media
