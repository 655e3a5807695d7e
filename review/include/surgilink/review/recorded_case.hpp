#pragma once
// A recorded case read back for review (DESIGN.md §6, issue 16): the recording's manifest, its event log and
// its video segments, and what was the state at any capture time T — the annotation scene as the OR had it
// (the sequenced operations replayed) and where the OR display had placed it, the vitals and waveforms the
// mentor saw, each mentor's reported glass-to-glass latency, the link — and the picture at T decoded from the
// segments. The recording itself is never modified.

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "surgilink/annotation/operation.hpp"
#include "surgilink/annotation/placed_frame.hpp"
#include "surgilink/annotation/scene.hpp"
#include "surgilink/annotation/scene_replica.hpp"
#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/recorded_segment.hpp"
#include "surgilink/media/recording_manifest.hpp"
#include "surgilink/vitals/vitals_json.hpp"
#include "surgilink/vitals/vitals_packet.hpp"

namespace surgilink::review {

// Someone connected to the sender, as the roster events name them. Plain value type.
struct Participant {
  std::string name;    // the certificate's display name ("Dr. Dev Mentor")
  std::string role;    // "mentor", "observer"
  std::string author;  // the session's short name ("c1")
  bool operator==(const Participant&) const = default;
};

// One console's glass-to-glass latency over its last 10 s, as it reported it to the sender. Plain value type.
struct LatencyReport {
  core::CaptureTime at{};
  std::string console;  // display name
  std::string author;
  double g2g_p50_ms = 0;
  double g2g_p95_ms = 0;
  double clock_uncertainty_ms = 0;
};

// The mentors' link as the sender saw it. kNoMentor: no mentor connected (none yet, or the last one said
// goodbye); kConnected: a mentor is connected; kLost: no mentor is connected and the last one's link was
// lost (closed, reset or silent), until a mentor joins again.
enum class LinkState : std::uint8_t { kNoMentor, kConnected, kLost };
const char* describe(LinkState state);  // "no mentor", "connected", "lost"

// A session event of the log (joins, leaves, pen, the surgeon's controls, consent, recording start/stop,
// vitals flags): its time, its name and its fields as JSON text. Plain value type.
struct SessionEvent {
  core::CaptureTime at{};
  std::string event;   // "join", "leave", "annotations_hidden", ...
  std::string detail;  // the whole JSON object
};

// One vitals payload the sender streamed, decoded. Plain value type.
struct VitalsRecord {
  core::CaptureTime at{};  // when the sender streamed it
  vitals::VitalsPacket packet;
};

// One sequenced annotation operation as the consoles received it. Plain value type.
struct AnnotationRecord {
  core::CaptureTime at{};
  annotation::SequencedOperation op;
  std::string console;  // the author's display name ("OR" for the surgeon's side)
};

// The state of the case at one capture time. Plain value type; any thread.
struct CaseMoment {
  core::CaptureTime capture{};
  // The annotation scene the OR had at that time (expired annotations removed); never null.
  std::shared_ptr<const annotation::Scene> scene;
  bool annotations_hidden = false;          // the surgeon had hidden them on the OR display
  vitals::LatestNumerics vitals{};          // latest sample of each numeric captured at or before `capture`
  std::vector<vitals::ActiveAlarm> alarms;  // the sender's alarm state as last streamed
  std::vector<Participant> roster;          // who was connected
  // Each connected mentor's latest latency report (none before its first report).
  std::vector<LatencyReport> mentor_latency;
  LinkState link = LinkState::kNoMentor;
  // Each recorded waveform's samples captured in the kWaveformWindow ending at `capture`, as the vitals panel
  // draws them (oldest first, one chunk per waveform, in Waveform order); none when the recording holds no
  // waveform (RecordedCase::waveforms_recorded()) or none of that window.
  std::vector<vitals::WaveformChunk> waveforms;
  // Where the OR display had placed each annotation of `scene` (motion anchoring, fading) on the last frame
  // it recorded a placement for at or before `capture`, by id, in pixels of a frame of `placement_frame`;
  // an annotation without one is drawn where it was drawn (a recording made before placements were
  // recorded, or its first frame, before anchoring placed it).
  annotation::Placements placements;
  cv::Size placement_frame;
  // Capture time of the frame each placement was recorded on, by id.
  std::unordered_map<std::string, core::CaptureTime> placed_on;
  // The placements for a picture of `size` (the recording's stream may be smaller than the OR display).
  annotation::Placements placements_for(cv::Size2d size) const;
};

// One talker's recorded voice, from the manifest. Plain value type.
struct RecordedTalker {
  std::string talker;  // "or", or a mentor's display name
  std::vector<std::string> files;
  std::uint64_t packets = 0;
  core::CaptureTime first{}, last{};   // first and last packet
  std::chrono::nanoseconds voiced{0};  // sent or received packets × their frame (not the silence between)
};

// Read once by open(); then const and safe to use from any thread.
class RecordedCase {
 public:
  // Reads `folder`: its manifest (recording.json), or, when that is missing or unreadable, the segments found
  // in the folder (each says when it was captured); its event log, whole. Fails (nullptr with `why`) only
  // when there is neither a manifest nor a segment; what is missing or damaged but leaves the rest readable
  // is in problems(). Checks sizes, not SHA-256 (media::verify_recording does that). Blocking; any thread.
  static std::unique_ptr<RecordedCase> open(const std::filesystem::path& folder, std::string* why);

