#pragma once
// The sender's side of every session: the TLS control server (admission by certificate and access list,
// protocol version, clock sync) and the realtime channel (SRTP fan-out of video RTP to each admitted console,
// RTCP feedback back). Runs entirely on the process's one io_context thread.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"
#include "surgilink/media/sender_pipeline.hpp"
#include "surgilink/media/srtp_session.hpp"
#include "surgilink/session/access_list.hpp"
#include "surgilink/session/tls_identity.hpp"

namespace surgilink::annotation {
struct Scene;
}

namespace surgilink::session {

class CaseEventLog;

// Settings of the sender's session authority (from configs/sender.toml).
struct SenderSessionSettings {
  std::string bind_address = "0.0.0.0";
  std::uint16_t control_port = 7400;  // 0: any free port (tests)
  std::uint16_t media_port = 7401;    // 0: any free port (tests)
  TlsFiles tls;
  AccessList access;
  media::SrtpProfile srtp_profile = media::SrtpProfile::kAeadAes128Gcm;
  std::uint32_t video_ssrc = 0;
  int video_payload_type = 96;
  std::uint32_t vitals_ssrc = 0;  // 0: this sender has no vitals source
  std::uint16_t vitals_first_sequence = 0;
  std::string site_name = "OR";
  std::string case_pseudonym;
  std::string video_profile = "1080p30";
  std::chrono::milliseconds hello_timeout{5000};
  // When set, the SRTP parameters of each admitted console are written here as an SDP file (interop tests).
  std::optional<std::filesystem::path> export_srtp_keys;
  // The hash-chained audit log (DESIGN.md §7); none: audit events go to the log only.
  std::optional<std::filesystem::path> audit_log;
};

// What the surgeon's side decided about the annotations (DESIGN.md §7, §8). Plain value type.
struct OrControlState {
  std::string pen_holder;  // display name of the console holding the pen; empty: nobody
  bool pen_revoked = false;
  bool annotations_hidden = false;
  std::vector<std::string> flagged_vitals;  // what mentors flagged for the surgeon ("abp"), in flag order
  bool consent_recorded = false;            // consent to record this case, recorded at the OR
  bool recording = false;                   // the stream is being recorded now
};

// Called on the network thread.
class SenderSessionListener {
 public:
  virtual ~SenderSessionListener() = default;
  // A console needs a full picture: it just joined, or it reported loss (PLI).
  virtual void on_keyframe_needed() = 0;
  // The pen, the surgeon's controls or the mentors' vitals flags changed (or_controls() has the new state).
  virtual void on_or_controls_changed() {}
};

// Counters of the sender session, read on the network thread (or after it stopped).
// What a console last reported of its glass-to-glass latency (LatencyReport, once a second).
struct ConsoleLatency {
  std::string name;
  bool mentor = false;
  double g2g_p95_ms = 0;
  core::CaptureTime reported_at{};  // sender clock
};

struct SenderSessionCounters {
  std::uint64_t consoles_admitted = 0;
  std::uint64_t consoles_refused = 0;
  std::uint64_t tls_failures = 0;
  std::uint64_t frames_sent = 0;  // frames whose first packet went to at least one console
  std::uint64_t packets_sent = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t send_drops = 0;  // the kernel's socket buffer was full
  std::uint64_t pli_received = 0;
  std::uint64_t vitals_packets_sent = 0;  // per console
  std::uint64_t annotations_accepted = 0;
  std::uint64_t annotations_refused = 0;  // also counted in faults, by kind
  std::uint64_t audit_lines = 0;
  core::FaultCounters faults;  // bad datagrams and control messages
};

class SenderSession final : public media::SenderPipelineListener {
 public:
  // Binds both ports; throws std::runtime_error with the address if a port is in use.
  SenderSession(boost::asio::io_context& io, SenderSessionSettings settings, const core::Clock& clock,
                SenderSessionListener& listener);
  ~SenderSession() override;

  void start();
  // Closes every connection and both sockets. Network thread.
  void stop();

  // Sends vitals RTP payloads (vitals/vitals_packet.hpp) to every admitted console, SRTP-protected, on the
  // realtime channel. Network thread.
  void send_vitals(const std::vector<std::vector<std::uint8_t>>& payloads, core::CaptureTime now);

  // The canonical annotation scene (telestration); the OR display draws it. Any thread.
  std::shared_ptr<const annotation::Scene> annotation_scene() const;

  // The surgeon's controls (a key, a foot pedal, a hardware button), each audited with `by` (what pressed
  // it) and announced to every console. Network thread.
  // Takes the pen from whoever holds it; nobody draws until grant_pen().
  void revoke_pen(const std::string& by);
  // Gives the pen back, to the mentor console that has been connected longest.
  void grant_pen(const std::string& by);
  void set_annotations_hidden(bool hidden, const std::string& by);
  // Removes every annotation (Clear all, sequenced and broadcast like a mentor's operation).
  void clear_annotations(const std::string& by);
  // The recording's state, set by the OR's recording (DESIGN.md §6): each change is audited with `by` and
  // `details` (the recording's folder) and announced to every console. Network thread.
  void set_recording_state(bool consent_recorded, bool recording, const std::string& by,
                           const std::string& details);
  // While recording: every annotation operation, vitals payload, roster change and session event also goes
  // to `log` (DESIGN.md §6); null stops that. Network thread.
  void set_event_log(std::shared_ptr<CaseEventLog> log);
  OrControlState or_controls() const;
  // The latest latency report of every admitted console that sent one. Network thread.
  std::vector<ConsoleLatency> console_latencies() const;
  // Whether the OR display shows the annotations now. Any thread.
  bool annotations_hidden() const;

  std::uint16_t control_port() const;
  std::uint16_t media_port() const;
  std::size_t consoles_connected() const;
  const SenderSessionCounters& counters() const;

  // media::SenderPipelineListener — called on GStreamer threads; posts to the network thread.
  void on_encoded_packets(media::EncodedPackets packets) override;
  void on_pipeline_problem(std::string text, bool fatal) override;
  void on_source_segment_done() override;

  // Set by the owner to be told of pipeline problems and segment ends on the network thread.
  struct PipelineEvents {
    virtual ~PipelineEvents() = default;
    virtual void on_pipeline_problem(const std::string& text, bool fatal) = 0;
    virtual void on_source_segment_done() = 0;
  };
  void set_pipeline_events(PipelineEvents* events);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace surgilink::session
