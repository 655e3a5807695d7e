#pragma once
// Percentiles of latency samples: a whole-run series for reports and a sliding window for live HUDs.

#include <chrono>
#include <cstddef>
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

// Every sample of a run, kept for the final report. One thread only.
class LatencySeries {
 public:
  void add(std::chrono::nanoseconds sample) { samples_.push_back(sample); }
  std::size_t size() const { return samples_.size(); }
  LatencySummary summary() const;

 private:
  std::vector<std::chrono::nanoseconds> samples_;
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
