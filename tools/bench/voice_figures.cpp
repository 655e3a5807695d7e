#include "bench/voice_figures.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "surgilink/media/audio_marker.hpp"
#include "surgilink/media/voice_capture.hpp"

namespace surgilink::bench {

using json = nlohmann::json;

namespace {

constexpr std::chrono::milliseconds kMarkerPeriod{500};

// Writes 48 kHz mono 16-bit WAV (via sox, which the set-up installs) from float samples.
void write_wav(const std::filesystem::path& wav, const std::vector<float>& samples) {
  const auto raw = wav.string() + ".f32";
  {
    std::ofstream out(raw, std::ios::binary);
    out.write(reinterpret_cast<const char*>(samples.data()),
              static_cast<std::streamsize>(samples.size() * sizeof(float)));
  }
  const std::string cmd =
      "sox -q -t raw -r 48000 -e floating-point -b 32 -c 1 '" + raw + "' -b 16 '" + wav.string() + "'";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot write " + wav.string() + " with sox");
  std::filesystem::remove(raw);
}

std::vector<double> times(const json& array) {
  std::vector<double> out;
  if (!array.is_array()) return out;
  for (const auto& t : array) out.push_back(t.get<double>());
  std::sort(out.begin(), out.end());
  return out;
}

// Each heard marker against the newest spoken before it (markers are 500 ms apart; anything later than that
// is not paired). Milliseconds.
std::vector<double> mouth_to_ear(const std::vector<double>& spoken, const std::vector<double>& heard,
                                 std::size_t* unpaired) {
  std::vector<double> out;
  for (const double h : heard) {
    auto s = std::upper_bound(spoken.begin(), spoken.end(), h);
    if (s == spoken.begin()) {
      ++*unpaired;
      continue;
    }
    const double ms = (h - *std::prev(s)) * 1000;
    if (ms >= static_cast<double>(kMarkerPeriod.count())) {
      ++*unpaired;
      continue;
    }
    out.push_back(ms);
  }
  return out;
}

json percentiles(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  const auto at = [&v](double q) {
    return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
  };
  return {{"p50", at(0.5)}, {"p95", at(0.95)}, {"max", v.back()}, {"count", v.size()}};
}

}  // namespace

namespace {

// Adds espeak-ng's reading of `text` (voice `language`) to `track` from `at_s` on; false when espeak-ng
// cannot (the track keeps its markers).
bool add_speech(std::vector<float>& track, const std::filesystem::path& dir, const std::string& language,
                const std::string& text, double at_s) {
  const auto wav = dir / ("speech-" + language + ".wav");
  const std::string cmd =
      "espeak-ng -v " + language + " -w '" + wav.string() + "' '" + text + "' 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) return false;
  try {
    const auto speech = media::read_sound_file(wav.string());
    const auto start = static_cast<std::size_t>(at_s * media::kVoiceSampleRate);
    for (std::size_t i = 0; i < speech.size() && start + i < track.size(); ++i)
      track[start + i] += 0.6f * speech[i];
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

}  // namespace

VoiceArguments voice_arguments(const std::filesystem::path& dir, bool audio, bool speech) {
  if (!audio)
    return {{"--audio-in", "none", "--audio-out", "none"}, {"--audio-in", "none", "--audio-out", "none"}};
  // The mentor's chirps fall halfway between the OR's: neither side's echo canceller ever hears both at once.
  auto or_track = media::audio_marker_track(speech ? 12.0 : 10.0, kMarkerPeriod);
  auto mentor_track =
      media::audio_marker_track(speech ? 12.0 : 10.0, kMarkerPeriod, media::AudioMarker::kMentor);
  std::rotate(mentor_track.begin(),
              mentor_track.end() -
                  static_cast<std::ptrdiff_t>(media::kVoiceSampleRate * kMarkerPeriod.count() / 2000),
              mentor_track.end());
  if (speech) {
    add_speech(or_track, dir, "en", "Clip applied. Can you see the cystic artery?", 1.0);
    add_speech(mentor_track, dir, "en", "Stop. That is the common bile duct.", 3.0);
    add_speech(mentor_track, dir, "ja", "そこは総胆管です。", 6.0);
  }
  write_wav(dir / "or_mic.wav", or_track);
  write_wav(dir / "mentor_mic.wav", mentor_track);
  return {{"--audio-in", "file:" + (dir / "or_mic.wav").string(), "--audio-out",
           "file:" + (dir / "or_heard.wav").string(), "--audio-markers"},
          {"--audio-in", "file:" + (dir / "mentor_mic.wav").string(), "--audio-out",
           "file:" + (dir / "mentor_heard.wav").string(), "--audio-markers"}};
}

namespace {
// Drops what was heard before the measured part.
std::vector<double> after(std::vector<double> heard, std::optional<double> from_s) {
  if (heard.empty()) return heard;
  const double from = from_s.value_or(heard.front() + 2.0);
  heard.erase(heard.begin(), std::lower_bound(heard.begin(), heard.end(), from));
  return heard;
}
}  // namespace

json voice_figures(const json& s, const json& c, std::optional<double> from_s) {
  const json& sv = s.value("voice", json::object());
  const json& cv = c.value("voice", json::object());
  std::size_t unpaired_to_mentor = 0, unpaired_to_or = 0;
  const auto or_spoken = times(sv.value("markers_spoken", json())),
             or_heard = after(times(sv.value("markers_heard", json())), from_s);
  const auto mentor_spoken = times(cv.value("markers_spoken", json())),
             mentor_heard = after(times(cv.value("markers_heard", json())), from_s);
  const auto to_mentor = mouth_to_ear(or_spoken, mentor_heard, &unpaired_to_mentor);
  const auto to_or = mouth_to_ear(mentor_spoken, or_heard, &unpaired_to_or);
  // Lip sync: each OR chirp as the mentor heard it against the picture as the mentor saw it (the run's
  // glass-to-glass p50: the picture's latency is steady on a link like this); positive: the voice is later.
  std::vector<double> av_sync;
  const json& g2g = c.value("g2g_ms", json());
  if (!g2g.is_null()) {
    for (const double m2e : to_mentor) av_sync.push_back(m2e - g2g["p50"].get<double>());
  }
  return {
      {"audio_m2e_ms", {{"or_to_mentor", percentiles(to_mentor)}, {"mentor_to_or", percentiles(to_or)}}},
      {"av_sync_ms", percentiles(av_sync)},
      {"markers",
       {{"or_spoken", or_spoken.size()},
        {"mentor_heard", mentor_heard.size()},
        {"mentor_spoken", mentor_spoken.size()},
        {"or_heard", or_heard.size()},
        {"unpaired_to_mentor", unpaired_to_mentor},
        {"unpaired_to_or", unpaired_to_or}}},
      {"or_voice_arrival_ms", cv.value("or_voice_arrival_ms", json())},
      {"playout", cv.value("playout", json())},
      {"playout_delay_ms", cv.value("playout_delay_ms", json())},
      {"concealed", {{"at_mentor", cv.value("concealed", json())}, {"at_or", sv.value("concealed", json())}}},
      {"device_buffers",
       "excluded: times are when a block is handed to the sound sink (file: outputs here)"}};
}

}  // namespace surgilink::bench
