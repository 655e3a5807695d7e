// The voice recorded with the case (issue 14): a real sender whose OR microphone speaks the OR's audio
// timestamp code and a real mentor console speaking the mentor's; nothing is recorded before consent or while
// the OR microphone is muted; the voice files hold each code at the capture time it was spoken (read back by
// ffmpeg, which knows nothing of SurgiLink, and by the review's own reader); the manifest seals them, so that
// a changed or truncated voice file is found; the exported clip carries the voice in time with its picture.
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process/child_process.hpp"
#include "support/console_status.hpp"
#include "support/running_sender.hpp"
#include "support/sound_files.hpp"
#include "support/test_control_client.hpp"
#include "support/test_installation.hpp"
#include "surgilink/media/audio_marker.hpp"
#include "surgilink/media/recorded_voice.hpp"
#include "surgilink/media/recording_manifest.hpp"
#include "surgilink/media/voice_capture.hpp"

namespace surgilink::testing {
namespace {

using json = nlohmann::json;
using media::AudioMarker;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

// One Opus frame as the voice is sent (media::VoiceCaptureSettings::frame): the tolerance of every time here.
constexpr double kOpusFrameS = 0.010;

double seconds_of(core::CaptureTime t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }
double now_s() { return seconds_of(core::CaptureClock{}.now()); }

std::vector<double> times(const json& voice, const char* key) {
  std::vector<double> out;
  for (const auto& t : voice.value(key, json::array())) out.push_back(t.get<double>());
  return out;
}

// The sound of a media file as ffmpeg decodes it (48 kHz mono float), gaps filled with silence from the
// file's timestamps (aresample async), the first sample at the file's time 0.
std::vector<float> ffmpeg_sound(const std::filesystem::path& file, const std::string& stream = "a:0") {
  const auto raw = file.string() + ".f32";
  const std::string cmd = "ffmpeg -v error -y -i " + file.string() + " -map 0:" + stream +
                          " -af aresample=async=1:first_pts=0 -f f32le -ar 48000 -ac 1 " + raw;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::vector<float> samples;
  std::ifstream in(raw, std::ios::binary);
  float s = 0;
  while (in.read(reinterpret_cast<char*>(&s), sizeof s)) samples.push_back(s);
  std::filesystem::remove(raw);
  return samples;
}

// Where `who`'s code is in `samples` (sample 0 at `origin`), capture clock seconds.
std::vector<double> markers_in(const std::vector<float>& samples, double origin, AudioMarker who) {
  media::AudioMarkerDetector detector(who);
  const core::CaptureTime at{std::chrono::nanoseconds{static_cast<std::int64_t>(std::llround(origin * 1e9))}};
  std::vector<double> out;
  for (const auto t : detector.feed(samples, at)) out.push_back(seconds_of(t));
  return out;
}

// For each found time, its distance to the nearest spoken one (seconds, signed: found − spoken).
std::vector<double> errors(const std::vector<double>& spoken, const std::vector<double>& found) {
  std::vector<double> out;
  for (const double f : found) {
    double best = 1e9;
    for (const double s : spoken) {
      if (std::abs(f - s) < std::abs(best)) best = f - s;
    }
    out.push_back(best);
  }
  return out;
}

double mean(const std::vector<double>& e) {
  double sum = 0;
  for (const double x : e) sum += x;
  return e.empty() ? 0.0 : sum / static_cast<double>(e.size());
}

double worst(const std::vector<double>& e) {
  double w = 0;
  for (const double x : e) w = std::max(w, std::abs(x));
  return w;
}

// Capture times (seconds) of the packets of a recorded file, from ffprobe and its manifest entry.
std::vector<double> packet_times(const std::filesystem::path& file, double first) {
  const auto out = file.string() + ".pts";
  const std::string cmd = "ffprobe -v error -select_streams 0 -show_entries packet=pts_time -of csv=p=0 " +
                          file.string() + " > " + out;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::vector<double> t;
  std::ifstream in(out);
  double x = 0;
  while (in >> x) t.push_back(first + x);
  return t;
}

ProgramResult review(const std::vector<std::string>& args, const std::filesystem::path& dir,
                     const std::string& name) {
  std::vector<std::string> argv{review_program().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, dir, name, milliseconds{60000});
}

TEST(VoiceRecording, BothDirectionsAtTheirCaptureTimesOnlyWithConsentNeverWhileMutedSealedAndExported) {
  const auto dir = scratch_dir("voice-recording");
  const auto socket = dir / "or-controls.sock";
  const auto recordings = dir / "recordings";
  const auto or_mic = write_wav(dir / "or_mic.wav", media::audio_marker_track(4.0, milliseconds{500}));
  const auto mentor_mic = write_wav(dir / "mentor_mic.wav",
                                    media::audio_marker_track(4.9, milliseconds{700}, AudioMarker::kMentor));
  const auto config = write_sender_config(dir, "keyframe_interval_s = 1\n");
  std::ofstream(config, std::ios::app)
      << "[or_controls]\nsocket = \"" << socket.string() << "\"\n[recording]\nfolder = \""
      << recordings.string() << "\"\nsegment_s = 4\n";
  RunningSender sender(config, dir / "sender.log",
                       {"--require-encrypted-volume", "false", "--audio-in", "file:" + or_mic.string(),
                        "--audio-markers", "--report-json", (dir / "sender.json").string()});
  tools::ChildProcess mentor(
      {console_program().string(), "--config",
       write_console_config(dir, sender.control_port(), "mentor").string(), "--headless", "--status-json",
       "--seconds", "60", "--audio-in", "file:" + mentor_mic.string(), "--audio-markers", "--report-json",
       (dir / "mentor.json").string()},
      (dir / "mentor.log").string());
  ASSERT_TRUE(has_a_picture(wait_for_status(mentor, 30, has_a_picture))) << read_text(dir / "mentor.log");
  // Both speak for two seconds before consent: nothing may be recorded.
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(sender.next_status(milliseconds{3000}));
  EXPECT_FALSE(std::filesystem::exists(recordings) && !std::filesystem::is_empty(recordings))
      << "something was recorded before consent";
  const double consent_at = now_s();
  ASSERT_THAT(surgeon_command(socket, "consent"), HasSubstr("recording into"));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(sender.next_status(milliseconds{3000}));
  const double muted_at = now_s();
  ASSERT_THAT(surgeon_command(socket, "mute"), HasSubstr("muted"));
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(sender.next_status(milliseconds{3000}));
  const double unmuted_at = now_s();
  ASSERT_THAT(surgeon_command(socket, "unmute"), HasSubstr("open"));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sender.next_status(milliseconds{3000}));
  const double stopped_at = now_s();
  ASSERT_THAT(surgeon_command(socket, "stop-recording"), HasSubstr("not recording"));
  mentor.signal(SIGINT);
  while (mentor.read_line(milliseconds{10000})) {
  }
  EXPECT_EQ(mentor.wait(milliseconds{10000}), 0) << read_text(dir / "mentor.log");
  ASSERT_EQ(sender.stop(), 0) << sender.log();

