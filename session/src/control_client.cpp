#include "control_client.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

#include "surgilink/core/safe_text.hpp"

namespace surgilink::session {

namespace asio = boost::asio;
using asio::ip::tcp;

ControlClient::ControlClient(asio::io_context& io, asio::ssl::context& tls, ControlClientSettings settings,
                             std::uint16_t media_port, Listener& listener)
    : io_(io),
      tls_(tls),
      settings_(std::move(settings)),
      media_port_(media_port),
      listener_(listener),
      resolver_(io),
      connect_timer_(io),
      reconnect_timer_(io),
      second_attempt_timer_(io),
      next_delay_(settings_.reconnect_delay) {}

ControlClient::~ControlClient() {
  close_attempts();
  if (connection_) {
    connection_->detach();
    connection_->close();
  }
}

std::string ControlClient::sender_name() const {
  const std::string address = settings_.host + ":" + std::to_string(settings_.port);
  const bool named = !settings_.site_name.empty() && settings_.site_name != settings_.host;
  return named ? settings_.site_name + " (" + address + ")" : address;
}

void ControlClient::start() { connect(); }

void ControlClient::stop() {
  if (stopped_) return;
  stopped_ = true;
  ++generation_;
  connect_timer_.cancel();
  reconnect_timer_.cancel();
  second_attempt_timer_.cancel();
  resolver_.cancel();
  close_attempts();
  if (connection_) {
    if (welcomed_) {
      pb::Envelope bye = envelope();
      bye.mutable_goodbye();
      connection_->send(frame_of(bye));
    }
    connection_->detach();
    connection_->close_after_writes();
  }
}

void ControlClient::connect() {
  const std::uint64_t g = ++generation_;
  close_attempts();
  if (connection_) {
    connection_->detach();
    connection_->close();
    connection_.reset();
  }
  handshake_done_ = false;
  welcomed_ = false;
  connect_timer_.expires_after(settings_.connect_timeout);
  connect_timer_.async_wait([self = shared_from_this(), g](boost::system::error_code ec) {
    if (ec || g != self->generation_ || self->welcomed_) return;
    self->lose("no answer from " + self->sender_name() + " after " +
               std::to_string(self->settings_.connect_timeout.count() / 1000.0).substr(0, 3) + " s");
  });
  resolver_.async_resolve(
      settings_.host, std::to_string(settings_.port),
      [self = shared_from_this(), g](boost::system::error_code ec, tcp::resolver::results_type r) {
        if (g != self->generation_) return;
        if (ec) return self->lose("cannot resolve " + self->settings_.host + ": " + ec.message());
        self->endpoints_ = std::move(r);
        self->start_attempt(g);
        self->second_attempt_timer_.expires_after(kSecondAttemptAfter);
        self->second_attempt_timer_.async_wait([self, g](boost::system::error_code ec2) {
          if (ec2 || g != self->generation_ || self->connection_ || self->attempts_.empty()) return;
          spdlog::debug("no TCP answer from {} after {} ms: a second attempt alongside the first",
                        self->sender_name(), kSecondAttemptAfter.count());
          self->start_attempt(g);
        });
      });
}

void ControlClient::start_attempt(std::uint64_t g) {
  auto socket = std::make_shared<tcp::socket>(io_);
  attempts_.push_back(socket);
  const bool second = attempts_.size() > 1;
  asio::async_connect(
      *socket, endpoints_,
      [self = shared_from_this(), g, socket, second](boost::system::error_code ec, const tcp::endpoint&) {
        // An older try's, or the other attempt connected first (and closed this one).
        if (g != self->generation_ || self->connection_) return;
        std::erase(self->attempts_, socket);
        if (ec) {
          // Refused or unreachable: the other attempt, if any, may still connect.
          if (!self->attempts_.empty()) return;
          self->second_attempt_timer_.cancel();
          return self->lose("no answer from " + self->sender_name() + ": " + ec.message());
        }
        if (second) {
          ++self->won_by_second_attempt_;
          spdlog::info("connected to {} by a second TCP attempt (the first had no answer)",
                       self->sender_name());
        }
        self->connected(g, std::move(*socket));
      });
}

void ControlClient::connected(std::uint64_t g, tcp::socket socket) {
  second_attempt_timer_.cancel();
  close_attempts();
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  connection_ = std::make_shared<ControlConnection>(std::move(socket), tls_, settings_.max_queued_bytes);
  connection_->set_listener(*this);
  auto& stream = connection_->stream();
  // The sender's certificate must name the host we asked for, not just be signed by our CA.
  stream.set_verify_callback(asio::ssl::host_name_verification(settings_.host));
  SSL_set_tlsext_host_name(stream.native_handle(), settings_.host.c_str());
  connection_->handshake(asio::ssl::stream_base::client, [self = shared_from_this(), g] {
    if (g != self->generation_) return;
    self->handshake_done_ = true;
    pb::Envelope e = envelope();
    e.set_version(self->settings_.protocol_version);
    auto* hello = e.mutable_hello();
    hello->set_protocol_version(self->settings_.protocol_version);
    hello->set_software(self->settings_.software);
    hello->set_media_port(self->media_port_);
    if (self->settings_.preflight_ms != 0)
      hello->mutable_preflight()->set_duration_ms(self->settings_.preflight_ms);
    self->send(e);
    self->connection_->start_reading();
  });
}

void ControlClient::close_attempts() {
  // Closing a socket that is still connecting: its handler runs with operation_aborted.
  for (const auto& socket : attempts_) {
    boost::system::error_code ignored;
    socket->close(ignored);
  }
  attempts_.clear();
}

void ControlClient::send(const pb::Envelope& e) {
  if (connection_ && !stopped_) connection_->send(frame_of(e));
}

void ControlClient::admitted() {
  welcomed_ = true;
  attempt_ = 0;
  next_delay_ = settings_.reconnect_delay;
  connect_timer_.cancel();
}

SSL* ControlClient::tls_session() { return connection_ ? connection_->stream().native_handle() : nullptr; }

asio::ip::address ControlClient::sender_address() {
  boost::system::error_code ec;
  return connection_ ? connection_->stream().lowest_layer().remote_endpoint(ec).address()
                     : asio::ip::address();
}

void ControlClient::on_frame(std::span<const std::uint8_t> body) {
  pb::Envelope e;
  if (!e.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return lose("the sender sent a malformed control message");
  }
  if (e.has_refusal())
    return refuse(sender_name() + " refused this console: " + core::safe_text(e.refusal().reason(), 512));
  listener_.on_envelope(e);
}

void ControlClient::on_end(ConnectionEnd end, const std::string& why) {
  // TLS failures before admission are refusals, not link loss: trying again would fail the same way.
  if (!welcomed_ && end == ConnectionEnd::kTlsFailure) {
    return refuse((handshake_done_ ? "certificate not accepted by " : "TLS handshake with ") + sender_name() +
                  ": " + why);
  }
  if (end == ConnectionEnd::kTooLarge) return lose("the sender sent an oversized control message");
  lose("connection to " + sender_name() + (welcomed_ ? " lost: " : " ended: ") + why);
}

void ControlClient::fail(const std::string& why) { lose(why); }

void ControlClient::lose(const std::string& why) {
  if (stopped_) return;
  ++generation_;
  connect_timer_.cancel();
  second_attempt_timer_.cancel();
  close_attempts();
  if (connection_) {
    connection_->detach();
    connection_->close();
  }
  ++attempt_;
  const auto wait = next_delay_;
  next_delay_ = std::min(settings_.reconnect_max, next_delay_ * 2);
  listener_.on_lost(why, wait);
  reconnect_timer_.expires_after(wait);
  reconnect_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec && !self->stopped_) self->connect();
  });
}

void ControlClient::refuse(const std::string& why) {
  if (stopped_) return;
  stopped_ = true;
  ++generation_;
  connect_timer_.cancel();
  reconnect_timer_.cancel();
  second_attempt_timer_.cancel();
  close_attempts();
  if (connection_) {
    connection_->detach();
    connection_->close();
  }
  listener_.on_refused(why);
}

}  // namespace surgilink::session
