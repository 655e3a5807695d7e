#pragma once
// One console's control connection at the sender: its TLS connection, its place among the pending (not yet
// admitted) connections, its inbound rate limit, when it was last heard, and who the session admitted it as.
// Private to session/.

#include <memory>
#include <optional>
#include <string>

#include "control_messages.hpp"
#include "control_server.hpp"
#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/token_bucket.hpp"
#include "surgilink/session/control_connection.hpp"
#include "surgilink/session/sender_session.hpp"

namespace surgilink::session {

// Network thread only.
class ConsoleConnection final : public ControlConnection::Listener {
 public:
  // Told on the network thread. on_ended may not destroy the ConsoleConnection synchronously (post it).
  class Owner {
   public:
    virtual ~Owner() = default;
    virtual void on_envelope(ConsoleConnection& console, const pb::Envelope& envelope) = 0;
    // A message over the rate limit (dropped) or one that does not parse (the connection is closed).
    virtual void on_rate_limited(ConsoleConnection& console) = 0;
    virtual void on_malformed(ConsoleConnection& console) = 0;
    virtual void on_ended(ConsoleConnection& console, ConnectionEnd end, const std::string& why) = 0;
  };

  ConsoleConnection(ConsoleId id, std::shared_ptr<ControlConnection> control, PendingSlot pending,
                    std::string peer, core::TokenBucket inbound, const core::Clock& clock, Owner& owner);
  ~ConsoleConnection() override;
  ConsoleConnection(const ConsoleConnection&) = delete;
  ConsoleConnection& operator=(const ConsoleConnection&) = delete;

  // Starts reading frames (after the TLS handshake).
  void start();
  void send(const ControlFrame& frame) { control_->send(frame); }
  // The session admitted it: it no longer counts as pending.
  void admit(Admitted as);

  ConsoleId id() const { return id_; }
  const std::string& peer() const { return peer_; }
  ControlConnection& control() { return *control_; }
  const std::optional<Admitted>& admitted() const { return admitted_; }
  core::CaptureTime accepted_at() const { return accepted_at_; }
  core::CaptureTime last_heard() const { return last_heard_; }
  // Set when the console said goodbye or the session closed it on purpose: how its end is told.
  struct Closing {
    Departure how;
    std::string why;
  };
  std::optional<Closing> closing;
  std::optional<ConsoleLatency> latency;  // its last LatencyReport
  // A pre-flight (not admitted; session/preflight.hpp): the person it was granted to, and when it is closed
  // at the latest.
  std::optional<std::string> preflight_of;
  core::CaptureTime preflight_until{};

  // ControlConnection::Listener
  void on_frame(std::span<const std::uint8_t> body) override;
  void on_end(ConnectionEnd end, const std::string& why) override;

 private:
  ConsoleId id_;
  std::shared_ptr<ControlConnection> control_;
  PendingSlot pending_;
  std::string peer_;
  core::TokenBucket inbound_;
  Owner& owner_;
  const core::Clock& clock_;
  core::CaptureTime accepted_at_, last_heard_;
  std::optional<Admitted> admitted_;
};

}  // namespace surgilink::session