  const auto report = json::parse(read_text(dir / "sender.json"), nullptr, false);
  const auto mentor_report = json::parse(read_text(dir / "mentor.json"), nullptr, false);
  ASSERT_TRUE(report.is_object() && mentor_report.is_object());
  const auto or_spoken = times(report["voice"], "markers_spoken");
  const auto mentor_spoken = times(mentor_report["voice"], "markers_spoken");
  std::vector<std::filesystem::path> folders;
  for (const auto& e : std::filesystem::directory_iterator(recordings)) folders.push_back(e.path());
  ASSERT_EQ(folders.size(), 1u);
  const auto folder = folders.front();
  std::string why;
  const auto manifest = media::RecordingManifest::read(folder, &why);
  ASSERT_TRUE(manifest) << why;
  ASSERT_EQ(manifest->state, media::RecordingState::kComplete);

  // Every talker's files, in order, each sealed.
  std::map<std::string, std::vector<media::ManifestSegment>> by_talker;
  for (const auto& v : manifest->voice) {
    EXPECT_TRUE(v.closed && v.seal) << v.file;
    by_talker[v.talker].push_back(v);
  }
  ASSERT_EQ(by_talker.size(), 2u) << "the OR and the mentor";
  ASSERT_TRUE(by_talker.count("or"));
  ASSERT_TRUE(by_talker.count("Dr. Dev Mentor")) << "the mentor by its display name";
  EXPECT_GE(by_talker["or"].size(), 2u) << "a new voice file after segment_s, as the video";
  EXPECT_EQ(by_talker["or"].front().file, "voice-or-00001.mkv");

