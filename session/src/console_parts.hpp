#pragma once
// The parts of a ConsoleSession and the wiring between them. Private to session/: console_session.cpp
// connects and handles the sender's messages; console_status.cpp reads the figures.

#include <memory>
#include <optional>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "console_voice.hpp"
#include "control_client.hpp"
#include "control_messages.hpp"
#include "realtime_receiver.hpp"
#include "surgilink/session/annotation_client.hpp"
#include "surgilink/session/clock_sync.hpp"
#include "surgilink/session/console_session.hpp"
#include "surgilink/session/frame_latency_tracker.hpp"
#include "surgilink/session/link_rates.hpp"
#include "surgilink/session/vitals_lip_sync.hpp"
#include "video_receiver.hpp"

namespace surgilink::session {

// Network thread only. Held by std::shared_ptr: timers' handlers keep it alive.
struct ConsoleSession::Parts : std::enable_shared_from_this<ConsoleSession::Parts>,
                               ControlClient::Listener,
                               VideoReceiver::Listener,
                               RealtimeReceiver::Stream {
  Parts(boost::asio::io_context& io, ConsoleSessionSettings settings, const core::Clock& clock,
        media::LatestFrameMailbox& mailbox, ConsoleSessionListener& listener);

  boost::asio::io_context& io;
  ConsoleSessionSettings settings;
  const core::Clock& clock;
  media::LatestFrameMailbox& mailbox;
  ConsoleSessionListener& listener;
  boost::asio::ssl::context tls;
  core::FaultCounters faults;
  std::shared_ptr<RealtimeReceiver> realtime;
  std::shared_ptr<ControlClient> control;
  std::shared_ptr<VideoReceiver> video;  // one per connection
  std::shared_ptr<ConsoleVoice> voice;   // for the whole session (the devices stay open across reconnections)
  FrameLatencyTracker tracker;
  VitalsLipSync lip_sync;
  AnnotationClient annotations;
  LinkRates rates;
  ClockSync clock_sync;
  boost::asio::steady_timer ping_timer, vitals_timer, annotation_timer;
  std::uint64_t generation = 0;  // one per connection: timers of an older one stop

  ConnectionState state = ConnectionState::kConnecting;
  std::string detail;
  int reconnect_attempt = 0;
  std::optional<pb::Welcome> welcome;  // while admitted
  pb::OrControls or_controls;          // as the sender last announced them
  pb::Roster roster;                   // who is connected, as the sender last announced it
  int pings_sent = 0;
  core::CaptureTime started_at{}, admitted_at{};
  std::optional<core::CaptureTime> resumed_at;  // the OR's last privacy pause ended
  int profile_fps = 0;                          // of the welcome's video profile; 0: unknown
  std::optional<core::CaptureTime> last_keyframe_request;
  std::uint64_t connections = 0;
  LinkTotals earlier_links;  // packets, bytes and losses of the connections before this one

  static constexpr std::chrono::seconds kTransientClear{11};
  // After a privacy pause, the time the first picture (a keyframe) has to arrive before a gap counts again.
  static constexpr std::chrono::seconds kResumeGrace{2};
  // Degraded link (ConsoleStatus::link_degraded): after the start-up seconds, a second with this share of
  // video packets lost for good, under 3/4 of the profile's frame rate, or a glass-to-glass p95 at the
  // console's red threshold.
  static constexpr std::chrono::seconds kDegradedAfter{3};
  static constexpr double kDegradedLossPct = 2.0;
  static constexpr double kDegradedLatencyMs = 300.0;  // the 10-s window + the link's start-up second

  // console_session.cpp
  void set_state(ConnectionState s, std::string why);
  void disconnect();  // this connection's parts, not the session
  void on_envelope(const pb::Envelope& envelope) override;
  void on_lost(const std::string& why, std::chrono::milliseconds retry_in) override;
  void on_refused(const std::string& why) override;
  void on_welcome(const pb::Welcome& welcome);
  void on_or_controls(const pb::OrControls& controls);
  void on_annotation_bytes(const std::string& bytes, bool whole_scene);
  void ping(std::uint64_t g);
  void report_latency();
  void expire_annotations(std::uint64_t g);
  bool holds_pen() const;
  bool propose(const annotation::AnnotationOperation& op);
  // Realtime: vitals (this part is their stream receiver) and video.
  void on_rtp(const media::RtpHeader& header, std::span<const std::uint8_t> packet, core::CaptureTime arrival,
              std::size_t wire_bytes) override;
  void release_vitals();
  void on_frame_decoded(const media::DecodedFrameInfo& info) override;
  void on_picture_damaged(core::CaptureTime now) override;
  void on_picture_still_broken(core::CaptureTime now) override;
  void request_keyframe(core::CaptureTime now);  // a PLI
  static constexpr std::chrono::seconds kAskAgainWhileBroken{1};
  void on_packets_missing(const std::vector<std::uint16_t>& sequences) override;
  void on_rate_estimate(std::uint64_t bps) override;
  std::uint64_t nacks_sent = 0, packets_nacked = 0;
  std::uint64_t rate_reports_sent = 0, earlier_fec_recovered = 0;
  std::optional<media::ReceiveRateEstimator> last_rate;
  std::chrono::nanoseconds last_gap_wait{0}, last_playout_hold{0};                 // of the previous link
  std::uint64_t earlier_retransmissions = 0, earlier_retransmissions_in_time = 0;  // of earlier connections
  std::uint64_t earlier_asked_again = 0;
  LinkTotals link_totals() const;

  // console_status.cpp
  ConsoleStatus status();
  ConsoleReport report() const;
};

}  // namespace surgilink::session
