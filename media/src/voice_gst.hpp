#pragma once
// Private to media/: what the voice capture and the voice playout share.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>

#include <gst/gst.h>

#include "gst_ref.hpp"
#include "surgilink/core/capture_clock.hpp"

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

// Running time of `pts` on `pad`'s current segment.
GstClockTime running_time_on(GstPad* pad, GstClockTime pts);

// The first of `factories` whose element opens (reaches READY) with the system's default device: "default"
// means a real sound server or card, never GStreamer's silent fallback (autoaudiosink picks a fakesink when
// there is none). Empty when none opens.
std::string first_openable_element(std::initializer_list<const char*> factories);

// A pipeline from a gst-launch description; throws std::runtime_error naming `what` and the reason.
GstObjectRef<GstElement> launch_voice_pipeline(const std::string& description, const std::string& what);

// Points a device source or sink at `location` ("alsa:hw:1,0", "pulse:NAME", "pipewire:NAME", or a NAME):
// PulseAudio's and ALSA's elements take "device", PipeWire's "target-object" (or "path" before 0.3.64).
void choose_device(GstElement* element, const std::string& location);

// Reads a GStreamer ERROR/WARNING message as text.
std::string message_text(GstMessage* message);

}  // namespace surgilink::media