  // Nothing before consent, nothing after the stop; no OR packet while muted (the command takes effect on the
  // sender's network thread: 100 ms of grace).
  std::vector<double> or_packets, mentor_packets;
  for (const auto& [talker, files] : by_talker) {
    for (const auto& v : files) {
      const auto t = packet_times(folder / v.file, seconds_of(v.first));
      EXPECT_EQ(t.size(), v.frames) << v.file << ": the manifest counts every packet";
      (talker == "or" ? or_packets : mentor_packets)
          .insert((talker == "or" ? or_packets : mentor_packets).end(), t.begin(), t.end());
    }
  }
  ASSERT_GT(or_packets.size(), 500u);
  ASSERT_GT(mentor_packets.size(), 500u);
  for (const auto* packets : {&or_packets, &mentor_packets}) {
    EXPECT_GT(*std::min_element(packets->begin(), packets->end()), consent_at - 0.1);
    EXPECT_LT(*std::max_element(packets->begin(), packets->end()), stopped_at + 0.1);
  }
  // Nothing spoken before the unmute is sent, though the encoder's frame and the processing run behind it.
  const auto while_muted = std::count_if(or_packets.begin(), or_packets.end(),
                                         [&](double t) { return t > muted_at + 0.1 && t < unmuted_at; });
  EXPECT_EQ(while_muted, 0) << "OR packets recorded while the OR microphone was muted";
  const auto mentor_while_muted = std::count_if(mentor_packets.begin(), mentor_packets.end(), [&](double t) {
    return t > muted_at + 0.1 && t < unmuted_at;
  });
  EXPECT_GT(mentor_while_muted, 100) << "the OR's mute is the OR's: the mentor is still recorded";

