#pragma once
// The sender's side of a pre-flight (session/preflight.hpp): echoes each of the console's pings at once with
// what it knows of them (count, highest sequence, RFC 3550 jitter), and sends the ramp, paced as the plan
// says, until the console has seen enough, the plan ends, or a case starts. Private to session/.

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "realtime_sender.hpp"
#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"
#include "surgilink/core/token_bucket.hpp"
#include "surgilink/session/preflight.hpp"

namespace surgilink::session {

// The sender's own figures of a pre-flight (its evidence beside the console's). Plain value type.
struct PreflightSenderFigures {
  std::uint32_t pings_received = 0, highest_ping = 0;
  double jitter_to_or_ms = 0;
  std::uint64_t ramp_packets_sent = 0, ramp_bytes_sent = 0;
  std::uint32_t steps_sent = 0;
  std::uint64_t highest_rate_bps = 0;  // of the last step it sent
  bool stopped_by_console = false;
  std::string held;  // why the ramp stopped early ("a case started"), empty if it did not
};

// Network thread only. Held by std::shared_ptr (make_shared): its timer keeps it alive.
class PreflightResponder : public std::enable_shared_from_this<PreflightResponder>,
                           public RealtimeSender::ProbeReceiver {
 public:
  PreflightResponder(boost::asio::io_context& io, const core::Clock& clock, RealtimeSender& realtime,
                     ConsoleId peer, PreflightPlan plan, std::uint32_t ssrc, core::FaultCounters& faults);
  // The ramp starts plan.quiet() from now.
  void start();
  // No more probes of any kind.
  void stop();
  // No more ramp (a case started: the OR's uplink is the stream's); echoes go on.
  void hold(const std::string& why);
  void on_probe(std::span<const std::uint8_t> payload, core::CaptureTime arrival) override;
  const PreflightSenderFigures& figures() const { return figures_; }
  ConsoleId peer() const { return peer_; }
  const PreflightPlan& plan() const { return plan_; }

 private:
  void tick();
  void send(ProbePacket probe, std::size_t payload_bytes);
  std::uint32_t step_packets(std::uint32_t k) const;

  boost::asio::steady_timer timer_;
  const core::Clock& clock_;
  RealtimeSender& realtime_;
  ConsoleId peer_;
  PreflightPlan plan_;
  std::uint32_t ssrc_;
  core::FaultCounters& faults_;
  core::TokenBucket pings_;  // twice the plan's ping rate: an echo per ping, never a reflector
  InterarrivalJitter jitter_;
  PreflightSenderFigures figures_;
  std::vector<std::uint8_t> buffer_;
  std::uint16_t sequence_ = 0;
  core::CaptureTime ramp_start_{};
  std::uint32_t step_ = 0, sent_in_step_ = 0;
  bool ramping_ = true, stopped_ = false;
};

}  // namespace surgilink::session
