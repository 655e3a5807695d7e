#pragma once
// The sender's side of every session: wires the control port (ControlServer, one ConsoleConnection per
// console), the session's rules (SessionAuthority), the realtime channel (RealtimeSender) and the audit
// trail. Runs entirely on the process's one io_context thread.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"
#include "surgilink/media/sender_pipeline.hpp"
#include "surgilink/media/srtp_session.hpp"
#include "surgilink/session/access_list.hpp"
#include "surgilink/session/preflight.hpp"
#include "surgilink/session/session_authority.hpp"
#include "surgilink/session/tls_identity.hpp"

namespace surgilink::annotation {
struct Scene;
}

namespace surgilink::session {

class CaseEventLog;

// Settings of the sender's sessions (configs/sender.toml). Plain value type.
struct SenderSessionSettings {
  std::string bind_address = "0.0.0.0";
  std::uint16_t control_port = 7400;  // 0: any free port (tests)
  std::uint16_t media_port = 7401;    // 0: any free port (tests)
  TlsFiles tls;
  std::shared_ptr<const AccessList> access = std::make_shared<AccessList>();
  std::optional<std::filesystem::path> access_list_file;  // reread on reload_access_list()
  media::SrtpProfile srtp_profile = media::SrtpProfile::kAeadAes128Gcm;
  std::uint32_t video_ssrc = 0;
  int video_payload_type = 96;
  std::uint32_t voice_ssrc = 0;  // the OR's voice; 0: this sender sends no voice
  // Video packets a console reports lost (NACK) are sent again on this stream (RFC 4588); 0: no
  // retransmission.
  std::uint32_t rtx_ssrc = 0;
  int rtx_payload_type = 97;
  // Parity packets (forward error correction) go on this stream when the consoles' links lose packets; 0:
  // never.
  std::uint32_t fec_ssrc = 0;
  int fec_payload_type = 98;
  std::uint32_t vitals_ssrc = 0;  // 0: this sender has no vitals source
  std::uint16_t vitals_first_sequence = 0;
  std::string case_pseudonym;
  std::string video_profile = "1080p30";
  SessionRules rules;  // site name, max_consoles, resume, annotation limits
  // [session]: what one peer may cost the OR.
  std::chrono::milliseconds hello_timeout{5000};      // TLS handshake + hello, or the connection is closed
  std::chrono::seconds liveness{10};                  // an admitted console silent this long is dropped
  std::size_t max_pending = 64;                       // connections not yet admitted, in total
  std::size_t max_pending_per_address = 8;            // … and from one address
  std::size_t max_queued_bytes = 1024 * 1024;         // a console's unsent control messages
  double messages_per_second = 250;                   // inbound control messages per console (1 s burst)
  std::chrono::milliseconds keyframe_interval{1000};  // at most one loss-triggered keyframe per console
  // When set, the SRTP parameters of each admitted console are written here as an SDP file (interop tests).
  std::optional<std::filesystem::path> export_srtp_keys;
  // The hash-chained audit log (DESIGN.md §7); none: audit events go to the log only.
  std::optional<std::filesystem::path> audit_log;
  std::optional<std::filesystem::path> audit_key;  // the checkpoints' HMAC key (tools/make-audit-key.sh)
};

// What the admitted consoles' links carry, as they report it (congestion control and parity).
struct ConsoleLinks {
  // The rate the narrowest console's link carries, as the consoles estimate it (RTCP REMB); nullopt while
  // none has reported one.
  std::optional<std::uint64_t> narrowest_bps;
  // The highest share of video packets (before repair; RTCP RR) lost on a console link whose round trip is
  // too long for retransmission alone (20 ms and more, or not yet known): what parity repairs. None while
  // no console has reported (a guess must not pass for a first report).
  std::optional<double> parity_loss;
  // A console joined and has not reported its link yet (its first report comes about a second after its
  // first packet; given up after RealtimeSender's kReportWithin): its loss and rate are unknown while its
  // joining keyframe crosses the link.
  bool unreported = false;
  // A console's link stands in `narrowest_bps` as its pre-flight measured it (LinkPrior, IP bits/s), not as
  // it reported it: it has not reported yet.
  bool narrowest_from_preflight = false;
};

// Called on the network thread.
class SenderSessionListener {
 public:
  virtual ~SenderSessionListener() = default;
  // A console needs a full picture: it just joined, or it reported loss (PLI).
  virtual void on_keyframe_needed() = 0;
  // What the consoles' links carry (ConsoleLinks), each time one joins, reports or leaves.
  virtual void on_link_rate(const ConsoleLinks& /*links*/) {}
  // The pen, the surgeon's controls, the recording or the mentors' vitals flags changed (or_controls()).
  virtual void on_or_controls_changed() {}
  // A mentor's voice (one authenticated Opus RTP packet, whole and plain) for the OR's loudspeaker mix and
  // the recording; `talker` is the mentor's display name. An observer's voice never gets here.
  virtual void on_mentor_voice(std::uint32_t /*ssrc*/, const std::string& /*talker*/,
                               std::span<const std::uint8_t> /*packet*/) {}
};

// What a console last reported of its glass-to-glass latency (LatencyReport, once a second).
struct ConsoleLatency {
  std::string name;
  bool mentor = false;
  double g2g_p95_ms = 0;
  core::CaptureTime reported_at{};  // sender clock
  double loss = 0;                  // share of video packets its last receiver report says were lost
};

// A pre-flight's outcome as the sender keeps it (issue 15): the console's figures and verdict beside the
// sender's own count of what it received and sent. Plain value type.
struct PreflightRecord {
  std::string person;                // from the access list
  std::string peer;                  // "address:port"
  std::string verdict;               // "1080p30", "720p30", "720p15", "540p15" or "none"
  std::string sentence;              // the verdict in plain words, as the console said it
  std::string figures;               // the console's figures in one line
  std::string sender_figures;        // what the sender counted
  std::uint64_t achievable_bps = 0;  // the rate the link carried to the console (IP bits/s; 0: not measured)
  // The ramp found the link's limit (loss or queueing rose); else the rate is a lower bound (the ramp
  // reached its cap, ran out of time, or was held for a case).
  bool rate_is_limit = false;
  double loss_to_mentor = 0;  // the share of the sender's probes lost on the way to the console
  core::CaptureTime at{};
};

// The prior a pre-flight gives the console of `person` joining at `now`: none from another person's, an older
// one, or one whose rate is only a lower bound (a 5-s pre-flight's 1.5 Mbit/s would have started a 6-Mbit/s
// link at 720p15).
std::optional<LinkPrior> link_prior(const std::optional<PreflightRecord>& preflight,
                                    const std::string& person, core::CaptureTime now);

// Counters of the sender's sessions, read on the network thread (or after it stopped). Plain value type.
struct SenderSessionCounters {
  std::uint64_t consoles_admitted = 0;
  std::uint64_t consoles_refused = 0;
  std::uint64_t consoles_dropped = 0;  // silent, not reading, or breaking a rule
  std::uint64_t tls_failures = 0;
  std::uint64_t connections_turned_away = 0;  // over a pending-connection cap
  std::uint64_t accept_errors = 0;
  std::uint64_t frames_sent = 0;  // frames whose first packet went to at least one console
  std::uint64_t packets_sent = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t send_drops = 0;  // the kernel's socket buffer was full
  std::uint64_t pli_received = 0;
  std::uint64_t vitals_packets_sent = 0;     // per console
  std::uint64_t nacked = 0;                  // video packets consoles asked for again
  std::uint64_t retransmitted = 0;           // … and sent again (RTX)
  std::uint64_t rate_reports_received = 0;   // consoles' estimates of their links (REMB)
  std::uint64_t fec_packets_sent = 0;        // parity packets, per console
  std::uint64_t frames_withheld = 0;         // video frames not sent during the OR's privacy pause
  std::uint64_t probe_clusters_sent = 0;     // padding clusters that asked a console's link for more room
  std::uint64_t keyframes_unheard = 0;       // frames sent as keyframes while no console's link was heard
  std::uint64_t voice_withheld = 0;          // OR voice packets not sent during the OR's privacy pause
  std::uint64_t voice_packets_sent = 0;      // per console: the OR's voice and mentors' voices relayed
  std::uint64_t voice_packets_received = 0;  // mentors' voice packets accepted
  std::uint64_t messages_rate_limited = 0;
  std::uint64_t annotations_accepted = 0;
  std::uint64_t annotations_refused = 0;  // also counted in faults, by kind
  std::uint64_t audit_lines = 0;
  std::uint64_t preflights_granted = 0;
  std::uint64_t preflights_refused = 0;
};

class SenderSession {
 public:
  // Binds both ports and opens the audit log; throws std::runtime_error naming what cannot be used.
  SenderSession(boost::asio::io_context& io, SenderSessionSettings settings, const core::Clock& clock,
                SenderSessionListener& listener);
  ~SenderSession();