  // The codes at the capture times they were spoken, as ffmpeg decodes each file (placed at the file's date
  // from the manifest), and as the review's own reader places every packet.
  const double origin = seconds_of(manifest->started);
  const auto span = std::chrono::duration<double>(*manifest->ended - manifest->started).count() + 5.0;
  std::map<std::string, std::vector<float>> mixed;
  for (const auto& [talker, files] : by_talker) {
    auto& mix = mixed[talker];
    mix.assign(static_cast<std::size_t>(span * media::kVoiceSampleRate), 0.0f);
    std::vector<double> found_by_ffmpeg;
    for (const auto& v : files) {
      const auto found = markers_in(ffmpeg_sound(folder / v.file), seconds_of(v.first),
                                    talker == "or" ? AudioMarker::kOr : AudioMarker::kMentor);
      found_by_ffmpeg.insert(found_by_ffmpeg.end(), found.begin(), found.end());
      EXPECT_GT(media::mix_recorded_voice(folder / v.file, v.first, manifest->started, mix, &why), 0)
          << v.file << ": " << why;
    }
    const auto& spoken = talker == "or" ? or_spoken : mentor_spoken;
    const auto found = markers_in(mix, origin, talker == "or" ? AudioMarker::kOr : AudioMarker::kMentor);
    const auto e_ffmpeg = errors(spoken, found_by_ffmpeg), e_review = errors(spoken, found);
    std::printf(
        "%s: %zu markers spoken while recorded, ffmpeg found %zu (worst %.1f ms, mean %+.1f ms off), "
        "review %zu (worst %.1f ms, mean %+.1f ms off)\n",
        talker.c_str(),
        static_cast<std::size_t>(std::count_if(spoken.begin(), spoken.end(),
                                               [&](double s) {
                                                 return s > consent_at + 0.2 && s < stopped_at - 0.2 &&
                                                        (talker != "or" || s < muted_at ||
                                                         s > unmuted_at + 0.2);
                                               })),
        found_by_ffmpeg.size(), worst(e_ffmpeg) * 1e3, mean(e_ffmpeg) * 1e3, found.size(),
        worst(e_review) * 1e3, mean(e_review) * 1e3);
    EXPECT_LE(worst(e_ffmpeg), kOpusFrameS) << talker;
    EXPECT_LE(worst(e_review), kOpusFrameS) << talker;
    // Every marker spoken while recorded (and, for the OR, not muted) is there.
    for (const double s : spoken) {
      const bool recorded = s > consent_at + 0.2 && s < stopped_at - 0.2 &&
                            (talker != "or" || s < muted_at || s > unmuted_at + 0.2);
      const bool muted = talker == "or" && s > muted_at + 0.2 && s < unmuted_at;
      const bool in_file =
          std::any_of(found.begin(), found.end(), [s](double f) { return std::abs(f - s) < 0.05; });
      if (recorded) {
        EXPECT_TRUE(in_file) << talker << " marker spoken at " << s - origin << " s is missing";
      }
      if (muted) {
        EXPECT_FALSE(in_file) << "marker spoken at " << s - origin << " s while muted was recorded";
      }
      if (s < consent_at - 0.1) {
        EXPECT_FALSE(in_file) << "marker spoken before consent was recorded";
      }
    }
    EXPECT_GE(found.size(), 8u) << talker;
  }
  EXPECT_GE(std::count_if(or_spoken.begin(), or_spoken.end(),
                          [&](double s) { return s > muted_at + 0.2 && s < unmuted_at; }),
            2)
      << "markers spoken while muted (else the mute check could not fail)";

