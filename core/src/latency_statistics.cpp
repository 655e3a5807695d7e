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

namespace {
// Log-linear bins: values below 256 ns exactly, then 256 bins per power of two up to 2^40 ns (18 minutes).
constexpr int kSubBits = 8;
constexpr std::int64_t kSub = 1 << kSubBits;
constexpr int kTopBit = 40;
constexpr std::size_t kBins = static_cast<std::size_t>(kSub + (kTopBit - kSubBits + 1) * kSub);

std::size_t bin_of(std::int64_t ns) {
  if (ns < kSub) return static_cast<std::size_t>(std::max<std::int64_t>(ns, 0));
  const int top = 63 - __builtin_clzll(static_cast<unsigned long long>(ns));
  if (top > kTopBit) return kBins - 1;
  const std::int64_t sub = (ns >> (top - kSubBits)) & (kSub - 1);
  return static_cast<std::size_t>(kSub + (top - kSubBits) * kSub + sub);
}

// The middle of a bin, in ns.
double value_of(std::size_t bin) {
  if (bin < static_cast<std::size_t>(kSub)) return static_cast<double>(bin);
  const auto octave = static_cast<int>((bin - static_cast<std::size_t>(kSub)) / kSub);
  const auto sub = static_cast<std::int64_t>((bin - static_cast<std::size_t>(kSub)) % kSub);
  const int shift = octave;  // bin width is 2^shift ns
  const double low = static_cast<double>((kSub + sub) << shift);
  return low + static_cast<double>(std::int64_t{1} << shift) / 2.0;
}
}  // namespace

void LatencySeries::add(std::chrono::nanoseconds sample) {
  ++count_;
  max_ = std::max(max_, sample);
  if (bins_.empty()) {
    samples_.push_back(sample);
    if (samples_.size() > kExactSamples) fold();
    return;
  }
  ++bins_[bin_of(sample.count())];
}

void LatencySeries::fold() {
  bins_.assign(kBins, 0);
  for (const auto s : samples_) ++bins_[bin_of(s.count())];
  samples_.clear();
  samples_.shrink_to_fit();
}

LatencySummary LatencySeries::summary() const {
  if (bins_.empty()) return summarize(samples_);
  LatencySummary s;
  s.count = count_;
  s.max_ms = to_ms(max_);
  // Nearest rank over the bins, each reported at its middle (never above the exact maximum).
  const auto at = [&](double q) {
    const auto rank = static_cast<std::uint64_t>(std::max(1.0, std::ceil(q * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < bins_.size(); ++b) {
      seen += bins_[b];
      if (seen >= rank) return std::min(value_of(b) / 1e6, s.max_ms);
    }
    return s.max_ms;
  };
  s.p50_ms = at(0.50);
  s.p95_ms = at(0.95);
  s.p99_ms = at(0.99);
  return s;
}

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
