// The voice path without the network: capture (file in real time → webrtcdsp → Opus → RTP) straight into a
// playout (jitter buffer → Opus decoder → mixer → WAV file), both real GStreamer pipelines.
#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>

#include <gtest/gtest.h>

#include "support/sound_files.hpp"
#include "surgilink/media/audio_marker.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/speech_similarity.hpp"
#include "surgilink/media/voice_capture.hpp"
#include "surgilink/media/voice_playout.hpp"

namespace surgilink::media {
namespace {

using namespace std::chrono_literals;
using testing::write_wav;

// Hands every packet to a playout, dropping those `drop` says (the network thread in the programs).
struct Wire : VoiceCaptureListener {
  VoicePlayout* playout = nullptr;
  std::mutex mutex;
  std::condition_variable packet_passed;  // every packet, for waits on the real-time pipelines' progress
  std::uint64_t packets = 0;
  std::vector<double> levels;
  std::mt19937 rng{11};
  double loss = 0;
  std::uint64_t dropped = 0;
  bool with_capture_times = false;                // as a console does for the OR's voice
  std::optional<core::CaptureTime> first_spoken;  // the capture time of the first packet that passed
  void on_voice_packets(EncodedPackets encoded) override {
    std::lock_guard lock(mutex);
    if (!first_spoken) first_spoken = encoded.capture_time;
    for (auto& p : encoded.packets) {
      if (loss > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < loss) {
        ++dropped;
        continue;
      }
      const auto header = parse_rtp(p);
      ASSERT_TRUE(header);
      playout->push(header.value().ssrc, header.value().payload_type, p,
                    with_capture_times ? std::optional(encoded.capture_time) : std::nullopt);
    }
    ++packets;
    packet_passed.notify_all();
  }
  // Waits (at most 60 s) until `done` holds, checked as each packet passes. The lip-sync case needs ~20 s of
  // sound; under ThreadSanitizer on a busy machine that once took over 30 s (16 of 18 chirps heard).
  template <typename Done>
  bool wait_until(Done done) {
    std::unique_lock lock(mutex);
    return packet_passed.wait_for(lock, std::chrono::seconds{60}, done);
  }
  void on_voice_level(double rms, double) override {
    std::lock_guard lock(mutex);
    levels.push_back(rms);
  }
  void on_voice_problem(std::string text, bool fatal) override {
    ADD_FAILURE() << (fatal ? "error: " : "warning: ") << text;
  }
};

class VoicePath : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("voice-path-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs capture → playout until `done` holds.
  template <typename Done>
  void run(const std::filesystem::path& input, double loss, Done done,
           std::chrono::milliseconds lip_sync_delay = 0ms) {
    VoicePlayoutSettings ps;
    ps.output = {AudioEndpoint::Kind::kFile, (dir_ / "heard.wav").string()};
    ps.find_markers = true;
    ps.marker = AudioMarker::kOr;  // in-process: the playout hears what this capture speaks
    playout_ = std::make_unique<VoicePlayout>(ps, clock_);
    playout_->set_playout_delay(lip_sync_delay);
    std::string why;
    ASSERT_TRUE(playout_->start(why)) << why;
    wire_.playout = playout_.get();
    wire_.loss = loss;
    VoiceCaptureSettings cs;
    cs.input = {AudioEndpoint::Kind::kFile, input.string()};
    cs.ssrc = 0x1234;
    cs.find_markers = true;
    capture_ = std::make_unique<VoiceCapture>(cs, clock_, wire_);
    ASSERT_TRUE(capture_->start(why)) << why;
    EXPECT_TRUE(wire_.wait_until(done));
    capture_->stop();
    playout_->stop();
  }

  core::CaptureClock clock_;
  std::filesystem::path dir_;
  Wire wire_;
  std::unique_ptr<VoicePlayout> playout_;
  std::unique_ptr<VoiceCapture> capture_;
};

TEST_F(VoicePath, EveryMarkerSpokenIsHeardOnceWithinTheLatencyBudget) {
  const auto input = write_wav(dir_ / "markers.wav", audio_marker_track(2.0, 500ms));
  run(input, 0.0, [this] { return playout_->marker_times().size() >= 6; });
  const auto spoken = capture_->marker_times();
  const auto heard = playout_->marker_times();
  ASSERT_GE(spoken.size(), 6u);
  ASSERT_GE(heard.size(), 6u);
  std::vector<double> m2e;
  for (const auto h : heard) {
    // The newest chirp spoken before it was heard.
    auto s = std::upper_bound(spoken.begin(), spoken.end(), h);
    ASSERT_NE(s, spoken.begin());
    m2e.push_back(std::chrono::duration<double, std::milli>(h - *std::prev(s)).count());
  }
  for (const double ms : m2e) {
    EXPECT_GT(ms, 5.0) << "heard before it could have been encoded";
    EXPECT_LT(ms, 250.0);
  }
  std::sort(m2e.begin(), m2e.end());
  std::printf("voice path m2e (no network): p50 %.1f ms, max %.1f ms over %zu markers\n", m2e[m2e.size() / 2],
              m2e.back(), m2e.size());
  EXPECT_GT(capture_->counters().packets.load(), 100u);
  // The level meter saw the chirps (−6 dBFS peaks) and the silence between them.
  std::lock_guard lock(wire_.mutex);
  EXPECT_GT(*std::max_element(wire_.levels.begin(), wire_.levels.end()), -30.0);
  EXPECT_LT(*std::min_element(wire_.levels.begin(), wire_.levels.end()), -60.0);
  // The heard file is a real WAV of the session's length, silence included.
  const auto heard_samples = read_sound_file((dir_ / "heard.wav").string());
  EXPECT_GT(heard_samples.size(), static_cast<std::size_t>(2.5 * kVoiceSampleRate));
}

// Mouth-to-ear of each chirp, in the order heard: heard minus the newest chirp spoken before it.
std::vector<double> mouth_to_ear_ms(const std::vector<core::CaptureTime>& spoken,
                                    const std::vector<core::CaptureTime>& heard) {
  std::vector<double> m2e;
  for (const auto h : heard) {
    auto s = std::upper_bound(spoken.begin(), spoken.end(), h);
    if (s != spoken.begin())
      m2e.push_back(std::chrono::duration<double, std::milli>(h - *std::prev(s)).count());
  }
  return m2e;
}

// Lip sync: a talker with capture times is heard the requested delay after it spoke, to the mixer's 5-ms
// alignment; the codec's and the noise suppressor's shares are in that delay, not added to it.
TEST_F(VoicePath, ACaptureTimedVoiceIsHeardTheLipSyncDelayAfterItWasSpoken) {
  const auto input = write_wav(dir_ / "markers.wav", audio_marker_track(2.0, 500ms));
  wire_.with_capture_times = true;
  run(
      input, 0.0, [this] { return playout_->marker_times().size() >= 18; }, 90ms);
  auto m2e = mouth_to_ear_ms(capture_->marker_times(), playout_->marker_times());
  ASSERT_GE(m2e.size(), 18u);
  // The first seconds may be later: a late packet at start-up is remembered for 2 s.
  m2e.erase(m2e.begin(), m2e.end() - 8);
  int late = 0;
  for (const double ms : m2e) {
    std::printf("lip-sync delay 90 ms: a chirp heard %.1f ms after it was spoken\n", ms);
    // Never earlier than asked; a chirp may come a frame or two later (seen here: +10 and +20 ms).
    EXPECT_GE(ms, 85.0);
    late += ms > 115.0 ? 1 : 0;
  }
  // One in eight may be later still: a packet that reaches the playout late (the two cores busy with a
  // parallel test) is played as it comes, not dropped (CI at a7d319b: one chirp at 125 ms, seven at 90.5).
  EXPECT_LE(late, 1);
  std::sort(m2e.begin(), m2e.end());
  EXPECT_NEAR(m2e[m2e.size() / 2], 90.0, 5.0);
  EXPECT_EQ(playout_->playout_delay(), 90ms);
}

TEST_F(VoicePath, MutedCaptureSendsNothingAndBadPacketsAreRefusedNotPlayed) {
  const auto input = write_wav(dir_ / "markers.wav", audio_marker_track(1.0, 500ms));
  VoicePlayoutSettings ps;
  ps.output = {AudioEndpoint::Kind::kNone, {}};
  VoicePlayout playout(ps, clock_);
  std::string why;
  ASSERT_TRUE(playout.start(why)) << why;
  const std::vector<std::uint8_t> header_only{0x80, 111, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9};
  EXPECT_FALSE(playout.push(9, 111, header_only)) << "no Opus payload";
  std::vector<std::uint8_t> wrong_type = header_only;
  wrong_type.push_back(0xfc);
  EXPECT_FALSE(playout.push(9, 96, wrong_type)) << "not the voice payload type";
  EXPECT_FALSE(playout.push(9, 111, std::span(header_only).first(5))) << "truncated header";
  // Opus framing that does not add up (code 3, 63 frames in 4 bytes) is refused before the decoder.
  std::vector<std::uint8_t> garbage = header_only;
  garbage.insert(garbage.end(), {0xff, 0xff, 0xff, 0xff, 0x00});
  EXPECT_FALSE(playout.push(9, 111, garbage));
  // A frame that is not Opus inside a sound framing reaches the decoder and is concealed, not fatal.
  std::vector<std::uint8_t> noise = header_only;
  noise.insert(noise.end(), {0x78, 0xff, 0xff, 0xff, 0x00});
  EXPECT_TRUE(playout.push(9, 111, noise));
  EXPECT_EQ(playout.counters().refused_packets.load(), 4u);

  wire_.playout = &playout;
  VoiceCaptureSettings cs;
  cs.input = {AudioEndpoint::Kind::kFile, input.string()};
  VoiceCapture capture(cs, clock_, wire_);
  capture.set_muted(true);
  ASSERT_TRUE(capture.start(why)) << why;
  // Muted packets never reach the wire; wait on the encoder's count (bounded) instead.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (capture.counters().muted_packets.load() < 50 && std::chrono::steady_clock::now() < deadline) {
    std::unique_lock lock(wire_.mutex);
    wire_.packet_passed.wait_for(lock, 20ms);  // nothing passes: this is the bound of each look
  }
  EXPECT_GE(capture.counters().muted_packets.load(), 50u);
  EXPECT_EQ(capture.counters().packets.load(), 0u);
  EXPECT_EQ(wire_.packets, 0u);
  // Opened again: the encoder's frame and the processing still hold sound spoken before this moment, and it
  // is not sent.
  const core::CaptureTime opened = clock_.now();
  capture.set_muted(false);
  ASSERT_TRUE(wire_.wait_until([&] { return wire_.packets >= 5; }));
  {
    std::lock_guard lock(wire_.mutex);
    ASSERT_TRUE(wire_.first_spoken);
    EXPECT_GE(*wire_.first_spoken, opened)
        << "sent sound spoken " << core::to_ms(opened - *wire_.first_spoken) << " ms before the unmute";
  }
  capture.stop();
  playout.stop();
}

TEST(VoiceDevices, AMissingDeviceIsAClearRefusalNotACrash) {
  core::CaptureClock clock;
  VoicePlayoutSettings ps;
  ps.output = parse_audio_endpoint("alsa:hw:97,0");
  VoicePlayout playout(ps, clock);
  std::string why;
  EXPECT_FALSE(playout.start(why));
  EXPECT_NE(why.find("alsa:hw:97,0"), std::string::npos) << why;
}

// Speech (espeak-ng, English and Japanese) through capture, Opus and playout keeps its syllables; with 5 %
// of the packets lost at random, concealment and in-band FEC keep most of them.
TEST_F(VoicePath, SpeechStaysIntelligibleAndSurvivesFivePercentLoss) {
  const auto en = dir_ / "en.wav", ja = dir_ / "ja.wav", both = dir_ / "speech.wav";
  ASSERT_EQ(
      std::system(("espeak-ng -v en -w " + en.string() + " 'Stop. That is the common bile duct.'").c_str()),
      0);
  ASSERT_EQ(
      std::system(("espeak-ng -v ja -w " + ja.string() + " 'そこは総胆管です。止めてください。'").c_str()),
      0);
  ASSERT_EQ(std::system(("sox -q " + en.string() + " " + ja.string() + " -r 48000 -c 1 -b 16 " +
                         both.string() + " pad 0.3 0.7")
                            .c_str()),
            0);
  const auto original = read_sound_file(both.string());
  const std::uint64_t packets_needed = original.size() / 480 + 60;  // the file once, and 600 ms to arrive
  for (const double loss : {0.0, 0.05}) {
    run(both, loss, [&] { return wire_.packets >= packets_needed; });
    const auto heard = read_sound_file((dir_ / "heard.wav").string());
    const auto similarity = speech_similarity(original, heard);
    std::printf("speech (en + ja, %.1f s) at %.0f %% loss: envelope correlation %.3f, heard %lld ms later\n",
                static_cast<double>(original.size()) / kVoiceSampleRate, loss * 100, similarity.correlation,
                static_cast<long long>(similarity.lag.count()));
    EXPECT_GE(similarity.correlation, loss == 0 ? 0.8 : 0.7) << "loss " << loss;
    if (loss > 0) {
      EXPECT_GT(wire_.dropped, 0u);
      EXPECT_GT(playout_->concealed_packets(), 0u) << "lost packets are concealed";
    }
    wire_.packets = 0;
  }
}

// "default" is a real sound server or card, never GStreamer's silent stand-in: on a machine without either
// (CI here) it is refused with a message that says so; with one, it opens.
TEST(VoiceDevices, TheDefaultDeviceIsRealOrClearlyAbsent) {
  core::CaptureClock clock;
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  const bool sound =
      std::filesystem::exists("/dev/snd") ||
      (runtime != nullptr && std::filesystem::exists(std::filesystem::path(runtime) / "pulse"));
  VoicePlayoutSettings ps;
  ps.output = parse_audio_endpoint("default");
  if (!sound) {
    try {
      VoicePlayout playout(ps, clock);
      ADD_FAILURE() << "a default speaker was built on a machine without sound";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("no sound output here"), std::string::npos) << e.what();
    }
    VoiceCaptureSettings cs;
    cs.input = parse_audio_endpoint("default");
    struct Silent : VoiceCaptureListener {
      void on_voice_packets(EncodedPackets) override {}
      void on_voice_problem(std::string, bool) override {}
    } listener;
    EXPECT_THROW(VoiceCapture(cs, clock, listener), std::runtime_error);
  } else {
    VoicePlayout playout(ps, clock);
    std::string why;
    EXPECT_TRUE(playout.start(why)) << why;
  }
}

}  // namespace
}  // namespace surgilink::media