  // verify: intact; then a copy with one byte of an OR voice file flipped, and one with a mentor's truncated.
  const auto intact = review({"verify", folder.string()}, dir, "verify");
  EXPECT_EQ(intact.exit_code, 0) << intact.out << intact.err;
  EXPECT_THAT(intact.out, HasSubstr("voice files"));
  for (const std::string damage : {"flipped", "truncated"}) {
    const auto copy = dir / ("damaged-" + damage);
    std::filesystem::copy(folder, copy, std::filesystem::copy_options::recursive);
    const auto victim =
        damage == "flipped" ? by_talker["or"].front().file : by_talker["Dr. Dev Mentor"].back().file;
    const auto path = copy / victim;
    if (damage == "flipped") {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(static_cast<std::streamoff>(std::filesystem::file_size(path) / 2));
      char c = 0;
      f.read(&c, 1);
      f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(path) / 2));
      c = static_cast<char>(c ^ 0x01);
      f.write(&c, 1);
    } else {
      std::filesystem::resize_file(path, std::filesystem::file_size(path) - 100);
    }
    const auto damaged = review({"verify", copy.string()}, dir, "verify-" + damage);
    EXPECT_EQ(damaged.exit_code, 1) << damage << ": " << damaged.out;
    EXPECT_THAT(damaged.out, HasSubstr(victim)) << damage;
  }

  // show --at: who was speaking. At an OR marker spoken while recorded, the OR; while the OR was muted and
  // no mentor marker was near, no one.
  const double first_picture_s = seconds_of(manifest->segments.front().first);
  const auto speaking = [&](double at) {
    const auto shown =
        review({"show", folder.string(), "--at", std::to_string(at - first_picture_s)}, dir, "show");
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    const auto j = json::parse(shown.out, nullptr, false);
    return j.is_object() ? j.value("speaking", json::array()).dump() : std::string("no JSON");
  };
  const auto or_marker = std::find_if(or_spoken.begin(), or_spoken.end(),
                                      [&](double s) { return s > consent_at + 1.0 && s < muted_at - 0.3; });
  ASSERT_NE(or_marker, or_spoken.end());
  EXPECT_THAT(speaking(*or_marker), HasSubstr("\"or\""));
  const auto quiet = std::find_if(or_spoken.begin(), or_spoken.end(), [&](double s) {
    return s > muted_at + 0.3 && s < unmuted_at - 0.3 &&
           std::none_of(mentor_spoken.begin(), mentor_spoken.end(),
                        [s](double m) { return std::abs(m - s) < 0.2; });
  });
  ASSERT_NE(quiet, or_spoken.end()) << "no OR marker spoken while muted away from the mentor's";
  EXPECT_EQ(speaking(*quiet), "[]") << "muted OR marker at " << *quiet - origin;
  // report: the voice per talker.
  const auto html = dir / "report.html";
  const auto reported = review({"report", folder.string(), "--out", html.string()}, dir, "report");
  EXPECT_EQ(reported.exit_code, 0) << reported.err;
  const auto page = read_text(html);
  EXPECT_THAT(page, HasSubstr("<h2>Voice</h2>"));
  EXPECT_THAT(page, HasSubstr("voice-or-00001.mkv"));
  EXPECT_THAT(page, HasSubstr("Dr. Dev Mentor</td>"));

  // The exported clip: an AAC track as long as the picture, with both codes where they were spoken relative
  // to the clip's first picture.
  const double first_picture = seconds_of(manifest->segments.front().first);
  const double from_s = consent_at + 1.0 - first_picture;
  const double to_s = unmuted_at + 2.0 - first_picture;
  const auto clip = dir / "clip.mp4";
  const auto exported = review({"export", folder.string(), "--from", std::to_string(from_s), "--to",
                                std::to_string(to_s), "--out", clip.string()},
                               dir, "export");
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const auto result = json::parse(exported.out, nullptr, false);
  EXPECT_THAT(result.dump(), HasSubstr("Dr. Dev Mentor"));
  // The clip's first picture: the first frame captured at or after --from (ffprobe of the segments).
  double clip_first = 1e30;
  for (const auto& s : manifest->segments) {
    for (const double t : packet_times(folder / s.file, seconds_of(s.first))) {
      if (t >= first_picture + from_s - 1e-6) clip_first = std::min(clip_first, t);
    }
  }
  const auto probe_path = dir / "clip.json";
  ASSERT_EQ(std::system(("ffprobe -v error -show_entries stream=codec_type,codec_name,duration -of json " +
                         clip.string() + " > " + probe_path.string())
                            .c_str()),
            0);
  const auto probe = json::parse(read_text(probe_path), nullptr, false);
  double video_s = 0, audio_s = 0;
  for (const auto& st : probe["streams"]) {
    const double d = std::stod(st.value("duration", "0"));
    if (st.value("codec_type", "") == "video") video_s = d;
    if (st.value("codec_type", "") == "audio") {
      audio_s = d;
      EXPECT_EQ(st.value("codec_name", ""), "aac");
    }
  }
  ASSERT_GT(audio_s, 0) << "no sound track in the clip";
  std::printf("clip: video %.3f s, audio %.3f s\n", video_s, audio_s);
  EXPECT_NEAR(audio_s, video_s, 0.05) << "the sound track as long as the picture";
  const auto sound = ffmpeg_sound(clip);
  for (const auto who : {AudioMarker::kOr, AudioMarker::kMentor}) {
    const auto& spoken = who == AudioMarker::kOr ? or_spoken : mentor_spoken;
    const auto found = markers_in(sound, clip_first, who);
    const auto e = errors(spoken, found);
    std::printf("clip %s: %zu markers, worst %.1f ms, mean %+.1f ms off their capture times\n",
                who == AudioMarker::kOr ? "OR" : "mentor", found.size(), worst(e) * 1e3, mean(e) * 1e3);
    EXPECT_GE(found.size(), who == AudioMarker::kOr ? 4u : 3u);
    EXPECT_LE(worst(e), kOpusFrameS) << "sound and picture out of step";
  }
}

}  // namespace
}  // namespace surgilink::testing
