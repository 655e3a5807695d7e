#pragma once
// The OR's recording of the case (DESIGN.md §6): nothing is recorded until consent is recorded at the OR;
// then the stream goes into a new folder per recording (<case pseudonym>-<UTC start>) with an event log of
// what happened (annotations, vitals, roster, session events), and every consent and start/stop is audited
// and shown on the consoles and the OR display. It records only onto an encrypted volume (unless configured
// otherwise), keeps the disk from filling, warns the OR when it runs
// low, and on start finishes a recording a crash left open.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

#include "or_words.hpp"
#include "sender_settings.hpp"
#include "surgilink/annotation/placed_frame.hpp"
#include "surgilink/media/segment_recorder.hpp"
#include "surgilink/media/sender_pipeline.hpp"
#include "surgilink/session/case_event_log.hpp"
#include "surgilink/session/sender_session.hpp"

namespace surgilink::sender {

// The recorder's free-space floors from the settings.
media::DiskFloors disk_floors(const RecordingSettings& settings);

// Network thread only. `recorder` is null when no recording folder is configured: every command then says
// that recording is switched off here.
class CaseRecording {
 public:
  // Recovers (media::recover_recording) every recording in the folder that a sender left open, and logs
  // what it found and did.
  CaseRecording(RecordingSettings settings, std::string case_pseudonym, std::string site,
                std::shared_ptr<media::SegmentRecorder> recorder, session::SenderSession& session);

  // The OR's commands; each returns the reply for the surgeon's controls ("ok: …" or "error: …").
  // Records consent for this case and starts recording.
  std::string record_consent(const std::string& by);
  // Starts recording again after stop(); refused without consent.
  std::string start(const std::string& by);
  std::string stop(const std::string& by);
  // Stops, and nothing is recorded again until consent is recorded again.
  std::string withdraw_consent(const std::string& by);
  // Closes the open segment when the sender stops (consent and state stay as they were).
  void close();
  // Once a second: commits the event log, and announces as stopped a recording the recorder ended by
  // itself (a disk error).
  void check();

  // The voice into the recording while one runs ([recording] voice): the OR microphone's packets as sent
  // (a muted microphone sends none), and a mentor's as received (one authenticated Opus RTP packet, whole and
  // plain), each at the capture time it carries.
  void record_or_voice(const media::EncodedPackets& packets);
  void record_mentor_voice(const std::string& talker, std::span<const std::uint8_t> packet);

  // The OR display's placements of one composited frame (handed over from its frame thread), into the event
  // log while a recording runs (kind "placements", at the frame's capture time).
  void record_placements(const annotation::PlacedFrame& placed);
  // Told true when a recording's event log opens and false when it closes: the OR display hands placements
  // over only while they are recorded (OrAnnotationOverlay::want_placements).
  void set_placements_switch(std::function<void(bool)> wanted) { placements_wanted_ = std::move(wanted); }
  std::uint64_t placement_records() const { return placement_records_; }

  // "recording into …, 3 segments" / "not recording, consent not recorded".
  std::string state_text() const;
  // For the OR display: the disk is nearly full ("REC: DISK LOW, 812 MB FREE (~9 MIN)"), recording
  // stopped because it was, or a start was refused because the volume is not encrypted
  // ([recording] require_encrypted_volume); "" otherwise. In `words`' language (English for the status line).
  std::string warning(const OrWords& words = {}) const;
  // The status line's "recording" object (README: Status lines).
  nlohmann::json status_json() const;
  bool consent_recorded() const { return consent_; }
  bool recording() const;
  media::RecorderStatus status() const;

 private:
  void publish(const std::string& by);
  void end_event_log();
  void recover_unfinished();
  std::optional<std::string> unencrypted_volume() const;

  RecordingSettings settings_;
  std::string case_pseudonym_;
  std::string site_;
  std::shared_ptr<media::SegmentRecorder> recorder_;
  session::SenderSession& session_;
  bool consent_ = false;
  std::shared_ptr<session::CaseEventLog> event_log_;  // events.sqlite of the recording open now
  bool stopped_by_disk_ = false;                      // the last recording ended at the free-space floor
  bool refused_unencrypted_ = false;  // the last start was refused: the volume is not encrypted
  bool warned_low_ = false;           // the low-disk warning was logged (once per crossing)
  std::function<void(bool)> placements_wanted_;
  std::uint64_t placement_records_ = 0;  // placement events written, all recordings
};

}  // namespace surgilink::sender
