#pragma once
// A console's control connection to one sender: resolve, TCP (a second attempt alongside the first when it
// has no answer after kSecondAttemptAfter), TLS 1.3 with the sender's name verified, hello; framed messages
// both ways (ControlConnection); after a loss, connection again with backoff, until stopped or refused.
// Private to session/.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "control_messages.hpp"
#include "surgilink/session/control_connection.hpp"

namespace surgilink::session {

// Plain value type.
struct ControlClientSettings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 7400;
  std::string site_name;  // for messages: which OR, not just an address
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds reconnect_delay{500};  // first wait after a loss; doubles up to reconnect_max
  std::chrono::milliseconds reconnect_max{2000};
  std::uint32_t protocol_version = kProtocolVersion;
  std::string software = "surgilink-console";
  std::size_t max_queued_bytes = 1024 * 1024;
  // Non-zero: hello asks for a pre-flight of this many milliseconds instead of joining
  // (session/preflight.hpp).
  std::uint32_t preflight_ms = 0;
};

// Network thread only. Held by std::shared_ptr (make_shared): its handlers keep it alive.
class ControlClient : public std::enable_shared_from_this<ControlClient>, ControlConnection::Listener {
 public:
  // Told on the network thread.
  class Listener {
   public:
    virtual ~Listener() = default;
    // A message from the sender (welcome and refusal included).
    virtual void on_envelope(const pb::Envelope& envelope) = 0;
    // The connection is gone; the client tries again after `retry_in`.
    virtual void on_lost(const std::string& why, std::chrono::milliseconds retry_in) = 0;
    // The sender or its TLS refused this console: the client stops trying.
    virtual void on_refused(const std::string& why) = 0;
  };

  // `media_port` is announced in every hello.
  ControlClient(boost::asio::io_context& io, boost::asio::ssl::context& tls, ControlClientSettings settings,
                std::uint16_t media_port, Listener& listener);
  ~ControlClient() override;

  void start();
  // Says goodbye (the pen passes at once) when connected, and stops.
  void stop();
  void send(const pb::Envelope& envelope);
  // The welcome was good: the next loss starts the backoff from the first delay again.
  void admitted();
  // The session found the welcome unusable: try again later (`refused`: stop trying).
  void fail(const std::string& why);
  void refuse(const std::string& why);

  // The current connection's TLS session (for the SRTP keys) and the sender's address; valid after hello.
  SSL* tls_session();
  boost::asio::ip::address sender_address();
  int attempt() const { return attempt_; }
  // A lost SYN or SYN-ACK costs TCP a second (its first retransmission timeout) before the join, on every
  // link that loses packets (rural: 2 % each way). Like RFC 8305's connection attempt delay: a second TCP
  // attempt alongside the first after this, the first to connect wins and the other is closed before the
  // sender's program sees it (its kernel answers the late SYN-ACK with a reset).
  static constexpr std::chrono::milliseconds kSecondAttemptAfter{250};
  // Connections made by the second attempt (since construction).
  int won_by_second_attempt() const { return won_by_second_attempt_; }
  // "Site (host:port)".
  std::string sender_name() const;

 private:
  void connect();
  void start_attempt(std::uint64_t generation);
  void connected(std::uint64_t generation, boost::asio::ip::tcp::socket socket);
  void close_attempts();
  void lose(const std::string& why);
  void on_frame(std::span<const std::uint8_t> body) override;
  void on_end(ConnectionEnd end, const std::string& why) override;

  boost::asio::io_context& io_;
  boost::asio::ssl::context& tls_;
  ControlClientSettings settings_;
  std::uint16_t media_port_;
  Listener& listener_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer connect_timer_, reconnect_timer_, second_attempt_timer_;
  boost::asio::ip::tcp::resolver::results_type endpoints_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> attempts_;  // TCP attempts still connecting
  std::shared_ptr<ControlConnection> connection_;
  std::uint64_t generation_ = 0;  // one per attempt: handlers of older attempts stop
  bool handshake_done_ = false;
  bool welcomed_ = false;
  bool stopped_ = false;
  int attempt_ = 0;
  int won_by_second_attempt_ = 0;
  std::chrono::milliseconds next_delay_;
};

}  // namespace surgilink::session
