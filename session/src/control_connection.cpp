#include "surgilink/session/control_connection.hpp"

#include <exception>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

#include "surgilink/session/tls_identity.hpp"

namespace surgilink::session {

namespace asio = boost::asio;

const char* describe(ConnectionEnd end) {
  switch (end) {
    case ConnectionEnd::kClosedByPeer:
      return "closed by the peer";
    case ConnectionEnd::kLinkError:
      return "link error";
    case ConnectionEnd::kTlsFailure:
      return "TLS failure";
    case ConnectionEnd::kTooLarge:
      return "control message too large";
    case ConnectionEnd::kSlowReader:
      return "the peer does not read";
    case ConnectionEnd::kHandlerFailed:
      return "a message broke a rule";
    case ConnectionEnd::kClosedHere:
      return "closed here";
  }
  return "?";
}

ConnectionEnd classify(const boost::system::error_code& ec) {
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return ConnectionEnd::kClosedByPeer;
  if (ec.category() == asio::error::get_ssl_category()) return ConnectionEnd::kTlsFailure;
  return ConnectionEnd::kLinkError;
}

ControlConnection::ControlConnection(asio::ip::tcp::socket socket, asio::ssl::context& tls,
                                     std::size_t max_queued_bytes)
    : stream_(std::move(socket), tls), max_queued_bytes_(max_queued_bytes) {}

void ControlConnection::handshake(asio::ssl::stream_base::handshake_type side, std::function<void()> done) {
  stream_.async_handshake(
      side, [self = shared_from_this(), done = std::move(done)](const boost::system::error_code& ec) {
        if (self->ended_) return;
        if (ec) {
          const ConnectionEnd how = classify(ec);
          return self->end(how == ConnectionEnd::kClosedByPeer ? ConnectionEnd::kTlsFailure : how,
                           explain_tls_error(ec, self->stream_.native_handle()));
        }
        done();
      });
}

void ControlConnection::start_reading() { read(); }

void ControlConnection::read() {
  stream_.async_read_some(
      asio::buffer(read_buffer_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
        if (self->ended_) return;
        if (ec) return self->end(classify(ec), explain_tls_error(ec));
        self->reader_.feed(std::span(self->read_buffer_.data(), n));
        while (!self->ended_) {
          auto frame = self->reader_.next();
          if (!frame) {
            return self->end(ConnectionEnd::kTooLarge,
                             "a control message over " + std::to_string(kMaxControlMessage) + " bytes");
          }
          if (!frame.value()) break;
          if (self->listener_ == nullptr) return;
          try {
            self->listener_->on_frame(*frame.value());
          } catch (const std::exception& e) {
            // DESIGN.md §8: one connection's input closes that connection, never the process.
            return self->end(ConnectionEnd::kHandlerFailed, e.what());
          }
        }
        if (!self->ended_) self->read();
      });
}

bool ControlConnection::send(ControlFrame frame) {
  if (ended_ || !frame) return false;
  if (queued_bytes_ + frame->size() > max_queued_bytes_) {
    end(ConnectionEnd::kSlowReader, std::to_string(queued_bytes_) + " bytes wait to be written (limit " +
                                        std::to_string(max_queued_bytes_) + ")");
    return false;
  }
  queued_bytes_ += frame->size();
  write_queue_.push_back(std::move(frame));
  if (write_queue_.size() == 1) write_next();
  return true;
}

void ControlConnection::write_next() {
  asio::async_write(stream_, asio::buffer(*write_queue_.front()),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      if (self->ended_) return;
                      if (ec) return self->end(classify(ec), explain_tls_error(ec));
                      self->queued_bytes_ -= self->write_queue_.front()->size();
                      self->write_queue_.pop_front();
                      if (!self->write_queue_.empty()) {
                        self->write_next();
                      } else if (self->close_when_written_) {
                        self->end(ConnectionEnd::kClosedHere, "closed after the last message");
                      }
                    });
}

void ControlConnection::close_after_writes() {
  if (write_queue_.empty()) return close();
  close_when_written_ = true;
}

void ControlConnection::close() { end(ConnectionEnd::kClosedHere, "closed here"); }

void ControlConnection::end(ConnectionEnd how, const std::string& why) {
  if (ended_) return;
  ended_ = true;
  boost::system::error_code ignored;
  stream_.lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.lowest_layer().close(ignored);
  // The queue stays until the connection is destroyed: a write in flight may still refer to its front.
  if (Listener* listener = std::exchange(listener_, nullptr)) listener->on_end(how, why);
}

}  // namespace surgilink::session