  const std::filesystem::path& folder() const { return folder_; }
  // The manifest as read, or one rebuilt from the segments found (with `state` kRecording).
  const media::RecordingManifest& manifest() const { return manifest_; }
  // One sentence per thing missing or damaged ("events.sqlite is missing: no annotations, vitals or
  // latency"); empty when all is there.
  const std::vector<std::string>& problems() const { return problems_; }

  // Capture times of the first and last picture.
  core::CaptureTime first_picture() const;
  core::CaptureTime last_picture() const;

  // Each talker's recorded voice, in the order they first spoke.
  std::vector<RecordedTalker> talkers() const;
  // Who was speaking at `t`: the talkers whose recorded voice in the 200 ms around `t` is louder than a quiet
  // room (-40 dBFS). Decodes their files: blocking, any thread.
  std::vector<std::string> speaking_at(core::CaptureTime t) const;

  // The state at `t`. Any time: before the first event it is the state at the start. Its cost does not grow
  // with the recording's length: the scene is replayed from the nearest checkpoint before `t` (one every
  // kOperationsPerCheckpoint operations, made by open()), the rest is looked up by time.
  CaseMoment at(core::CaptureTime t) const;
  static constexpr std::size_t kOperationsPerCheckpoint = 64;
  // How much of each waveform a moment holds: what the console's vitals panel shows.
  static constexpr std::chrono::seconds kWaveformWindow{6};

  // The OR display's placements in force at `t` for the annotations of `scene` (see CaseMoment::placements),
  // for a picture of `size`. Cost: a search by time per annotation.
  annotation::Placements placements_at(core::CaptureTime t, const annotation::Scene& scene,
                                       cv::Size2d size) const;
  // Whether the recording holds the OR display's placements (recordings made before they were kept do not).
  bool placements_recorded() const { return !placements_.empty(); }

  // Whether the sender streamed (and so recorded) any waveform sample: false for a source without
  // waveforms (HL7, a file replay) and for recordings made before waveforms were read back.
  bool waveforms_recorded() const;
  // Each waveform's samples captured in (t - span, t], oldest first, one chunk per waveform that has any (a
  // chunk the sender sent twice counts once). A gap in what was streamed is closed up. Cost: a search by time
  // and the samples copied.
  std::vector<vitals::WaveformChunk> waveforms_at(core::CaptureTime t, std::chrono::nanoseconds span) const;

  // The picture on the screen at `t` (the last frame captured at or before it), decoded from its segment.
  // Nullopt with `why` when its segment is missing or cannot be decoded. Blocking; any thread.
  std::optional<media::RecordedPicture> picture_at(core::CaptureTime t, std::string* why) const;

