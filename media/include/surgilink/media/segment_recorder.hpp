#pragma once
// The sender's recording of what it streams (DESIGN.md §6): the encoded H.264 itself (no second encode),
// in Matroska segments of about a minute that each start at a keyframe, and the recording's manifest
// (recording.json: the segments on the capture clock, the recording's other files, a SHA-256 of each closed
// file). A segment is closed (written out in full) before the next one opens, so a sender that is killed
// leaves every closed segment playable; recover_recording() finishes what such a sender left.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::media {

// Free space the recorder keeps on the recording's file system. Plain value type.
struct DiskFloors {
  // Below this a recording does not start, and one that is running stops (its segment closed), so the disk
  // never fills. 0: no floor.
  std::uint64_t refuse_below_bytes = 0;
  // Below this RecorderStatus::disk_low is set, for the OR to be warned. 0: no warning.
  std::uint64_t warn_below_bytes = 0;
};

// Who and what a recording is of, for its manifest. Plain value type.
struct RecordingIdentity {
  std::string case_pseudonym;
  std::string site;
};

// What the recorder has done (any thread).
struct RecorderStatus {
  bool recording = false;
  std::filesystem::path folder;       // of the recording open now, or the last one
  std::uint64_t segments_closed = 0;  // of that recording
  std::uint64_t frames_written = 0;
  std::uint64_t frames_skipped = 0;         // before the first keyframe of a recording (not decodable alone)
  std::uint64_t bytes_written = 0;          // of video, in that recording
  std::uint64_t voice_packets_written = 0;  // Opus packets, every talker, in that recording
  std::uint64_t voice_packets_refused = 0;  // that a voice file's writer refused
  core::CaptureTime started{};              // capture time of that recording's first frame (epoch before it)
  core::CaptureTime last_frame{};           // and of its last frame so far
  std::string last_error;  // the muxer's or the file system's, if any; such an error ends the recording
  std::optional<std::uint64_t> free_bytes;  // on the recording's file system, at the last check
  bool disk_low = false;                    // free_bytes below DiskFloors::warn_below_bytes
};

// Any thread may call any method; encoded frames arrive on the sender pipeline's streaming thread. Closed
// segments are finished (muxer's end awaited, flushed to disk, hashed) on the recorder's own thread
// ("rec-finish"), so neither the streaming thread nor the network thread waits for the disk.
class SegmentRecorder {
 public:
  // `keyframe_needed` is called (any thread) when a recording starts, so it begins without waiting for
  // the encoder's next periodic keyframe.
  SegmentRecorder(std::chrono::seconds segment_length, std::function<void()> keyframe_needed,
                  DiskFloors floors = {});
  ~SegmentRecorder();  // stops, and finishes every closed file (hashes included)
  SegmentRecorder(const SegmentRecorder&) = delete;
  SegmentRecorder& operator=(const SegmentRecorder&) = delete;

  // Starts a recording in `folder`, which is created (mode 0700) and must not hold one already; the first
  // segment opens at the next keyframe. Refused below the free-space floor. Returns why it cannot start, or
  // nothing.
  std::optional<std::string> start(const std::filesystem::path& folder, RecordingIdentity identity = {});
  // The encoder refreshes the picture by intra refresh waves of this many frames (none: by periodic IDRs);
  // the segments opened from now on give the wave's length in the manifest. Segments still start at IDRs:
  // each asks for one when it is due.
  void set_intra_refresh(std::optional<std::uint32_t> frames_per_wave);
  // Lists another file of the recording open now (`name` inside its folder) in the manifest under `role`
  // ("event_log"); seal() it once it is closed.
  void add_file(const std::string& role, const std::string& name);
  // The file listed under `role` in the last recording is closed: it is flushed and hashed on the recorder's
  // thread, and the manifest says "complete" once the video and every listed file are sealed.
  void seal(const std::string& role);
  // One Opus packet (an RTP payload, RFC 7587) of `talker`'s voice ("or", or a mentor's display name),
  // captured at `capture`: written as it is, no second encode, into the talker's voice file of the recording
  // open now ("voice-<talker>-00001.mkv", Opus in Matroska; a new file after the segment length), at its
  // capture time relative to the file's first packet (the file's date), so that silence, loss and mute
  // leave gaps and every later packet stays at its time. Nothing while not recording.
  void record_voice(const std::string& talker, std::span<const std::uint8_t> opus, core::CaptureTime capture);
  // Closes the open segment (and the voice files) and waits (at most 2 s for the muxer) until it is finished
  // and hashed.
  void stop();
  RecorderStatus status() const;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// `text` (a case pseudonym, a talker's display name: typed by people) as part of a file or folder name:
// letters, digits, '-' and '_' kept, anything else '_', so that it never climbs out of the recordings'
// folder; `if_empty` for an empty text.
std::string safe_name_part(const std::string& text, const std::string& if_empty);

// Free bytes for an unprivileged writer on the file system holding `path`; nullopt when it cannot be read.
std::optional<std::uint64_t> free_bytes_at(const std::filesystem::path& path);

// What recover_recording() did. Plain value type.
struct Recovery {
  bool needed = false;             // the manifest said the recording was still being written
  std::vector<std::string> notes;  // what was found and done, one sentence each (also in the manifest)
  std::string error;               // why it could not be finished ("" : it was)
};

// Finishes a recording whose sender stopped without closing it (a crash, a power cut): each segment left open
// is rewritten from what can still be read of it (a segment with nothing readable is left as it was, marked),
// every file of the manifest is sealed, and the manifest is marked "recovered" with notes saying what was
// found. `settle` is called first for each listed file not sealed (role, path), to make it consistent (the
// event log's own recovery); it returns what is wrong with it, or nothing. Does nothing to a recording that
// was closed, nor to one a running sender holds. Blocking; any thread.
using SettleFile =
    std::function<std::optional<std::string>(const std::string& role, const std::filesystem::path& file)>;
Recovery recover_recording(const std::filesystem::path& folder, const SettleFile& settle = {});

}  // namespace surgilink::media
