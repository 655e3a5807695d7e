#include "surgilink/media/audio_marker.hpp"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "surgilink/media/audio_endpoint.hpp"

namespace surgilink::media {
namespace {

using std::chrono::milliseconds;

core::CaptureTime at_ms(double ms) {
  return core::CaptureTime{
      std::chrono::duration_cast<core::CaptureTime::duration>(std::chrono::duration<double, std::milli>(ms))};
}

// Feeds `track` in blocks of `block` samples, the first sample at t = 1000 s.
std::vector<core::CaptureTime> detect(const std::vector<float>& track, std::size_t block) {
  AudioMarkerDetector detector;
  std::vector<core::CaptureTime> found;
  for (std::size_t at = 0; at < track.size(); at += block) {
    const std::size_t n = std::min(block, track.size() - at);
    const auto t = at_ms(1e6 + static_cast<double>(at) * 1000.0 / kVoiceSampleRate);
    for (auto f : detector.feed(std::span(track).subspan(at, n), t)) found.push_back(f);
  }
  return found;
}

TEST(AudioMarker, FindsEveryChirpToTheSampleWhateverTheBlockSize) {
  const auto track = audio_marker_track(3.0, milliseconds{500});  // chirps at 250, 750, ... 2750 ms
  for (const std::size_t block : {480u, 441u, 4096u}) {
    const auto found = detect(track, block);
    ASSERT_EQ(found.size(), 6u) << "block " << block;
    for (std::size_t i = 0; i < found.size(); ++i) {
      const double expected = 1e6 + 250.0 + 500.0 * static_cast<double>(i);
      const double ms = std::chrono::duration<double, std::milli>(found[i].time_since_epoch()).count();
      EXPECT_NEAR(ms, expected, 1000.0 / kVoiceSampleRate) << "block " << block << " chirp " << i;
    }
  }
}

TEST(AudioMarker, SurvivesNoiseGainAndFindsNothingInSpeechLikeNoise) {
  auto track = audio_marker_track(2.0, milliseconds{500});
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 0.05f);  // ~ -26 dBFS of noise under a -6 dBFS chirp
  for (auto& x : track) x = 0.3f * x + noise(rng);
  EXPECT_EQ(detect(track, 480).size(), 4u);
  std::vector<float> only_noise(2 * kVoiceSampleRate);
  for (auto& x : only_noise) x = noise(rng) * 4;
  EXPECT_TRUE(detect(only_noise, 480).empty());
  std::vector<float> tone(kVoiceSampleRate);
  for (std::size_t i = 0; i < tone.size(); ++i)
    tone[i] = 0.5f * std::sin(2 * 3.14159265f * 1500.0f * i / 48000.0f);
  EXPECT_TRUE(detect(tone, 480).empty()) << "a steady tone inside the chirp's band is not a chirp";
}

TEST(AudioMarker, EachSideFindsOnlyItsOwnCode) {
  const auto mentor = audio_marker_track(2.0, milliseconds{500}, AudioMarker::kMentor);
  AudioMarkerDetector or_detector(AudioMarker::kOr), mentor_detector(AudioMarker::kMentor);
  EXPECT_TRUE(or_detector.feed(mentor, at_ms(0)).empty()) << "the OR's code is not the mentor's";
  EXPECT_EQ(mentor_detector.feed(mentor, at_ms(0)).size(), 4u);
}

TEST(AudioEndpoint, ParsesEveryFormAndRefusesNonsense) {
  EXPECT_EQ(parse_audio_endpoint("none").kind, AudioEndpoint::Kind::kNone);
  EXPECT_EQ(parse_audio_endpoint("default").kind, AudioEndpoint::Kind::kDefault);
  const auto file = parse_audio_endpoint("file:/tmp/a b.wav");
  EXPECT_EQ(file.kind, AudioEndpoint::Kind::kFile);
  EXPECT_EQ(file.location, "/tmp/a b.wav");
  EXPECT_EQ(parse_audio_endpoint("alsa:hw:1,0").kind, AudioEndpoint::Kind::kDevice);
  EXPECT_EQ(to_string(parse_audio_endpoint("pulse:usb-headset")), "pulse:usb-headset");
  EXPECT_THROW(parse_audio_endpoint(""), std::invalid_argument);
  EXPECT_THROW(parse_audio_endpoint("file:"), std::invalid_argument);
  EXPECT_THROW(parse_audio_endpoint("bad\"name"), std::invalid_argument);
}

}  // namespace
}  // namespace surgilink::media
