#pragma once
// One mutual-TLS control connection, on the sender's side or the console's: length-prefixed frames in, one
// write queue out with at most one write in flight (as Boost.Beast's examples do), and a byte cap on what
// waits to be written, so a peer that never reads cannot grow the process.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "surgilink/session/control_framing.hpp"

namespace surgilink::session {

// One encoded control message (length prefix included), immutable, shared by every connection it goes to:
// a broadcast is serialised once.
using ControlFrame = std::shared_ptr<const std::vector<std::uint8_t>>;

// Why a control connection ended.
enum class ConnectionEnd {
  kClosedByPeer,   // end of stream (with or without a TLS goodbye)
  kLinkError,      // reset, timeout, unreachable
  kTlsFailure,     // the TLS handshake or a record failed
  kTooLarge,       // a frame's length prefix was over kMaxControlMessage
  kSlowReader,     // more than the byte cap waited to be written: the peer does not read
  kHandlerFailed,  // the listener threw while handling a frame: this connection's input broke a rule
  kClosedHere,     // close() by the owner
};
const char* describe(ConnectionEnd end);

// Network thread only. Owned through std::shared_ptr: pending handlers keep it alive after its owner let go.
class ControlConnection : public std::enable_shared_from_this<ControlConnection> {
 public:
  using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

  // Told on the network thread.
  class Listener {
   public:
    virtual ~Listener() = default;
    // One complete frame's body. An exception thrown here ends this connection (kHandlerFailed), never the
    // process.
    virtual void on_frame(std::span<const std::uint8_t> body) = 0;
    // Exactly once, when the connection ended (also after the owner's close()), unless detach()ed.
    virtual void on_end(ConnectionEnd end, const std::string& why) = 0;
  };

  // `socket` connected already: the sender's accepted one, or the console's (ControlClient's attempt that
  // connected first).
  ControlConnection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls,
                    std::size_t max_queued_bytes);
  ControlConnection(const ControlConnection&) = delete;
  ControlConnection& operator=(const ControlConnection&) = delete;

  Stream& stream() { return stream_; }
  // Where frames and the end go; the listener must outlive the connection or detach().
  void set_listener(Listener& listener) { listener_ = &listener; }
  // Runs the TLS handshake; `done` runs on success. A failure ends the connection (kTlsFailure, or how the
  // link failed), which the listener hears.
  void handshake(boost::asio::ssl::stream_base::handshake_type side, std::function<void()> done);
  // Starts the read loop (after the handshake).
  void start_reading();
  // Queues one frame. False when the connection has ended or the frame would put more than the byte cap
  // in the queue; the connection then ends (kSlowReader).
  bool send(ControlFrame frame);
  // Ends once everything queued is on the wire (a refusal the peer should read).
  void close_after_writes();
  // Ends now.
  void close();
  // No more calls to the listener (its owner is going away).
  void detach() { listener_ = nullptr; }

  bool ended() const { return ended_; }
  std::size_t queued_bytes() const { return queued_bytes_; }
  std::size_t max_queued_bytes() const { return max_queued_bytes_; }

 private:
  void read();
  void write_next();
  void end(ConnectionEnd end, const std::string& why);

  Stream stream_;
  std::size_t max_queued_bytes_;
  Listener* listener_ = nullptr;
  ControlFrameReader reader_;
  std::vector<std::uint8_t> read_buffer_ = std::vector<std::uint8_t>(4096);
  std::deque<ControlFrame> write_queue_;
  std::size_t queued_bytes_ = 0;
  bool close_when_written_ = false;
  bool ended_ = false;
};

// Why a TLS/socket error ended a connection, in ConnectionEnd's terms.
ConnectionEnd classify(const boost::system::error_code& ec);

}  // namespace surgilink::session
