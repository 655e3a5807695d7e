#include "surgilink/media/speech_similarity.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "surgilink/media/audio_marker.hpp"

namespace surgilink::media {

namespace {

constexpr std::size_t kFrame = kVoiceSampleRate / 100;  // 10 ms

// Loudness per 10 ms frame in dB, clipped 60 dB below full scale: silence is one flat value, so noise in
// the pauses (or its absence) does not decide the score.
std::vector<double> envelope(std::span<const float> samples) {
  std::vector<double> out(samples.size() / kFrame);
  for (std::size_t f = 0; f < out.size(); ++f) {
    double sum = 0;
    for (std::size_t i = 0; i < kFrame; ++i) {
      const double x = samples[f * kFrame + i];
      sum += x * x;
    }
    out[f] = std::max(-60.0, 10 * std::log10(sum / kFrame + 1e-12));
  }
  return out;
}

double pearson(std::span<const double> a, std::span<const double> b) {
  const std::size_t n = std::min(a.size(), b.size());
  if (n < 2) return 0;
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= static_cast<double>(n);
  mb /= static_cast<double>(n);
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}

}  // namespace

SpeechSimilarity speech_similarity(std::span<const float> original, std::span<const float> heard,
                                   std::chrono::milliseconds max_lag) {
  const auto a = envelope(original), b = envelope(heard);
  SpeechSimilarity best{-1, std::chrono::milliseconds{0}};
  const auto lags = static_cast<std::size_t>(max_lag.count() / 10);
  for (std::size_t lag = 0; lag <= lags && lag + a.size() <= b.size(); ++lag) {
    const double r = pearson(a, std::span(b).subspan(lag, a.size()));
    if (r > best.correlation) best = {r, std::chrono::milliseconds{static_cast<long>(lag) * 10}};
  }
  return best;
}

}  // namespace surgilink::media
