#pragma once
// A recording's manifest (recording.json, README: Recordings): what the recording holds — its video
// segments on the capture clock, its event log, its audio — which software wrote it, and a SHA-256 of every
// file once it is closed, so that a review can tell an intact recording from a damaged one.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::media {

// A file of the recording, once closed: its size and SHA-256 (lowercase hex). Plain value type.
struct FileSeal {
  std::uint64_t bytes = 0;
  std::string sha256;
  bool operator==(const FileSeal&) const = default;
};

// One Matroska segment of the video, or one file of a talker's voice (Opus in Matroska). Plain value type.
struct ManifestSegment {
  std::string file;                   // "segment-00001.mkv", relative to the recording's folder
  core::CaptureTime first{}, last{};  // capture times of its first and last frame (voice: Opus packet)
  std::uint64_t frames = 0;           // voice: packets
  bool closed = false;                // the muxer wrote it out in full
  std::optional<FileSeal> seal;       // once closed
  std::string repaired;               // after a crash: what recovery did to it ("" : nothing)
  std::string talker;                 // voice: whose ("or", or a mentor's display name); video: ""
  // Video recorded with intra refresh (the sender's [video] intra_refresh): a seek point may be a refresh
  // wave's first picture, whole only this long after it. None: every seek point is an IDR.
  std::optional<std::chrono::milliseconds> intra_refresh;
  // How much earlier than a moment a seek in this segment must start decoding (0 for a segment of IDRs).
  std::chrono::milliseconds seek_preroll() const {
    return intra_refresh.value_or(std::chrono::milliseconds{0});
  }
  bool operator==(const ManifestSegment&) const = default;
};

// Another file of the recording: the event log, audio. Plain value type.
struct ManifestFile {
  std::string role;              // "event_log", "audio"
  std::string file;              // relative to the recording's folder
  std::optional<FileSeal> seal;  // once closed
  bool operator==(const ManifestFile&) const = default;
};

// Where a recording is in its life: being written, closed by its sender, or finished by the recovery of a
// sender that was not stopped cleanly.
enum class RecordingState : std::uint8_t { kRecording, kComplete, kRecovered };
const char* describe(RecordingState state);

// The whole manifest. Plain value type; any thread.
struct RecordingManifest {
  static constexpr std::string_view kFormat = "surgilink-recording/3";
  static constexpr std::string_view kFileName = "recording.json";

  RecordingState state = RecordingState::kRecording;
  std::string software;        // core::software_version() of the writer
  std::string case_pseudonym;  // never a patient's name
  std::string site;
  std::string video;  // "H.264 in Matroska"
  core::CaptureTime started{};
  std::optional<core::CaptureTime> ended;
  std::vector<ManifestSegment> segments;
  // The voice (format 3): per talker, files of Opus packets as sent or received, each at its capture time.
  std::vector<ManifestSegment> voice;
  std::vector<ManifestFile> files;  // other than the video: the event log, audio
  std::vector<std::string> notes;   // what recovery found and did

  // The JSON text (README: Recordings).
  std::string to_json() const;
  // Parses a manifest; also reads format 1 (segments only). Returns what is wrong, or nothing.
  static std::optional<RecordingManifest> parse(std::string_view text, std::string* why);
  // Reads `folder`/recording.json; nullopt with `why` when it is missing or unreadable.
  static std::optional<RecordingManifest> read(const std::filesystem::path& folder, std::string* why);
  // Writes `folder`/recording.json whole (a temporary file, flushed to disk, renamed into place, mode 0600),
  // so that a reader or a crash never sees half of it. Returns why it failed, or nothing.
  std::optional<std::string> write(const std::filesystem::path& folder) const;

  const ManifestFile* file(std::string_view role) const;
};

// Size and SHA-256 of a file, or nullopt with `why`. Reads the whole file: call it off the streaming and
// network threads for large files. Any thread.
std::optional<FileSeal> seal_of(const std::filesystem::path& file, std::string* why);

// What is wrong with the recording in `folder` against its manifest, one sentence each; empty: intact (every
// listed file present, closed and matching its seal, the recording finished). Reads every file whole:
// blocking, any thread, never on the streaming or network thread.
std::vector<std::string> verify_recording(const std::filesystem::path& folder);

// Flushes a file's content to the disk (fsync); false when it cannot be opened or synced. Any thread.
bool flush_to_disk(const std::filesystem::path& file);

}  // namespace surgilink::media
