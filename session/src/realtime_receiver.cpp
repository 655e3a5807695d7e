#include "realtime_receiver.hpp"

#include <stdexcept>

namespace surgilink::session {

namespace asio = boost::asio;
using asio::ip::udp;

RealtimeReceiver::RealtimeReceiver(asio::io_context& io, const std::string& sender_host, std::uint16_t port,
                                   const core::Clock& clock, core::FaultCounters& faults)
    : socket_(io), clock_(clock), faults_(faults) {
  const auto local = asio::ip::make_address(sender_host.find(':') != std::string::npos ? "::" : "0.0.0.0");
  socket_.open(local.is_v6() ? udp::v6() : udp::v4());
  boost::system::error_code ec;
  socket_.bind(udp::endpoint(local, port), ec);
  if (ec) throw std::runtime_error("media port " + std::to_string(port) + " cannot be used: " + ec.message());
  socket_.set_option(asio::socket_base::receive_buffer_size(4 * 1024 * 1024), ec);
  // Before connecting: on the sender's welcome the joining keyframe is already on its way (see
  // ConsoleSession::start).
  media::initialise_srtp();
}

void RealtimeReceiver::start() { receive(); }

void RealtimeReceiver::stop() {
  stopped_ = true;
  disconnect();
  boost::system::error_code ec;
  socket_.close(ec);
}

std::uint16_t RealtimeReceiver::port() const { return socket_.local_endpoint().port(); }

void RealtimeReceiver::connect(const udp::endpoint& sender, media::SrtpProfile profile,
                               const SrtpKeys& keys) {
  using media::SrtpSession;
  sender_ = sender;
  inbound_ = std::make_unique<SrtpSession>(profile, SrtpSession::Direction::kInbound, keys.sender_to_console);
  outbound_ =
      std::make_unique<SrtpSession>(profile, SrtpSession::Direction::kOutbound, keys.console_to_sender);
  streams_.clear();
  payload_streams_.clear();
}

void RealtimeReceiver::disconnect() {
  sender_.reset();
  inbound_.reset();
  outbound_.reset();
  streams_.clear();
  payload_streams_.clear();
}

void RealtimeReceiver::add_payload_stream(std::uint8_t payload_type, Stream& stream) {
  payload_streams_[payload_type] = &stream;
}

bool RealtimeReceiver::send_rtp(std::span<std::uint8_t> buffer, std::size_t length) {
  if (!outbound_ || !sender_) return false;
  auto protected_length = outbound_->protect_rtp(buffer, length);
  if (!protected_length) {
    faults_.add(protected_length.error());
    return false;
  }
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(buffer.data(), protected_length.value()), *sender_, 0, ec);
  return !ec;
}

void RealtimeReceiver::add_stream(std::uint32_t ssrc, std::uint8_t payload_type, Stream& stream) {
  streams_[{ssrc, payload_type}] = &stream;
}

bool RealtimeReceiver::send_rtcp(std::span<std::uint8_t> buffer, std::size_t length) {
  if (!outbound_ || !sender_) return false;
  auto protected_length = outbound_->protect_rtcp(buffer, length);
  if (!protected_length) return false;
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(buffer.data(), protected_length.value()), *sender_, 0, ec);
  return !ec;
}

void RealtimeReceiver::receive() {
  socket_.async_receive_from(asio::buffer(datagram_), from_,
                             [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                               if (ec == asio::error::operation_aborted || self->stopped_) return;
                               if (!ec) self->on_datagram(n);
                               self->receive();
                             });
}

void RealtimeReceiver::on_datagram(std::size_t size) {
  // Any source address is accepted: SRTP authentication decides what is the sender's (and a NAT may rebind
  // the sender's port mid-session).
  if (!inbound_) {
    faults_.add(core::Fault::kUnknownStream);
    return;
  }
  const core::CaptureTime arrival = clock_.now();
  if (media::looks_like_rtcp(std::span(datagram_.data(), size))) {
    auto plain = inbound_->unprotect_rtcp(datagram_, size);
    if (!plain) faults_.add(plain.error());
    return;  // the sender sends no RTCP the console acts on yet
  }
  auto plain = inbound_->unprotect_rtp(datagram_, size);
  if (!plain) {
    faults_.add(plain.error());
    return;
  }
  const std::span<const std::uint8_t> packet(datagram_.data(), plain.value());
  auto header = media::parse_rtp(packet);
  if (!header) {
    faults_.add(header.error());
    return;
  }
  Stream* stream = nullptr;
  if (const auto it = streams_.find({header.value().ssrc, header.value().payload_type});
      it != streams_.end()) {
    stream = it->second;
  } else if (const auto by_type = payload_streams_.find(header.value().payload_type);
             by_type != payload_streams_.end()) {
    stream = by_type->second;
  }
  if (stream == nullptr) {
    faults_.add(core::Fault::kUnknownStream);
    return;
  }
  stream->on_rtp(header.value(), packet, arrival, size);
}

}  // namespace surgilink::session
