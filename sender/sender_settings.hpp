#pragma once
// Everything surgilink-sender needs to run, from configs/sender.toml and the command line.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "patient_monitor_feed.hpp"
#include "surgilink/media/audio_endpoint.hpp"
#include "surgilink/media/sender_pipeline.hpp"
#include "surgilink/session/sender_session.hpp"

namespace surgilink::sender {

// Settings of the OR sender program.
// The surgeon's controls (DESIGN.md §5, §7): keys on the sender's terminal, where a foot pedal that types a
// key also works, and a local socket for a hardware button's helper program.
struct SurgeonControlSettings {
  bool keys = true;  // read keys when the sender runs in a terminal
  char hide_key = 'h';
  char clear_key = 'c';
  char revoke_key = 'r';
  char grant_key = 'g';
  char consent_key = 'k';         // consent to record this case is recorded: recording starts
  char stop_recording_key = 's';  // recording stops (consent stays; "record" on the socket resumes)
  char mute_key = 'm';            // the OR's microphone: muted / open
  // The privacy pause: video and voice to every console stop at once; resuming takes this key twice
  // within OrTouchPanel::kConfirmWithin (a deliberate act, DESIGN.md §8).
  char pause_key = 'p';
  char status_strip_key = 'i';                  // in the OR window: hides / shows its status strip
  std::optional<std::filesystem::path> socket;  // a UNIX stream socket taking one command per line
};

// Where and how the case is recorded (DESIGN.md §6). Recording starts only once consent is recorded.
struct RecordingSettings {
  std::optional<std::filesystem::path> folder;  // recordings go into sub-folders here; none: never record
  std::chrono::seconds segment_length{60};
  // Free space kept on the recordings' disk: below min_free no recording starts and one running stops; below
  // warn_free the OR is warned (README: Recordings).
  std::uint64_t min_free_mb = 1024;
  std::uint64_t warn_free_mb = 5120;
  // Recordings hold the operative field: no recording starts in a folder whose volume is not encrypted
  // (dm-crypt/LUKS, eCryptfs; recording_volume.hpp). Only a demo or a test on a developer's disk sets false.
  bool require_encrypted_volume = true;
  // Consent to record this case was given before the sender started (--consent: the demo): recording starts
  // with the stream, audited as given on the command line.
  bool consent_at_start = false;
  // The voice is recorded with the case (README: Recordings): the OR microphone as sent (nothing while muted)
  // and each mentor's as received, Opus as it travelled, in files of their own.
  bool voice = true;
};

// What the OR display warns about beyond the vitals alarms (DESIGN.md §8).
struct OrDisplaySettings {
  // A mentor's glass-to-glass p95 above this is an alarm on the OR display too; 0: never.
  std::chrono::milliseconds mentor_latency_red{300};
  // The OR window on the surgeon's monitor (issue 13); none: on when this machine has a display.
  std::optional<bool> window;
  // The GStreamer video sink that draws it: ximagesink (scaled on the CPU; measured cheapest on a machine
  // without a GPU: +10 % of a core at 1080p30, glimagesink on Mesa's llvmpipe +82 % and half the frames),
  // glimagesink (scales on the GPU: for a machine with one) or xvimagesink (the X server's video overlay).
  std::string video_sink = "ximagesink";
  bool full_screen = true;  // F11 toggles
  int screen = 0;           // which monitor (X screen's monitors in xrandr's order)
  // When the last mentor leaves or the link is lost, that mentor's annotations fade out over this long
  // (DESIGN.md §8: annotations expire) unless the OR keeps them with one touch; 0: at once.
  std::chrono::milliseconds stale_annotations{5000};
};

// The OR's voice ([audio], DESIGN.md §13): the room's microphone to every console; every mentor, mixed, to
// the room's speaker.
struct OrVoiceSettings {
  media::AudioEndpoint input{media::AudioEndpoint::Kind::kDefault, {}};
  media::AudioEndpoint output{media::AudioEndpoint::Kind::kDefault, {}};
  bool start_muted = false;
  bool echo_cancel = true;  // with an output: the room's speaker is heard by its microphone
  std::chrono::milliseconds jitter_latency{10};
  bool find_markers = false;  // bench: the audio timestamp code in what is spoken and heard
};

// Congestion control ([network] adapt_rate, min_kbps): the encoder follows the narrowest mentor link.
struct RateAdaptationSettings {
  bool adapt = true;
  std::uint64_t min_kbps = 300;  // never below: under this the picture is no use for guidance
  bool fec = true;               // parity packets when the consoles' links lose packets
};

struct SenderSettings {
  std::string log_level = "info";
  // The OR display's words: "ja", "en", or "system" (the system locale; English where there is no catalogue).
  std::string language = "system";
  media::SenderPipelineSettings pipeline;
  session::SenderSessionSettings session;
  VitalsFeedSettings vitals;
  SurgeonControlSettings surgeon_controls;
  RecordingSettings recording;
  OrDisplaySettings or_display;
  OrVoiceSettings voice;
  RateAdaptationSettings rate;
  std::optional<double> seconds;                // run this long, then stop (default: until Ctrl-C)
  bool status_json = false;                     // status lines as JSON
  std::optional<std::filesystem::path> report;  // write a JSON summary here at exit
  std::optional<std::filesystem::path> ready;   // write {"control_port","media_port"} here once listening
  // Save the OR display's last picture (what the surgeon's monitor showed, annotations and badges included)
  // as PNG here when stopping: a record for the demo and for tests, which cannot see the OR display.
  std::optional<std::filesystem::path> or_screenshot;
};

// Command-line overrides, applied after the file.
struct SenderOverrides {
  std::optional<std::string> source, profile, srtp_profile, bind_address, vitals;
  std::optional<int> control_port, media_port;
  std::optional<bool> pixel_code;
  std::optional<bool> retransmit;                  // --retransmit true|false
  std::optional<bool> adapt_rate;                  // --adapt-rate true|false
  std::optional<bool> fec;                         // --fec true|false
  std::optional<bool> intra_refresh;               // --intra-refresh true|false
  std::optional<bool> or_window;                   // --or-window / --no-or-window
  std::optional<std::string> audio_in, audio_out;  // --audio-in / --audio-out
  std::optional<std::string> language;             // --language, over [ui] language
  bool audio_markers = false;                      // --audio-markers (bench)
  std::optional<std::filesystem::path> export_srtp_keys;
  std::optional<bool> require_encrypted_volume;  // --require-encrypted-volume true|false
  bool consent = false;                          // --consent
};

// Loads and validates the file; throws core::ConfigError (file, line, key) or std::invalid_argument.
SenderSettings load_sender_settings(const std::filesystem::path& file, const SenderOverrides& overrides);

}  // namespace surgilink::sender
