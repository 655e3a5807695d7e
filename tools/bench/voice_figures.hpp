#pragma once
// surgilink-bench --audio: the voice's figures (issue 14). Both programs play a WAV of audio timestamp codes
// (chirps, media/audio_marker.hpp) as their microphone and write what they hear to a WAV; each finds the
// chirps in what it speaks and hears and reports their times; here they are paired into mouth-to-ear latency
// per direction and set against the picture's latency (lip sync).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace surgilink::bench {

// The command-line arguments of each program for this run's voice: with `audio`, marker WAVs written into
// `dir` in and heard WAVs out; without, no sound at all (the video figures stay comparable with earlier
// runs whatever sound devices the machine has).
struct VoiceArguments {
  std::vector<std::string> sender, console;
};
// `speech`: the marker tracks carry spoken sentences too (espeak-ng, English and Japanese; the demo), so the
// heard WAVs are worth listening to.
VoiceArguments voice_arguments(const std::filesystem::path& dir, bool audio, bool speech = false);

// audio_m2e_ms per direction, av_sync_ms (OR voice vs OR picture as the mentor hears and sees them), markers
// spoken/heard/missed, concealment; from both reports and the console's glass-to-glass summary.
// Markers heard before `from_s` (seconds since the epoch, the capture clock) are left out, like the video's
// warm-up; none: the first 2 s after the first marker heard each way (joining, the first keyframe).
nlohmann::json voice_figures(const nlohmann::json& sender_report, const nlohmann::json& console_report,
                             std::optional<double> from_s = std::nullopt);

}  // namespace surgilink::bench
