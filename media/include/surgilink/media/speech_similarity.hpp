#pragma once
// How much of a speech signal survived a voice path: the correlation of the two loudness envelopes (10 ms RMS
// frames, in dB above a floor), at the lag that matches them best. 1.0: the same syllables at the same
// moments; speech against other speech or noise scores near 0. An objective stand-in for intelligibility.

#include <chrono>
#include <span>

namespace surgilink::media {

struct SpeechSimilarity {
  double correlation = 0;            // Pearson correlation of the envelopes, -1..1
  std::chrono::milliseconds lag{0};  // how much later `heard` carries `original`
};

// `original` and `heard` are 48 kHz mono; `heard` is searched for `original` up to `max_lag` later.
SpeechSimilarity speech_similarity(std::span<const float> original, std::span<const float> heard,
                                   std::chrono::milliseconds max_lag = std::chrono::milliseconds{1000});

}  // namespace surgilink::media