  void start();
  // Closes every connection and both sockets. Network thread.
  void stop();

  // One encoded frame's RTP packets, to every admitted console. Network thread.
  // Takes the packets: they are moved into the pacer rather than copied.
  void send_video(media::EncodedPackets packets);
  // Paces the video at `bps` (congestion control: a multiple of the encoder's target); nullopt: at once.
  void set_video_pacing(std::optional<std::uint64_t> bps);
  // A console link estimated under `bps` is probed now and then to learn whether it carries more
  // (padding on top of the video for a few tens of milliseconds); 0: never.
  void set_probe_ceiling(std::uint64_t bps);
  // One parity packet after every `packets` video packets (forward error correction); 0: none. Ignored when
  // the settings name no FEC stream.
  void set_video_fec(std::size_t packets);
  // The OR's voice (Opus RTP packets with their capture time) to every admitted console. Network thread.
  void send_voice(const media::EncodedPackets& packets);
  // Vitals RTP payloads (vitals/vitals_packet.hpp) to every admitted console. Network thread.
  void send_vitals(const std::vector<std::vector<std::uint8_t>>& payloads, core::CaptureTime now);

  // The canonical annotation scene (telestration); the OR display draws it. Any thread.
  std::shared_ptr<const annotation::Scene> annotation_scene() const;
  // Whether the OR display shows the annotations now. Any thread.
  bool annotations_hidden() const;

