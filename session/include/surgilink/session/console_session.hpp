#pragma once
// A console's session with one sender: wires the control client (ControlClient: hello, welcome or refusal,
// reconnection), the realtime channel (RealtimeReceiver → VideoReceiver, vitals), the frames' latency
// (FrameLatencyTracker), vitals lip sync (VitalsLipSync), telestration (AnnotationClient) and clock sync.
// Runs on the process's one io_context thread.

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "surgilink/annotation/operation.hpp"
#include "surgilink/annotation/scene.hpp"
#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"
#include "surgilink/core/latency_statistics.hpp"
#include "surgilink/media/audio_endpoint.hpp"
#include "surgilink/media/receiver_pipeline.hpp"
#include "surgilink/session/access_list.hpp"
#include "surgilink/session/annotation_client.hpp"
#include "surgilink/session/frame_latency_tracker.hpp"
#include "surgilink/session/tls_identity.hpp"
#include "surgilink/vitals/vitals_receiver.hpp"
#include "surgilink/vitals/vitals_row.hpp"

namespace surgilink::session {

// The console's voice ([audio] in configs/console.toml; DESIGN.md §13).
struct ConsoleVoiceSettings {
  media::AudioEndpoint input{media::AudioEndpoint::Kind::kDefault, {}};   // a mentor's microphone
  media::AudioEndpoint output{media::AudioEndpoint::Kind::kDefault, {}};  // the OR and the other mentors
  // Lip sync: the OR's voice is held until the picture captured with it is shown (like vitals); false: played
  // at once (lowest latency).
  bool lip_sync = true;
  bool start_muted = false;
  std::chrono::milliseconds jitter_latency{10};
  bool echo_cancel = true;    // only with an output (the canceller must hear what the speaker plays)
  bool find_markers = false;  // bench: the audio timestamp code in what is spoken and heard
};

// Settings of a console's connection (from configs/console.toml).
struct ConsoleSessionSettings {
  std::string sender_host = "127.0.0.1";
  std::string site_name;  // the OR site as people call it, for messages ("St. Mary's OR 2"); may be empty
  std::uint16_t control_port = 7400;
  std::uint16_t media_port = 0;  // our UDP port; 0: any free port
  TlsFiles tls;
  std::chrono::milliseconds jitter_latency{20};  // how long a gap is waited for (LAN default)
  // The most a complete frame is held so that late ones do not freeze the picture (media::FramePlayout);
  // 0: frames go on as soon as they are complete.
  std::chrono::milliseconds playout_hold_max{100};
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds reconnect_delay{500};  // first wait after a loss, doubling up to reconnect_max
  std::chrono::milliseconds reconnect_max{2000};
  bool read_pixel_code = true;
  // Latency series and fps in the report leave out this long after the first picture (start-up transient:
  // decoder start, first IDR); the live status always shows everything.
  std::chrono::milliseconds report_warmup{0};
  // With a window, glass-to-glass ends when the frame is on screen (note_presented), not when it is decoded.
  bool measure_at_presentation = false;
  // Vitals are held until the picture captured at the same moment is shown (lip sync), but never longer than
  // this; 0 shows them as soon as they arrive.
  std::chrono::milliseconds vitals_sync_max{250};
  ConsoleVoiceSettings voice;
  std::uint32_t protocol_version = 2;  // what hello announces
  std::string software = "surgilink-console";
};

enum class ConnectionState { kConnecting, kConnected, kReconnecting, kRefused, kStopped };
const char* state_name(ConnectionState s);

// The patient's vital signs as this console last heard them from the sender.
struct ConsoleVitals {
  bool stream = false;  // the sender announced a vitals stream
  std::array<std::optional<vitals::NumericSample>, static_cast<std::size_t>(vitals::Parameter::kCount)>
      latest{};                             // capture times on the sender's clock
  std::vector<vitals::ActiveAlarm> alarms;  // as the sender's alarm limits see them
  std::optional<double> age_ms;             // now - capture time of the newest numeric (console clock)
  core::LatencySummary latency_10s;  // acquired at the sender -> shown here (after lip sync), last 10 s
};

// The console's voice now (ConsoleStatus::voice).
struct ConsoleVoiceStatus {
  bool speaker = false;     // the output is open
  bool microphone = false;  // the microphone is open (mentors only; an observer's is never opened)
  bool muted = false;
  double level_dbfs = -180;           // own microphone, last 50 ms, before muting
  bool speaking_while_muted = false;  // "you are muted"
  double heard_level_dbfs = -180;     // what the speaker plays, last 50 ms
  bool lip_sync = true;
  double playout_delay_ms = 0;
  std::string problem;  // why there is no sound ("no sound card": the session goes on without it)
  std::uint64_t packets_sent = 0, packets_received = 0, concealed = 0, refused = 0;
};

// A one-second snapshot for status lines and the HUD.
struct ConsoleStatus {
  ConnectionState state = ConnectionState::kConnecting;
  std::string detail;        // refusal reason or last error
  std::string display_name;  // who the sender says we are
  std::optional<Role> role;  // once admitted
  std::string site_name;
  std::string case_pseudonym;
  int reconnect_attempt = 0;
  core::LatencySummary g2g_10s;    // metadata glass-to-glass over the last 10 s
  core::LatencySummary pixel_10s;  // from the pixel code
  double g2g_last_ms = 0;
  bool link_lost = false;  // reconnecting, or no frame decoded for over 1 s
  // Connected, but the picture suffers (DESIGN.md §13: connected → degraded → lost): why, e.g. "3.2 % of
  // packets lost"; empty when it does not.
  std::string link_degraded;
  std::optional<double> picture_age_ms;  // now - capture time of the newest decoded frame
  double clock_uncertainty_ms = 0;
  double rtt_ms = 0;
  double link_jitter_ms = 0;   // interarrival jitter of the video's frames (RFC 3550), ms
  double gap_wait_ms = 0;      // how long a missing packet is waited for now, sized from RTT and jitter
  double playout_hold_ms = 0;  // how long a frame is held so that late ones do not freeze the picture
  double fps = 0;
  double bitrate_kbps = 0;
  double loss_pct = 0;  // packets lost / expected over the last second
  std::uint64_t frames_decoded = 0;
  std::uint64_t frames_undecodable = 0;
  std::uint64_t packets_dropped = 0;  // rejected datagrams (bad SRTP, replays, ...), all time
  ConsoleVitals vitals;
  // Telestration: this console's author id ("c2"; empty before the welcome), and whether it may draw (a
  // mentor holding the pen).
  std::string annotation_author;
  bool may_draw = false;
  std::string pen_holder;              // display name of the console holding the pen; empty: nobody
  bool pen_revoked = false;            // the surgeon took the pen back
  bool or_annotations_hidden = false;  // the surgeon hid the annotations on the OR display
  std::vector<vitals::VitalsRow> flagged_vitals;  // flagged by mentors for the surgeon, in flag order
  bool consent_recorded = false;                  // the OR recorded consent to record this case
  bool recording = false;                         // the sender records the stream now
  bool keys_exported = false;      // the sender writes the media keys to a file (interop testing only)
  bool or_privacy_paused = false;  // the OR paused video and voice to every console (privacy pause)
  struct Person {
    std::string name;
    Role role = Role::kObserver;
  };
  std::vector<Person> roster;           // everyone connected to the sender, in join order
  std::uint64_t annotations_shown = 0;  // annotations in the scene this console draws now
  StageLatencies stages_10s;            // per stage, over the last 10 s (the HUD's latency panel)
  ConsoleVoiceStatus voice;
};

// Whole-run figures, for the benchmark report.
struct ConsoleReport {
  std::uint64_t frames_received = 0;  // decoded
  std::uint64_t frames_after_warmup = 0;
  double seconds_after_warmup = 0;
  std::uint64_t frames_undecodable = 0;
  std::uint64_t frames_pixel_unreadable = 0;
  double seconds_receiving = 0;
  core::LatencySummary g2g, pixel, encode, network, jitter, decode, render;
  core::LatencySummary join_g2g;  // the first second of each connection (FrameLatencyTracker::join_g2g_run)
  // Each ordinary second's oldest picture (FrameLatencyTracker::second_oldest_g2g_run).
  core::LatencySummary second_oldest_g2g;
  core::LatencySummary
      recovery;  // loss burst or outage end -> clean picture (FrameLatencyTracker::recovery_run)
  core::LatencySummary vitals;  // acquired at the sender -> shown here, after lip sync (numerics and chunks)
  std::uint64_t vitals_numerics = 0;
  std::uint64_t vitals_waveform_samples = 0;
  std::uint64_t vitals_waveform_samples_lost = 0;
  std::uint64_t annotations_proposed = 0;
  std::uint64_t annotations_confirmed = 0;  // this console's proposals the sender accepted
  std::uint64_t annotations_refused = 0;
  std::uint64_t annotation_operations = 0;        // operations applied from the sender (anyone's)
  core::LatencySummary annotation_echo;           // proposal sent -> confirmed by the sender (round trip)
  std::vector<ConfirmedInput> annotation_inputs;  // at most the first 100 000
  double clock_uncertainty_ms = 0;
  double link_jitter_ms = 0, gap_wait_ms = 0;  // of the last link at the end (as ConsoleStatus), 0 without
  double playout_hold_ms = 0;                  // of the last link at the end (as ConsoleStatus)
  double max_metadata_pixel_disagreement_ms = 0;
  std::uint64_t packets_received = 0;
  std::uint64_t freezes = 0;  // pictures more than FrameLatencyTracker::kFrozenAfter after the one before
  double frozen_ms = 0, longest_freeze_ms = 0;
  std::uint64_t packets_lost = 0;  // given up on (a retransmission that came in time is not lost)
  std::uint64_t bytes_received = 0;
  std::uint64_t nacks_sent = 0;      // RTCP NACKs (each may name several packets)
  std::uint64_t packets_nacked = 0;  // packets asked for again
  // Congestion control: what this console's link is estimated to carry (sent to the sender as REMB), what
  // arrives, what the delay gradient says ("normal", "overusing", "underusing"), loss before repair.
  std::uint64_t rate_reports_sent = 0;
  std::uint64_t fec_recovered = 0;  // video packets rebuilt from parity
  std::uint64_t rate_estimate_kbps = 0, incoming_kbps = 0;
  std::string link_usage = "normal";
  double raw_loss = 0;  // of the last link over the whole run, outages left out
  std::uint64_t retransmissions_received = 0;
  std::uint64_t retransmissions_in_time = 0;        // … that filled their gap before it was given up
  std::uint64_t packets_asked_again = 0;            // missing video packets named in a second NACK
  std::uint64_t connections = 0;                    // times admitted (reconnections included)
  std::optional<core::CaptureTime> first_frame_at;  // console clock
  core::CaptureTime started_at{};
  // Voice: the audio timestamp code (find_markers) — when each marker was spoken here and heard here.
  std::vector<core::CaptureTime> voice_markers_spoken, voice_markers_heard;
  std::vector<core::CaptureTime> voice_mentor_markers_heard;  // other mentors' code, relayed
  core::LatencySummary voice_arrival;  // OR voice: captured -> arrived here (network and encoding)
  ConsoleVoiceStatus voice;
};

// Told on the network thread.
class ConsoleSessionListener {
 public:
  virtual ~ConsoleSessionListener() = default;
  virtual void on_state_changed(ConnectionState state, const std::string& detail) = 0;
  // A new picture is in the mailbox (a window schedules a repaint; it never polls).
  virtual void on_picture_ready() {}
  // New vital-sign data arrived (only what was not known before; capture times on the sender's clock).
  virtual void on_vitals(const vitals::VitalsUpdate& /*update*/) {}
  // The annotation scene to draw changed: the sender's confirmed scene with this console's pending proposals
  // on top (local echo). Never null.
  virtual void on_annotations(std::shared_ptr<const annotation::Scene> /*scene*/) {}
  // The sender refused one of this console's proposals; `reason` is for the mentor.
  virtual void on_annotation_refused(const std::string& /*reason*/) {}
};

class ConsoleSession {
 public:
  // Throws std::runtime_error for unusable certificate files.
  ConsoleSession(boost::asio::io_context& io, ConsoleSessionSettings settings, const core::Clock& clock,
                 media::LatestFrameMailbox& mailbox, ConsoleSessionListener& listener);
  ~ConsoleSession();

