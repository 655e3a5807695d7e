#pragma once
// The parts of a SenderSession and the wiring between them. Private to session/: sender_session.cpp builds
// and drives them; sender_messages.cpp handles what consoles send.

#include <map>
#include <memory>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "console_connection.hpp"
#include "control_messages.hpp"
#include "control_server.hpp"
#include "preflight_responder.hpp"
#include "realtime_sender.hpp"
#include "surgilink/core/repeat_limiter.hpp"
#include "surgilink/session/audit_trail.hpp"
#include "surgilink/session/sender_session.hpp"
#include "surgilink/session/session_authority.hpp"

namespace surgilink::session {

// Network thread only. Held by std::shared_ptr: timers' handlers keep it alive.
struct SenderSession::Parts : std::enable_shared_from_this<SenderSession::Parts>,
                              ConsoleConnection::Owner,
                              RealtimeSender::Listener {
  Parts(boost::asio::io_context& io, SenderSessionSettings settings, const core::Clock& clock,
        SenderSessionListener& listener);

  boost::asio::io_context& io;
  SenderSessionSettings settings;
  const core::Clock& clock;
  SenderSessionListener& listener;
  boost::asio::ssl::context tls;
  core::FaultCounters faults;
  SessionAuthority authority;
  AuditTrail audit;
  std::shared_ptr<RealtimeSender> realtime;
  std::shared_ptr<ControlServer> server;
  std::map<ConsoleId, std::unique_ptr<ConsoleConnection>> consoles;
  ConsoleId next_id = 1;
  boost::asio::steady_timer sweep_timer, expiry_timer;
  SenderSessionCounters counts;  // the parts' own counters are added in counters()
  core::RepeatLimiter log_repeats;
  std::optional<core::CaptureTime> last_keyframe_request;
  std::uint64_t exported_keys = 0;  // SDP files written (interop testing only)
  bool stopped = false;
  std::shared_ptr<PreflightResponder> preflight;  // the running pre-flight (one at a time)
  std::optional<PreflightRecord> last_preflight;

  // sender_session.cpp: connections, timers
  void on_connection(boost::asio::ip::tcp::socket socket, PendingSlot pending);
  void sweep();
  void expire_annotations();
  // One decision of the authority (`decision(authority, effects)`), then its effects.
  template <typename Decision>
  void decide(Decision&& decision) {
    AuthorityEffects effects;
    decision(authority, effects);
    apply(effects);
  }

  // sender_effects.cpp
  void apply(AuthorityEffects& effects);
  void broadcast(const ControlFrame& frame);
  ControlFrame controls_frame() const;
  ControlFrame roster_frame() const;
  void log_roster();
  void close(ConsoleId id, Departure how, const std::string& why);
  void on_keyframe_request(ConsoleId console) override;
  void on_console_voice(ConsoleId console, const media::RtpHeader& header,
                        std::span<const std::uint8_t> packet) override;
  void on_rate_estimate(ConsoleId console) override;
  ConsoleLinks console_links() const;
  // Straight to the encoder: the 200-ms limit of on_keyframe_request is for consoles' requests.
  void on_video_unheard() override { listener.on_keyframe_needed(); }

  // sender_messages.cpp: what consoles send
  void on_envelope(ConsoleConnection& console, const pb::Envelope& envelope) override;
  void on_rate_limited(ConsoleConnection& console) override;
  void on_malformed(ConsoleConnection& console) override;
  void on_ended(ConsoleConnection& console, ConnectionEnd end, const std::string& why) override;
  void on_hello(ConsoleConnection& console, const pb::Hello& hello);
  void refuse(ConsoleConnection& console, const Refused& refused);
  // Tells the console why (a Refusal: it shows the reason and does not reconnect by itself) and closes once
  // that is written. `closing`: how its departure counts.
  void send_refusal(ConsoleConnection& console, const std::string& reason,
                    ConsoleConnection::Closing closing);
  void on_annotation_proposal(ConsoleConnection& console, const std::string& bytes);
  void on_latency_report(ConsoleConnection& console, const pb::LatencyReport& report);
  void welcome(ConsoleConnection& console, const Admitted& as);

  // sender_preflight.cpp: a console's link check before a case
  void on_preflight_hello(ConsoleConnection& console, const pb::Hello& hello);
  void on_preflight_message(ConsoleConnection& console, const pb::Envelope& envelope);
  void on_preflight_result(ConsoleConnection& console, const pb::PreflightResult& result);
  void end_preflight(ConsoleConnection& console);
  void export_keys(ConsoleConnection& console, const boost::asio::ip::udp::endpoint& media,
                   const SrtpKeys& keys);
};

}  // namespace surgilink::session
