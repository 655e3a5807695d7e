#pragma once
// Badges the surgeon sees on the OR display: vital-sign alarms, "mentor disconnected" (DESIGN.md §8), and
// the state of the surgeon's own controls (annotations hidden, pen taken back), and REC while recording.
// Drawn only on the OR display, never on the stream to the mentor.

#include <memory>
#include <mutex>
#include <string>

#include "or_words.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::sender {

// set_*: network thread; has_content/draw: the OR display's streaming thread.
class OrDisplayBadges : public media::OrDisplayOverlay {
 public:
  // The badges' words in the OR team's language, looked up here once.
  explicit OrDisplayBadges(const OrWords& words = {});

  // Empty: no alarm. E.g. "spo2 low, hr high".
  void set_alarms(std::string text);
  void set_mentor_disconnected(bool disconnected);
  // What the surgeon's controls did: shown so nobody wonders why the mentor's drawing is not there.
  void set_surgeon_controls(bool annotations_hidden, bool pen_revoked);
  // Vitals a mentor flagged for the surgeon's attention, e.g. "ABP, SpO2"; empty: none.
  void set_flagged_vitals(std::string text);
  // A mentor sees the picture late (DESIGN.md §8: latency red is visible on both sides), e.g. "MENTOR VIDEO
  // DELAYED 450 ms" (or_word::kMentorVideoDelayed, translated); empty: no such alarm.
  void set_mentor_latency(std::string text);
  // The case is being recorded: everyone in the OR should know (DESIGN.md §6).
  void set_recording(bool recording);
  // The recording's disk is nearly full, or recording stopped because it was, e.g. "REC: DISK LOW, 812 MB
  // FREE (~9 MIN)" (translated: CaseRecording::warning(words)); empty: no warning. Amber.
  void set_recording_warning(std::string text);
  // The audit log cannot be written: the session's evidence is being lost (issue 12). Red.
  void set_audit_failure(bool failing);
  // This sender writes its media keys to files (interop testing): anyone with them can watch. Red.
  void set_keys_exported(bool exported);
  // The pen holder's link was lost and the pen waits for that mentor (name); empty: no wait.
  void set_pen_waits_for(std::string name);
  // Voice: a mentor is heard in the room now; the OR's microphone is muted (the mentors do not hear the
  // room).
  void set_voice(bool mentor_speaking, bool or_microphone_muted);

  // The OR's privacy pause: the consoles get no video or voice; the OR sees that first, in amber.
  void set_privacy_paused(bool paused);

  bool has_content() const override;
  void draw(media::I420Picture picture, core::CaptureTime capture_time) override;

 private:
  // Each badge's text in the chosen language (patterns with %1).
  struct Words {
    std::string privacy_pause, alarm, audit_log, media_keys, mentor_check, mentor_disconnected, pen_waits,
        mentor_speaking, or_mic_muted, annotations_hidden, mentor_pen_off, rec;
  };
  const Words words_;
  const bool translated_;  // then names and numbers are lettered like the translated words beside them

  mutable std::mutex mutex_;
  std::string alarms_;
  bool mentor_disconnected_ = false;
  bool annotations_hidden_ = false;
  bool pen_revoked_ = false;
  std::string flagged_;
  bool recording_ = false;
  std::string recording_warning_;
  std::string mentor_latency_;
  bool audit_failure_ = false;
  bool keys_exported_ = false;
  std::string pen_waits_for_;
  bool mentor_speaking_ = false;
  bool or_muted_ = false;
  bool privacy_paused_ = false;
};

}  // namespace surgilink::sender