  void start();
  void stop();
  // Network thread. Reading the status changes nothing: any number of callers see the same figures.
  ConsoleStatus status();
  ConsoleReport report() const;
  const core::FaultCounters& faults() const;
  // The frame captured at `capture_time` (sender clock) was shown at `presented_at` (console clock): the
  // window's swap, DESIGN.md §4. Network thread (the GUI posts it).
  void note_presented(core::CaptureTime capture_time, core::CaptureTime presented_at);
  std::uint16_t media_port() const;
  // Sends an annotation operation as this console's author and shows it at once (local echo). A Begin's id
  // must be annotation_author + "-" + a counter. Returns false, logged and counted, when not connected or
  // this console may not draw (the sender would refuse it). Network thread (the GUI posts it).
  bool propose_annotation(const annotation::AnnotationOperation& op);
  // Flags (or unflags) a vitals row for the surgeon's attention; the OR display shows a badge. Returns false,
  // logged, when not connected or not a mentor. Network thread.
  bool flag_vital(vitals::VitalsRow row, bool flagged);
  // True while this console is a mentor holding the pen (its proposals are sent). Network thread.
  bool may_draw() const;
  // Mutes or opens this console's microphone (mute button, push-to-talk). Network thread.
  void set_microphone_muted(bool muted);
  // The voice part of status() alone, cheap enough for a level meter ten times a second. Network thread.
  ConsoleVoiceStatus voice_status() const;
  // This console's author id as the sender named it ("c2"), empty while not admitted. Network thread.
  std::string annotation_author() const;
  // The scene this console draws now (confirmed + pending). Network thread.
  std::shared_ptr<const annotation::Scene> annotation_scene() const;

  struct Parts;

 private:
  std::shared_ptr<Parts> parts_;
};

}  // namespace surgilink::session
