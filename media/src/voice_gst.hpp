#pragma once
// Private to media/: what the voice capture and the voice playout share.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "gst_ref.hpp"
#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/audio_endpoint.hpp"

namespace surgilink::media {

// Maps the pipeline's running time onto the capture clock: remembered from the newest buffer that passed, so
// any streaming thread can convert a buffer's running time without asking the clock again.
class RunningTimeOnCaptureClock {
 public:
  // Call on a streaming thread while the pipeline plays, with any element of it (the pad's: reading the
  // owner's pipeline pointer from a streaming thread would race with its construction).
  void update(GstElement* pipeline, const core::Clock& clock) {
    const GstObjectRef<GstClock> gst_clock(gst_element_get_clock(pipeline));
    if (!gst_clock) return;
    const GstClockTime running_now =
        gst_clock_get_time(gst_clock.get()) - gst_element_get_base_time(pipeline);
    const auto zero = clock.now() - std::chrono::nanoseconds{running_now};
    zero_ns_.store(zero.time_since_epoch().count(), std::memory_order_relaxed);
  }
  bool known() const { return zero_ns_.load(std::memory_order_relaxed) != 0; }
  core::CaptureTime at(GstClockTime running_time) const {
    return core::CaptureTime{core::CaptureTime::duration{zero_ns_.load(std::memory_order_relaxed)}} +
           std::chrono::nanoseconds{running_time};
  }
  // The inverse: the running time (ns, negative before the pipeline started) of a capture-clock instant.
  std::int64_t running_ns(core::CaptureTime t) const {
    return t.time_since_epoch().count() - zero_ns_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<std::int64_t> zero_ns_{0};
};

// Everything the owner set up before start(), made visible to GStreamer's streaming threads: start() stores
// (release) and each callback loads (acquire) before touching the owner's state. GStreamer reuses pooled
// threads whose hand-over (GLib futexes) ThreadSanitizer cannot see, so without it a second pipeline's
// callbacks read its constructor's writes with no visible order.
class HandedOver {
 public:
  void publish() { ready_.store(true, std::memory_order_release); }
  bool ready() const { return ready_.load(std::memory_order_acquire); }

 private:
  std::atomic<bool> ready_{false};
};

// The first of `factories` whose element opens (reaches READY) with the system's default device: "default"
// means a real sound server or card, never GStreamer's silent fallback (autoaudiosink picks a fakesink when
// there is none). Empty when none opens.
std::string first_openable_element(std::initializer_list<const char*> factories);

// A pipeline from a gst-launch description; throws std::runtime_error naming `what` and the reason.
GstObjectRef<GstElement> launch_voice_pipeline(const std::string& description, const std::string& what);

// Points a device source or sink at `location` ("alsa:hw:1,0", "pulse:NAME", "pipewire:NAME", or a NAME):
// PulseAudio's and ALSA's elements take "device", PipeWire's "target-object" (or "path" before 0.3.64).
void choose_device(GstElement* element, const std::string& location);

// A streaming thread's view of 16-bit mono sound: the block as floats (one buffer reused, no allocation per
// block once it has grown) and its level over 50 ms.
class SoundBlocks {
 public:
  struct Level {
    double rms_dbfs, peak_dbfs;
  };
  // Converts `map`'s samples; returns them (valid until the next call).
  std::span<const float> convert(const GstMapInfo& map) {
    const auto* s16 = reinterpret_cast<const std::int16_t*>(map.data);
    samples_.resize(map.size / sizeof(std::int16_t));
    for (std::size_t i = 0; i < samples_.size(); ++i) samples_[i] = static_cast<float>(s16[i]) / 32768.0f;
    return samples_;
  }
  // Adds the block just converted; every 50 ms of sound returns the level over them.
  std::optional<Level> level() {
    for (const float x : samples_) {
      sum_ += static_cast<double>(x) * x;
      peak_ = std::max(peak_, static_cast<double>(std::fabs(x)));
    }
    count_ += samples_.size();
    if (count_ < 48000 / 20) return std::nullopt;
    const auto db = [](double v) { return v > 1e-9 ? 20 * std::log10(v) : -180.0; };
    const Level l{db(std::sqrt(sum_ / static_cast<double>(count_))), db(peak_)};
    sum_ = peak_ = 0;
    count_ = 0;
    return l;
  }

 private:
  std::vector<float> samples_;
  double sum_ = 0, peak_ = 0;
  std::size_t count_ = 0;
};

// The tail of a pipeline that plays sound to `output` (elements named "file_out" or "device" are aimed at it
// by aim_output()): a WAV file written in real time as a sound card would play it (silence included), a named
// device, the system's default (the first of PulseAudio/PipeWire or ALSA that opens: throws
// std::runtime_error when there is none), or nothing. The live voice playout and the review's voice share it.
std::string output_description(const AudioEndpoint& output);
// Points the tail's file or device at `output`'s location.
void aim_output(GstBin* pipeline, const AudioEndpoint& output);

// Sets `pipeline` playing; false (and back to NULL, the device released) when it refuses, e.g. a sound device
// that cannot be opened.
bool start_playing(GstElement* pipeline);

// Reads a GStreamer ERROR/WARNING message as text.
std::string message_text(GstMessage* message);

}  // namespace surgilink::media
