#pragma once
// Percentiles of latency samples: a whole-run series for reports and a sliding window for live HUDs.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::core {

// p50/p95/p99/max of a set of samples, in milliseconds; count 0 means "no data".
struct LatencySummary {
  std::size_t count = 0;
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// The samples of a whole run, for the final report, in bounded memory: exact for the first kExactSamples
// (36 minutes at 30 fps), then folded into a log-linear histogram (256 steps per doubling: percentiles within
// 0.4 %, max exact), so a 4-hour case neither grows memory nor makes summary() slower. One thread only.
class LatencySeries {
 public:
  static constexpr std::size_t kExactSamples = 65536;

  void add(std::chrono::nanoseconds sample);
  std::size_t size() const { return count_; }
  LatencySummary summary() const;

 private:
  void fold();  // moves the exact samples into the histogram

  std::vector<std::chrono::nanoseconds> samples_;  // while exact
  std::vector<std::uint32_t> bins_;                // once folded
  std::size_t count_ = 0;
  std::chrono::nanoseconds max_{0};
};

// The samples of the last `span` (10 s on the HUD), dropped as they age. One thread only.
class SlidingLatencyWindow {
 public:
  explicit SlidingLatencyWindow(std::chrono::nanoseconds span) : span_(span) {}
  void add(CaptureTime at, std::chrono::nanoseconds sample);
  LatencySummary summary(CaptureTime now);

 private:
  struct Sample {
    CaptureTime at;
    std::chrono::nanoseconds value;
  };
  std::chrono::nanoseconds span_;
  std::deque<Sample> samples_;
};

// Nearest-rank percentile (q in 0..1) of unsorted samples; 0 for none.
double percentile_ms(std::vector<std::chrono::nanoseconds> samples, double q);

}  // namespace surgilink::core
