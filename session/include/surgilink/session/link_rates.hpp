#pragma once
// The link's rates over the last second (frames, bit rate, loss) for the status line and the HUD, read
// without side effects: any number of readers see the same figures. Pure: times are passed in.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::session {

// Running totals of a link. Plain value type.
struct LinkTotals {
  std::uint64_t frames = 0;   // decoded
  std::uint64_t bytes = 0;    // received (video)
  std::uint64_t packets = 0;  // received (video)
  std::uint64_t lost = 0;     // given up on by the jitter buffer
};

// Rates over about the last second. Plain value type.
struct LinkRateFigures {
  double fps = 0;
  double bitrate_kbps = 0;
  double loss_pct = 0;  // lost / (received + lost)
};

// Network thread only. Memory is bounded: one sample per 100 ms for the last 2 s.
class LinkRates {
 public:
  // Called as things happen (each packet, each frame); keeps a sample every 100 ms.
  void note(core::CaptureTime now, const LinkTotals& totals);
  // The rates between the newest sample at least a second old (the oldest one kept, if none is) and now.
  LinkRateFigures rates(core::CaptureTime now, const LinkTotals& current) const;

 private:
  struct Sample {
    core::CaptureTime at;
    LinkTotals totals;
  };
  std::deque<Sample> samples_;    // one every 100 ms
  std::optional<Sample> latest_;  // the last note, whenever it was
};

}  // namespace surgilink::session
