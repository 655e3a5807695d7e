#pragma once
// A console's realtime channel (DESIGN.md §1): one UDP socket; SRTP unprotect with the current connection's
// key; each RTP packet to the stream receiver registered for its SSRC and payload type (video, vitals, and
// room for voice, retransmission and FEC); RTCP out (keyframe requests). Private to session/.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/srtp_session.hpp"
#include "surgilink/session/tls_identity.hpp"

namespace surgilink::session {

// Network thread only. Held by std::shared_ptr (make_shared): its handlers keep it alive.
class RealtimeReceiver : public std::enable_shared_from_this<RealtimeReceiver> {
 public:
  // One stream of the channel. Told on the network thread.
  class Stream {
   public:
    virtual ~Stream() = default;
    // One authenticated, decrypted RTP packet of this stream (`packet` is the whole plain packet;
    // `wire_bytes` its size as received, for the bit rate).
    virtual void on_rtp(const media::RtpHeader& header, std::span<const std::uint8_t> packet,
                        core::CaptureTime arrival, std::size_t wire_bytes) = 0;
  };

  // Binds the UDP port (0: any free one) on the address family of `sender_host`; throws std::runtime_error.
  RealtimeReceiver(boost::asio::io_context& io, const std::string& sender_host, std::uint16_t port,
                   const core::Clock& clock, core::FaultCounters& faults);
  void start();
  void stop();

  // The keys and the sender's media address of a new connection; streams are registered after it.
  void connect(const boost::asio::ip::udp::endpoint& sender, media::SrtpProfile profile,
               const SrtpKeys& keys);
  // The connection is gone: packets are rejected until the next connect(); streams are forgotten.
  void disconnect();
  // `stream` must stay valid until disconnect().
  void add_stream(std::uint32_t ssrc, std::uint8_t payload_type, Stream& stream);
  // Every SSRC of `payload_type` not registered by add_stream (talkers whose SSRC is not announced: the OR's
  // voice and the other mentors'). Valid until disconnect().
  void add_payload_stream(std::uint8_t payload_type, Stream& stream);
  // Protects and sends one RTP packet of `length` bytes (room for the SRTP tag after it); false if it could
  // not go.
  bool send_rtp(std::span<std::uint8_t> buffer, std::size_t length);
  // Protects and sends one RTCP packet of `length` bytes (room for the trailer after it); false if it could
  // not go.
  bool send_rtcp(std::span<std::uint8_t> buffer, std::size_t length);

  std::uint16_t port() const;

 private:
  void receive();
  void on_datagram(std::size_t size);

  boost::asio::ip::udp::socket socket_;
  const core::Clock& clock_;
  core::FaultCounters& faults_;
  std::optional<boost::asio::ip::udp::endpoint> sender_;
  std::unique_ptr<media::SrtpSession> inbound_, outbound_;
  std::map<std::pair<std::uint32_t, std::uint8_t>, Stream*> streams_;
  std::map<std::uint8_t, Stream*> payload_streams_;
  std::vector<std::uint8_t> datagram_ = std::vector<std::uint8_t>(2048);
  boost::asio::ip::udp::endpoint from_;
  bool stopped_ = false;
};

}  // namespace surgilink::session