  // The surgeon's controls (a key, a foot pedal, a hardware button, the panel), each audited with `by` (what
  // pressed it) and announced to every console. Network thread.
  void revoke_pen(const std::string& by);
  void grant_pen(const std::string& by);
  void set_annotations_hidden(bool hidden, const std::string& by);
  void clear_annotations(const std::string& by);
  // The OR ends the session of the console called `name` (every console when empty): it is told why ("the
  // OR ended this session") and does not reconnect by itself; its pen passes at once. Audited. Returns how
  // many were ended. Network thread.
  std::size_t end_session(const std::string& name, const std::string& by);
  // Removes a departed mentor's annotations (their fade on the OR display ended); audited.
  void expire_annotations_of(const std::string& author, const std::string& by);
  // Whether the OR's privacy pause is on. Network thread.
  bool privacy_paused() const;
  // The OR's privacy pause: video and the OR's voice stop to every console at once (nothing waiting in the
  // pacer leaves); resuming sends a keyframe. Audited, noted in the recording's event log, announced.
  void set_privacy_paused(bool paused, const std::string& by);
  // The recording's state, set by the OR's recording (DESIGN.md §6). Network thread.
  void set_recording_state(bool consent_recorded, bool recording, const std::string& by,
                           const std::string& details);
  // An event of the OR's own parts for the audit trail (a recording refused). Network thread.
  void record_audit_event(const AuditEvent& event);
  // While recording: annotation operations, vitals payloads, roster changes and session events also go to
  // `log` (DESIGN.md §6); null stops that. Network thread.
  void set_event_log(std::shared_ptr<CaseEventLog> log);
  // Rereads the access list file (SIGHUP); people no longer listed are dropped at once (audited). A bad file
  // keeps the old list and says why. Network thread.
  void reload_access_list();

  OrControlState or_controls() const;
  // The latest pre-flight's outcome, if one completed since the start. Network thread.
  std::optional<PreflightRecord> last_preflight() const;
  // Everyone admitted now, in join order. Network thread.
  const std::vector<Member>& roster() const;
  // The latest latency report of every admitted console that sent one. Network thread.
  std::vector<ConsoleLatency> console_latencies() const;

  std::uint16_t control_port() const;
  std::uint16_t media_port() const;
  std::size_t consoles_connected() const;
  SenderSessionCounters counters() const;
  const core::FaultCounters& faults() const;  // bad datagrams and control messages, by kind
  // False while the audit log cannot be written (the OR display says so). Network thread.
  bool audit_healthy() const;

  struct Parts;

 private:
  std::shared_ptr<Parts> parts_;
};

}  // namespace surgilink::session
