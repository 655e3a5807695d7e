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
  // Call on a streaming thread while the pipeline plays.
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

// Running time of `pts` on `pad`'s current segment.
GstClockTime running_time_on(GstPad* pad, GstClockTime pts);

// The first of `factories` whose element opens (reaches READY) with the system's default device: "default"
// means a real sound server or card, never GStreamer's silent fallback (autoaudiosink picks a fakesink when
// there is none). Empty when none opens.
std::string first_openable_element(std::initializer_list<const char*> factories);

// Reads a GStreamer ERROR/WARNING message as text.
std::string message_text(GstMessage* message);

}  // namespace surgilink::media
