// Who hears whom, and bad voice packets, with the real programs (issue 14, "Who hears whom" and "Bad input
// and faults"): surgilink-sender and surgilink-console with WAV files for microphones and speakers, plus a
// console made by hand on the realtime channel (real TLS hello with a chosen certificate, then SRTP with that
// connection's own keys) that sends what a real console never would.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <nlohmann/json.hpp>

#include "process/child_process.hpp"
#include "support/console_status.hpp"
#include "support/running_sender.hpp"
#include "support/sound_files.hpp"
#include "support/test_control_client.hpp"
#include "support/test_installation.hpp"
#include "surgilink/media/audio_marker.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/srtp_session.hpp"
#include "surgilink/media/voice_capture.hpp"

namespace surgilink::testing {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

double seconds_since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

// Speech from espeak-ng as a 48 kHz WAV.
std::filesystem::path write_speech(const std::filesystem::path& wav, const std::string& text) {
  const auto raw = wav.string() + ".espeak.wav";
  EXPECT_EQ(std::system(("espeak-ng -v en -w " + raw + " '" + text + "'").c_str()), 0);
  EXPECT_EQ(std::system(("sox -q " + raw + " -r 48000 -c 1 -b 16 " + wav.string()).c_str()), 0);
  return wav;
}

// The markers' times in a report's voice figures (capture clock, seconds).
std::vector<double> times(const nlohmann::json& voice, const char* key) {
  std::vector<double> out;
  for (const auto& t : voice.value(key, nlohmann::json::array())) out.push_back(t.get<double>());
  return out;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Heard markers that follow a spoken one by less than 300 ms (the mouth-to-ear bound on loopback).
std::size_t heard_after_spoken(const std::vector<double>& spoken, const std::vector<double>& heard) {
  return static_cast<std::size_t>(std::count_if(heard.begin(), heard.end(), [&](double h) {
    return std::any_of(spoken.begin(), spoken.end(), [h](double s) { return h > s && h - s < 0.3; });
  }));
}

// The level (dBFS) of a heard WAV between the mentor's markers (60 ms before to 180 ms after each left out),
// after `skip` seconds: silence when nobody else was heard. The mentor spoke `spoken` markers, one every
// `period`: one the detector missed (a loss concealed part of it) still sits on that grid, so the grid is
// filled in where a found marker's neighbour is missing; its energy is the mentor's, not someone else's.
struct Quiet {
  std::size_t markers = 0;  // found by the detector
  double between_dbfs = -180;
};
Quiet level_between_markers(const std::filesystem::path& wav, std::size_t spoken,
                            std::chrono::milliseconds period, double skip = 0.5) {
  const auto samples = media::read_sound_file(wav.string());
  media::AudioMarkerDetector detector(media::AudioMarker::kMentor);  // these files hold mentors' voices
  const core::CaptureTime zero{};
  std::vector<std::size_t> found;
  for (const auto t : detector.feed(samples, zero))
    found.push_back(static_cast<std::size_t>((t - zero).count() * media::kVoiceSampleRate / 1'000'000'000));
  const auto step = static_cast<std::size_t>(period.count() * media::kVoiceSampleRate / 1000);
  std::vector<std::size_t> at;
  for (std::size_t k = 0; k < found.size(); ++k) {
    at.push_back(found[k]);
    if (k + 1 == found.size()) break;
    const double gap = static_cast<double>(found[k + 1] - found[k]);
    const auto missing = static_cast<std::size_t>(std::lround(gap / static_cast<double>(step)));
    for (std::size_t m = 1; m < missing; ++m)
      at.push_back(found[k] +
                   static_cast<std::size_t>(gap * static_cast<double>(m) / static_cast<double>(missing)));
  }
  // Missed at either end: at most as many as were spoken and not yet placed, each way.
  const std::size_t placed = at.size();
  for (std::size_t m = 1; !found.empty() && placed + m <= spoken; ++m) {
    if (found.back() + m * step < samples.size()) at.push_back(found.back() + m * step);
    if (found.front() >= m * step) at.push_back(found.front() - m * step);
  }
  constexpr std::size_t kGuard = media::kVoiceSampleRate * 60 / 1000;
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t i = static_cast<std::size_t>(skip * media::kVoiceSampleRate); i < samples.size(); ++i) {
    const bool near = std::any_of(at.begin(), at.end(),
                                  [i](std::size_t m) { return i + kGuard > m && i < m + 3 * kGuard; });
    if (near) continue;
    sum += static_cast<double>(samples[i]) * samples[i];
    ++n;
  }
  return {found.size(), n > 0 && sum > 0 ? 10 * std::log10(sum / static_cast<double>(n)) : -180.0};
}

// A console made by hand: the real control channel (TLS 1.3, hello with `identity_name`'s certificate), then
// RTP protected with this connection's own console→sender key, sent from the media port it announced.
class HandMadeConsole : public media::VoiceCaptureListener {
 public:
  HandMadeConsole(const std::string& identity_name, const RunningSender& sender)
      : client_(identity(identity_name)),
        socket_(io_, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        sender_(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(sender.media_port())) {
    answer = client_.hello(sender.control_port(), socket_.local_endpoint().port());
    if (!answer.welcomed) return;
    outbound_ = std::make_unique<media::SrtpSession>(media::parse_srtp_profile(answer.srtp_profile),
                                                     media::SrtpSession::Direction::kOutbound,
                                                     client_.keys().console_to_sender);
  }

  // `plain` (one RTP packet) protected with this connection's key.
  std::vector<std::uint8_t> protect(std::vector<std::uint8_t> plain) {
    std::lock_guard lock(mutex_);
    const std::size_t length = plain.size();
    plain.resize(length + media::kSrtpMaxTrailer);
    const auto protected_length = outbound_->protect_rtp(plain, length);
    EXPECT_TRUE(protected_length);
    plain.resize(protected_length ? protected_length.value() : 0);
    return plain;
  }
  void send(const std::vector<std::uint8_t>& bytes) {
    std::lock_guard lock(mutex_);
    socket_.send_to(asio::buffer(bytes), sender_);
    ++sent_;
  }
  std::uint64_t sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
  }

  // A voice capture's packets, protected and sent as they come (a test peer: its streaming thread sends).
  void on_voice_packets(media::EncodedPackets packets) override {
    for (auto& p : packets.packets) send(protect(std::move(p)));
  }
  void on_voice_problem(std::string text, bool fatal) override {
    ADD_FAILURE() << (fatal ? "error: " : "warning: ") << text;
  }

  HelloAnswer answer;

 private:
  TestControlClient client_;
  asio::io_context io_;
  asio::ip::udp::socket socket_;
  asio::ip::udp::endpoint sender_;
  mutable std::mutex mutex_;
  std::unique_ptr<media::SrtpSession> outbound_;
  std::uint64_t sent_ = 0;
};

// One RTP packet: `payload_type`, `ssrc`, `sequence`, then `payload`.
std::vector<std::uint8_t> rtp(std::uint8_t payload_type, std::uint32_t ssrc, std::uint16_t sequence,
                              std::vector<std::uint8_t> payload) {
  media::RtpHeader header;
  header.payload_type = payload_type;
  header.sequence = sequence;
  header.timestamp = sequence * 480u;
  header.ssrc = ssrc;
  std::vector<std::uint8_t> packet(media::kRtpFixedHeaderSize + payload.size() + 16);
  const std::size_t n = media::write_rtp_header(packet, header);
  std::copy(payload.begin(), payload.end(), packet.begin() + static_cast<std::ptrdiff_t>(n));
  packet.resize(n + payload.size());
  return packet;
}

std::vector<std::string> console_args(const std::filesystem::path& config, double seconds,
                                      std::vector<std::string> more) {
  std::vector<std::string> argv{
      console_program().string(), "--config", config.string(), "--headless", "--status-json", "--seconds",
      std::to_string(seconds)};
  argv.insert(argv.end(), more.begin(), more.end());
  return argv;
}

nlohmann::json read_json(const std::filesystem::path& p) {
  return nlohmann::json::parse(read_text(p), nullptr, false);
}

// An observer's voice packets (sent by hand with the observer's own keys: a real observer console never
// opens its microphone) are refused at the sender and never reach the OR's speaker nor any mentor; a mentor's
// voice in the same session is heard in the OR and relayed to the second mentor.
TEST(VoiceRoles, AnObserverIsNeverHeardAMentorIsHeardByTheOrAndTheOtherMentor) {
  const auto started = Steady::now();
  const auto dir = scratch_dir("voice-roles");
  const auto mentor_mic =
      write_wav(dir / "mentor_mic.wav", media::audio_marker_track(5.0, 500ms, media::AudioMarker::kMentor));
  const auto observer_mic = write_speech(
      dir / "observer_mic.wav", "I am only watching. Nobody in the theatre should hear this sentence.");
  RunningSender sender(write_sender_config(dir), dir / "sender.log",
                       {"--audio-in", "none", "--audio-out", "file:" + (dir / "or_heard.wav").string(),
                        "--audio-markers", "--report-json", (dir / "sender.json").string()});
  HandMadeConsole observer("observer", sender);
  ASSERT_TRUE(observer.answer.welcomed) << observer.answer.refusal << observer.answer.tls_error;
  ASSERT_EQ(observer.answer.role, "observer");
  core::CaptureClock clock;
  media::VoiceCaptureSettings speech;
  speech.input = {media::AudioEndpoint::Kind::kFile, observer_mic.string()};
  speech.ssrc = 0x0b5e7;
  speech.echo_cancel = false;
  media::VoiceCapture observer_voice(speech, clock, observer);
  std::string why;
  ASSERT_TRUE(observer_voice.start(why)) << why;

  tools::ChildProcess first(console_args(write_console_config(dir, sender.control_port(), "mentor"), 5.0,
                                         {"--audio-in", "file:" + mentor_mic.string(), "--audio-out",
                                          "file:" + (dir / "mentor_heard.wav").string(), "--audio-markers",
                                          "--report-json", (dir / "mentor.json").string()}),
                            (dir / "mentor.log").string());
  tools::ChildProcess second(
      console_args(write_console_config(dir, sender.control_port(), "mentor2"), 5.0,
                   {"--audio-in", "none", "--audio-out", "file:" + (dir / "mentor2_heard.wav").string(),
                    "--audio-markers", "--report-json", (dir / "mentor2.json").string()}),
      (dir / "mentor2.log").string());
  while (first.read_line(10s)) {
  }
  while (second.read_line(10s)) {
  }
  EXPECT_EQ(first.wait(10s), 0) << read_text(dir / "mentor.log");
  EXPECT_EQ(second.wait(10s), 0) << read_text(dir / "mentor2.log");
  observer_voice.stop();
  const std::uint64_t observer_packets = observer.sent();
  EXPECT_EQ(sender.stop(), 0);

  const auto s = read_json(dir / "sender.json");
  const auto m1 = read_json(dir / "mentor.json");
  const auto m2 = read_json(dir / "mentor2.json");
  ASSERT_TRUE(s.is_object() && m1.is_object() && m2.is_object());
  // Refused and counted, one by one (nothing else is rejected in this session).
  EXPECT_GT(observer_packets, 300u);
  EXPECT_EQ(s["rejected_datagrams"].get<std::uint64_t>(), observer_packets);
  // The mentor is heard in the OR, and by the other mentor (relayed), each marker within 300 ms.
  const auto spoken = times(m1["voice"], "markers_spoken");
  const auto or_heard = times(s["voice"], "markers_heard");
  const auto relayed = times(m2["voice"], "mentor_markers_heard");
  EXPECT_GE(spoken.size(), 6u);
  EXPECT_GE(heard_after_spoken(spoken, or_heard), spoken.size() - 2) << "the OR hears the mentor";
  EXPECT_GE(heard_after_spoken(spoken, relayed), spoken.size() - 2) << "the second mentor hears the first";
  EXPECT_EQ(s["voice"]["packets_heard"].get<std::uint64_t>(),
            m1["voice"]["packets_sent"].get<std::uint64_t>())
      << "the OR's speaker got the mentor's packets and nothing else";
  // Nobody hears the observer: between the mentor's markers both speakers' files are silent.
  const auto in_or = level_between_markers(dir / "or_heard.wav", spoken.size(), 500ms);
  const auto at_mentor2 = level_between_markers(dir / "mentor2_heard.wav", spoken.size(), 500ms);
  EXPECT_GE(in_or.markers, spoken.size() - 2);
  EXPECT_GE(at_mentor2.markers, spoken.size() - 2);
  EXPECT_LT(in_or.between_dbfs, -60.0);
  EXPECT_LT(at_mentor2.between_dbfs, -60.0);
  std::printf(
      "roles: observer sent %llu voice packets, sender rejected %llu; mentor spoke %zu markers, OR heard "
      "%zu, "
      "second mentor heard %zu; level between markers: OR %.1f dBFS, second mentor %.1f dBFS; %.1f s\n",
      static_cast<unsigned long long>(observer_packets),
      static_cast<unsigned long long>(s["rejected_datagrams"].get<std::uint64_t>()), spoken.size(),
      or_heard.size(), relayed.size(), in_or.between_dbfs, at_mentor2.between_dbfs, seconds_since(started));
}

// The sender→console key and the console's media port from the SDP the sender exported for the first console.
struct ExportedKey {
  std::vector<std::uint8_t> key;
  unsigned short console_port = 0;
};
ExportedKey exported_key(const std::filesystem::path& sdp) {
  const std::string text = read_text(sdp);
  ExportedKey k;
  if (const auto m = text.find("m=video "); m != std::string::npos)
    k.console_port = static_cast<unsigned short>(std::stoi(text.substr(m + 8)));
  if (const auto at = text.find("inline:"); at != std::string::npos)
    k.key = decode_base64(text.substr(at + 7, text.find_first_of("\r\n", at) - at - 7));
  return k;
}

// An SRTP packet under a key nobody uses (authentication fails wherever it lands).
std::vector<std::uint8_t> under_a_wrong_key(media::SrtpProfile profile, std::vector<std::uint8_t> plain) {
  media::SrtpSession forger(
      profile, media::SrtpSession::Direction::kOutbound,
      std::vector<std::uint8_t>(media::srtp_master_key_size(profile) + media::srtp_master_salt_size(profile),
                                0x42));
  const std::size_t length = plain.size();
  plain.resize(length + media::kSrtpMaxTrailer);
  plain.resize(forger.protect_rtp(plain, length).value());
  return plain;
}

// Opus payloads: a TOC byte alone (CELT fullband 20 ms, one frame of no bytes: valid, decoded as a gap), and
// a code-2 packet whose first frame is said to be 200 bytes long in a 5-byte packet (truncated, RFC 6716
// §3.2.4).
const std::vector<std::uint8_t> kOpusEmptyFrame{0xf8};
const std::vector<std::uint8_t> kOpusTruncated{0xfa, 200, 1, 2, 3};

// Audio packets that fail authentication, are replays, carry a wrong payload type, no payload or a truncated
// Opus packet are dropped and counted at the sender (from a mentor's own address, with its own keys) and at
// the console (with the sender's key for it, exported for the test); the picture and both directions' voice
// go on.
TEST(VoiceFaults, BadAudioPacketsAreDroppedAndCountedAndPictureAndVoiceGoOn) {
  const auto started = Steady::now();
  const auto dir = scratch_dir("voice-faults");
  // Chirps at other periods each way: identical chirps half a period apart would look like a 250-ms echo of
  // each other to the delay-agnostic echo canceller, which would rightly remove them.
  const auto or_track = media::audio_marker_track(6.0, 500ms);
  const auto mentor_track = media::audio_marker_track(6.3, 700ms, media::AudioMarker::kMentor);
  const auto or_mic = write_wav(dir / "or_mic.wav", or_track);
  const auto mentor_mic = write_wav(dir / "mentor_mic.wav", mentor_track);
  RunningSender sender(write_sender_config(dir), dir / "sender.log",
                       {"--audio-in", "file:" + or_mic.string(), "--audio-out",
                        "file:" + (dir / "or_heard.wav").string(), "--audio-markers", "--report-json",
                        (dir / "sender.json").string(), "--export-srtp-keys", (dir / "keys.sdp").string()},
                       {"SURGILINK_ALLOW_KEY_EXPORT=1"});
  tools::ChildProcess console(console_args(write_console_config(dir, sender.control_port(), "mentor"), 6.0,
                                           {"--audio-in", "file:" + mentor_mic.string(), "--audio-out",
                                            "file:" + (dir / "mentor_heard.wav").string(), "--audio-markers",
                                            "--report-json", (dir / "console.json").string()}),
                              (dir / "console.log").string());
  const auto first = wait_for_status(console, 10, has_a_picture);
  ASSERT_TRUE(has_a_picture(first)) << read_text(dir / "console.log");
  const auto exported = exported_key(dir / "keys.sdp");
  ASSERT_FALSE(exported.key.empty());

  // At the sender: a second mentor, admitted, sends from its own media port with its own keys.
  HandMadeConsole mentor2("mentor2", sender);
  ASSERT_TRUE(mentor2.answer.welcomed) << mentor2.answer.refusal << mentor2.answer.tls_error;
  const auto profile = media::parse_srtp_profile(mentor2.answer.srtp_profile);
  const double injected_at = now_seconds();
  mentor2.send(under_a_wrong_key(profile, rtp(111, 0x5e1, 1, kOpusEmptyFrame)));  // authentication
  const auto genuine = mentor2.protect(rtp(111, 0x5e2, 1, kOpusEmptyFrame));
  mentor2.send(genuine);                                              // accepted (a gap)
  mentor2.send(genuine);                                              // replay
  mentor2.send(mentor2.protect(rtp(96, 0x5e3, 1, kOpusEmptyFrame)));  // not the voice's type
  mentor2.send(mentor2.protect(rtp(111, 0x5e4, 1, {})));              // no payload
  mentor2.send(mentor2.protect(rtp(111, 0x5e5, 1, kOpusTruncated)));  // truncated Opus

  // At the console: from anywhere, under the sender's key for it (SSRCs of no real stream).
  asio::io_context io;
  asio::ip::udp::socket attacker(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const asio::ip::udp::endpoint console_media(asio::ip::make_address("127.0.0.1"), exported.console_port);
  media::SrtpSession forger(profile, media::SrtpSession::Direction::kOutbound, exported.key);
  const auto forge = [&](std::vector<std::uint8_t> plain) {
    const std::size_t length = plain.size();
    plain.resize(length + media::kSrtpMaxTrailer);
    plain.resize(forger.protect_rtp(plain, length).value());
    return plain;
  };
  const auto to_console = [&](const std::vector<std::uint8_t>& bytes) {
    attacker.send_to(asio::buffer(bytes), console_media);
  };
  to_console(under_a_wrong_key(profile, rtp(111, 0xc01, 1, kOpusEmptyFrame)));  // authentication
  const auto wrong_type = forge(rtp(100, 0xc02, 1, kOpusEmptyFrame));
  to_console(wrong_type);                                 // no such stream
  to_console(wrong_type);                                 // replay
  to_console(forge(rtp(111, 0xc03, 1, {})));              // no payload
  to_console(forge(rtp(111, 0xc04, 1, kOpusTruncated)));  // truncated Opus

  // The picture goes on.
  const auto frames_then = first.value("frames_decoded", 0);
  nlohmann::json last = first;
  while (const auto line = console.read_line(10s)) {
    const auto j = nlohmann::json::parse(*line, nullptr, false);
    if (j.is_object()) last = j;
  }
  EXPECT_EQ(console.wait(10s), 0) << read_text(dir / "console.log");
  EXPECT_EQ(sender.stop(), 0);
  EXPECT_GT(last.value("frames_decoded", 0), frames_then + 60) << "frames keep arriving";

  const auto s = read_json(dir / "sender.json");
  const auto c = read_json(dir / "console.json");
  ASSERT_TRUE(s.is_object() && c.is_object());
  // Counted where they were refused.
  EXPECT_EQ(s["rejected_datagrams"].get<std::uint64_t>(), 5u)
      << "authentication, replay, payload type, no payload, truncated Opus";
  EXPECT_EQ(c["packets_rejected"].get<std::uint64_t>(), 3u) << "authentication, payload type, replay";
  EXPECT_EQ(c["voice"]["refused"].get<std::uint64_t>(), 2u) << "no payload, truncated Opus";
  // Both directions' voice goes on after the bad packets.
  const auto or_spoken = times(s["voice"], "markers_spoken");
  const auto mentor_heard = times(c["voice"], "markers_heard");
  const auto mentor_spoken = times(c["voice"], "markers_spoken");
  const auto or_heard = times(s["voice"], "markers_heard");
  const auto after = [injected_at](const std::vector<double>& v) {
    return std::count_if(v.begin(), v.end(), [injected_at](double t) { return t > injected_at + 0.1; });
  };
  EXPECT_GE(after(mentor_heard), 3) << "the OR's voice still reaches the mentor";
  EXPECT_GE(after(or_heard), 3) << "the mentor's voice still reaches the OR";
  EXPECT_GE(heard_after_spoken(or_spoken, mentor_heard), mentor_heard.size() - 1);
  EXPECT_GE(heard_after_spoken(mentor_spoken, or_heard), or_heard.size() - 1);
  std::printf(
      "bad voice packets: sender rejected %llu, console rejected %llu + voice refused %llu; after them: "
      "%ld OR markers heard by the mentor, %ld mentor markers heard in the OR, %d more frames; %.1f s\n",
      static_cast<unsigned long long>(s["rejected_datagrams"].get<std::uint64_t>()),
      static_cast<unsigned long long>(c["packets_rejected"].get<std::uint64_t>()),
      static_cast<unsigned long long>(c["voice"]["refused"].get<std::uint64_t>()),
      static_cast<long>(after(mentor_heard)), static_cast<long>(after(or_heard)),
      last.value("frames_decoded", 0) - frames_then, seconds_since(started));
}

// "default" sound on a machine with neither a sound server nor a card: the console joins, says "no sound
// output" (log and status), and the picture, the vitals and the annotations work.
TEST(VoiceDevices, AConsoleWithoutASoundCardSaysSoAndEverythingElseWorks) {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (std::filesystem::exists("/dev/snd") ||
      (runtime != nullptr && std::filesystem::exists(std::filesystem::path(runtime) / "pulse")))
    GTEST_SKIP() << "this machine has sound";
  const auto started = Steady::now();
  const auto dir = scratch_dir("voice-no-sound");
  const auto or_mic = write_wav(dir / "or_mic.wav", media::audio_marker_track(2.0, 500ms));
  RunningSender sender(write_sender_config(dir), dir / "sender.log",
                       {"--audio-in", "file:" + or_mic.string(), "--audio-out", "none"});
  const auto r =
      run_program(console_args(write_console_config(dir, sender.control_port(), "mentor"), 4.0,
                               {"--audio-in", "default", "--audio-out", "default", "--scripted-mentor", "3",
                                "--report-json", (dir / "console.json").string()}),
                  dir, "console", milliseconds{30000});
  EXPECT_EQ(sender.stop(), 0);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr("no sound output"));
  bool said_in_status = false;
  std::size_t start = 0;
  for (auto end = r.out.find('\n'); end != std::string::npos;
       start = end + 1, end = r.out.find('\n', start)) {
    const auto j = nlohmann::json::parse(r.out.substr(start, end - start), nullptr, false);
    if (j.is_object() && j.contains("voice") &&
        j["voice"].value("problem", "").find("no sound output") != std::string::npos)
      said_in_status = true;
  }
  EXPECT_TRUE(said_in_status) << r.out;
  const auto c = read_json(dir / "console.json");
  ASSERT_TRUE(c.is_object());
  EXPECT_GT(c["frames_received"].get<std::uint64_t>(), 50u);
  EXPECT_GT(c["vitals_numerics"].get<std::uint64_t>(), 0u);
  EXPECT_GT(c["annotations_confirmed"].get<std::uint64_t>(), 0u);
  EXPECT_FALSE(c["voice"]["speaker"].get<bool>());
  std::printf("no sound card: frames %llu, vitals numerics %llu, annotations confirmed %llu; %.1f s\n",
              static_cast<unsigned long long>(c["frames_received"].get<std::uint64_t>()),
              static_cast<unsigned long long>(c["vitals_numerics"].get<std::uint64_t>()),
              static_cast<unsigned long long>(c["annotations_confirmed"].get<std::uint64_t>()),
              seconds_since(started));
}

}  // namespace
}  // namespace surgilink::testing
