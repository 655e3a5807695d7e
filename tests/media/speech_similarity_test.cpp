#include "surgilink/media/speech_similarity.hpp"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace surgilink::media {
namespace {

// A speech-like signal: bursts ("syllables") of a voiced buzz with random lengths and pauses.
std::vector<float> syllables(unsigned seed, double seconds) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> length(80, 300), pause(40, 250);
  std::vector<float> out(static_cast<std::size_t>(seconds * 48000), 0.0f);
  std::size_t at = 4800;
  while (at < out.size()) {
    const auto n = static_cast<std::size_t>(length(rng)) * 48;
    for (std::size_t i = 0; i < n && at + i < out.size(); ++i) {
      const double t = static_cast<double>(i) / 48000;
      out[at + i] = static_cast<float>(0.3 * std::sin(2 * 3.14159 * 140 * t) * std::sin(3.14159 * i / n));
    }
    at += n + static_cast<std::size_t>(pause(rng)) * 48;
  }
  return out;
}

TEST(SpeechSimilarity, FindsTheSameSpeechLaterAndQuieterAndRejectsOtherSpeech) {
  const auto original = syllables(1, 4.0);
  std::vector<float> heard(original.size() + 48000, 0.0f);
  std::normal_distribution<float> noise(0.0f, 0.003f);
  std::mt19937 rng(3);
  for (std::size_t i = 0; i < original.size(); ++i) heard[i + 4320] = 0.5f * original[i];  // 90 ms later
  for (auto& x : heard) x += noise(rng);
  const auto same = speech_similarity(original, heard);
  EXPECT_GT(same.correlation, 0.9);
  EXPECT_EQ(same.lag.count(), 90);
  const auto other = syllables(2, 5.0);
  EXPECT_LT(speech_similarity(original, other).correlation, 0.6);
}

}  // namespace
}  // namespace surgilink::media