  const std::vector<AnnotationRecord>& annotations() const { return annotations_; }
  const std::vector<VitalsRecord>& vitals() const { return vitals_; }
  const std::vector<SessionEvent>& session_events() const { return session_events_; }
  const std::vector<LatencyReport>& latency_reports() const { return latency_; }
  // Every roster the log holds, with its time (the first is who was there when the recording started).
  const std::vector<std::pair<core::CaptureTime, std::vector<Participant>>>& rosters() const {
    return rosters_;
  }
  // The scene when the recording started (the sender's snapshot; empty at version 0 without one).
  const annotation::Scene& scene_at_start() const { return initial_scene_; }

 private:
  friend class SceneCursor;
  // The scene cursor's state after it was asked for time `at`: a cursor for any later time starts here.
  struct SceneCheckpoint {
    core::CaptureTime at{};
    std::shared_ptr<const annotation::Scene> scene;
    std::size_t next_operation = 0;
    std::size_t next_event = 0;
    bool sound = true;
    bool hidden = false;
  };
  // One numeric sample with the time its payload was streamed. Plain value type.
  struct StreamedSample {
    core::CaptureTime streamed{};
    vitals::NumericSample sample;
  };

  RecordedCase() = default;
  void read_event_log();
  void check_files();
  void index_for_time();

  std::filesystem::path folder_;
  media::RecordingManifest manifest_;
  std::vector<std::string> problems_;
  // The scene the recording started with (a snapshot, or empty at version 0) and the operations after it.
  annotation::Scene initial_scene_;
  std::vector<AnnotationRecord> annotations_;
  std::vector<VitalsRecord> vitals_;
  std::vector<SessionEvent> session_events_;
  std::vector<LatencyReport> latency_;
  std::vector<std::pair<core::CaptureTime, std::vector<Participant>>> rosters_;
  // Indexes by time, made by open().
  std::vector<SceneCheckpoint> scene_checkpoints_;
  // Per vitals parameter, every sample in capture order (a later payload's after an earlier one's).
  std::array<std::vector<StreamedSample>, static_cast<std::size_t>(vitals::Parameter::kCount)> samples_;
  // One placement of one annotation as the OR display recorded it. Plain value type.
  struct RecordedPlacement {
    core::CaptureTime at{};
    cv::Size frame;
    annotation::Placement placement;
  };
  // Per annotation id, its placements in capture order.
  std::unordered_map<std::string, std::vector<RecordedPlacement>> placements_;
  // Fills `into`'s placements, placement_frame and placed_on for the annotations of `scene` at `t`.
  void place(core::CaptureTime t, const annotation::Scene& scene, CaseMoment& into) const;
  // Per waveform, every chunk streamed, by the capture time of its first sample (repeats removed).
  std::array<std::vector<vitals::WaveformChunk>, static_cast<std::size_t>(vitals::Waveform::kCount)> chunks_;
  // The alarm state of each payload that carried one, in streaming order.
  std::vector<std::pair<core::CaptureTime, std::vector<vitals::ActiveAlarm>>> alarm_states_;
};

// The annotation scene as the OR had it, replayed forward in time: each call costs only the operations since
// the last. One thread at a time; `recorded` must outlive it.
class SceneCursor {
 public:
  explicit SceneCursor(const RecordedCase& recorded);
  // A cursor for `from` or any later time, started at the recording's last checkpoint at or before `from`
  // (the scene as a cursor asked for that checkpoint's time had it), so that it replays only what came after.
  SceneCursor(const RecordedCase& recorded, core::CaptureTime from);
  // The scene at `t` (expired annotations removed). Times must not go back: a cursor only moves forward.
  std::shared_ptr<const annotation::Scene> at(core::CaptureTime t);
  // Whether the surgeon had the annotations hidden at the last time asked.
  bool hidden() const { return hidden_; }

 private:
  friend class RecordedCase;  // its checkpoints are cursors' states

  const RecordedCase& recorded_;
  annotation::SceneReplica replica_{"review"};
  std::size_t next_operation_ = 0;
  std::size_t next_event_ = 0;
  bool sound_ = true;  // false after an operation that did not fit: the scene stays as far as it was sound
  bool hidden_ = false;
};

}  // namespace surgilink::review
