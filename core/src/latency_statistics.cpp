#include "surgilink/core/latency_statistics.hpp"

#include <algorithm>
#include <cmath>

namespace surgilink::core {

namespace {
// Nearest rank: the smallest sample with at least q of the samples at or below it. `sorted` is not empty.
double nearest_rank_ms(const std::vector<std::chrono::nanoseconds>& sorted, double q) {
  const auto n = static_cast<double>(sorted.size());
  const auto index = static_cast<std::size_t>(std::max(1.0, std::ceil(q * n))) - 1;
  return to_ms(sorted[std::min(index, sorted.size() - 1)]);
}

LatencySummary summarize(std::vector<std::chrono::nanoseconds> samples) {
  LatencySummary s;
  s.count = samples.size();
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  s.p50_ms = nearest_rank_ms(samples, 0.50);
  s.p95_ms = nearest_rank_ms(samples, 0.95);
  s.p99_ms = nearest_rank_ms(samples, 0.99);
  s.max_ms = to_ms(samples.back());
  return s;
}
}  // namespace

double percentile_ms(std::vector<std::chrono::nanoseconds> samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return nearest_rank_ms(samples, q);
}

LatencySummary LatencySeries::summary() const { return summarize(samples_); }

void SlidingLatencyWindow::add(CaptureTime at, std::chrono::nanoseconds sample) {
  samples_.push_back({at, sample});
}

LatencySummary SlidingLatencyWindow::summary(CaptureTime now) {
  while (!samples_.empty() && now - samples_.front().at > span_) samples_.pop_front();
  std::vector<std::chrono::nanoseconds> values;
  values.reserve(samples_.size());
  for (const auto& s : samples_) values.push_back(s.value);
  return summarize(std::move(values));
}

}  // namespace surgilink::core
