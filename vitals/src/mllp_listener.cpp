#include "surgilink/vitals/mllp_listener.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <stdexcept>
#include <unordered_set>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "surgilink/vitals/hl7_ack.hpp"
#include "surgilink/vitals/mllp_frame_reader.hpp"
#include "surgilink/vitals/oru_message.hpp"

namespace surgilink::vitals {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxPendingAcks = 64;                    // stop reading while the client reads no ACKs
constexpr std::uint64_t kMaxDrainBytes = 64ull * 1024 * 1024;  // after an AR, discard at most this much
constexpr std::chrono::milliseconds kMaxDrainTime{2000};
constexpr std::chrono::milliseconds kAcceptRetry{100};

struct Connection {
  explicit Connection(asio::io_context& io, tcp::socket s, std::size_t max_frame)
      : socket(std::move(s)), timer(io), reader(max_frame) {}
  tcp::socket socket;
  asio::steady_timer timer;
  MllpFrameReader reader;
  std::array<char, kReadChunk> buffer{};
  std::deque<std::string> writes;
  bool reading = false;
  bool writing = false;
  bool closing = false;   // a fatal problem: finish the writes, then drain and close
  bool draining = false;  // shut down for sending; discarding input until EOF or the drain deadline
  bool closed = false;
  std::uint64_t drained = 0;
  MllpCloseReason close_reason = MllpCloseReason::kPeerClosed;
};

}  // namespace

const char* describe(MllpCloseReason reason) {
  switch (reason) {
    case MllpCloseReason::kPeerClosed:
      return "closed by the client";
    case MllpCloseReason::kTruncatedFrame:
      return "closed by the client inside a frame";
    case MllpCloseReason::kIdleTimeout:
      return "idle timeout";
    case MllpCloseReason::kFrameTooLarge:
      return "frame too large";
    case MllpCloseReason::kBadFraming:
      return "bad MLLP framing";
    case MllpCloseReason::kRefused:
      return "refused: too many clients";
    case MllpCloseReason::kSocketError:
      return "socket error";
  }
  return "?";
}

struct MllpListener::Impl : std::enable_shared_from_this<MllpListener::Impl> {
  Impl(asio::io_context& io_context, MllpSettings s, ObservationCodeMap code_map, const core::Clock& c,
       VitalsListener& l, MllpObserver* o)
      : io(io_context),
        settings(std::move(s)),
        codes(std::move(code_map)),
        clock(c),
        listener(l),
        observer(o),
        acceptor(io_context),
        accept_retry(io_context) {}

  // Passed in.
  asio::io_context& io;
  const MllpSettings settings;
  const ObservationCodeMap codes;
  const core::Clock& clock;
  VitalsListener& listener;
  MllpObserver* observer;
  // Owned.
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  std::unordered_set<std::shared_ptr<Connection>> connections;
  MllpCounters counters;
  std::uint64_t acks_sent = 0;
  bool stopped = false;

  void bind() {
    error_code ec;
    const auto address = asio::ip::make_address(settings.bind_address, ec);
    if (ec) throw std::runtime_error("MLLP listener: bad bind address '" + settings.bind_address + "'");
    const tcp::endpoint endpoint(address, settings.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      throw std::runtime_error("MLLP listener: cannot listen on " + settings.bind_address + ":" +
                               std::to_string(settings.port) + ": " + ec.message());
    }
  }

  void accept() {
    if (stopped) return;
    acceptor.async_accept([self = shared_from_this()](error_code ec, tcp::socket socket) {
      if (self->stopped) return;
      if (ec) {
        if (ec == asio::error::operation_aborted) return;
        // Out of descriptors or a transient network error: try again shortly instead of spinning.
        self->counters.faults.add(core::Fault::kInternal);
        self->accept_retry.expires_after(kAcceptRetry);
        self->accept_retry.async_wait([self](error_code wait_ec) {
          if (!wait_ec) self->accept();
        });
        return;
      }
      self->admit(std::move(socket));
      self->accept();
    });
  }

  void admit(tcp::socket socket) {
    if (connections.size() >= settings.max_clients) {
      counters.connections_refused.fetch_add(1, std::memory_order_relaxed);
      counters.faults.add(core::Fault::kRateLimited);
      error_code ignored;
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
      if (observer) observer->on_connection_closed(MllpCloseReason::kRefused);
      return;
    }
    auto c = std::make_shared<Connection>(io, std::move(socket), settings.max_frame_bytes);
    error_code ignored;
    c->socket.set_option(tcp::no_delay(true), ignored);
    connections.insert(c);
    counters.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    counters.connections_open.fetch_add(1, std::memory_order_relaxed);
    arm_idle_timer(c);
    read(c);
  }

  void arm_idle_timer(const std::shared_ptr<Connection>& c) {
    c->timer.expires_after(settings.idle_timeout);
    c->timer.async_wait([self = shared_from_this(), c](error_code ec) {
      if (ec || self->stopped || c->closed) return;
      if (c->draining) {
        self->close(c, c->close_reason);
        return;
      }
      self->counters.connections_timed_out.fetch_add(1, std::memory_order_relaxed);
      self->close(c, MllpCloseReason::kIdleTimeout);
    });
  }

  void read(const std::shared_ptr<Connection>& c) {
    if (c->closed || c->reading) return;
    if (!c->draining && c->writes.size() >= kMaxPendingAcks) return;  // resumed when the writes drain
    c->reading = true;
    c->socket.async_read_some(asio::buffer(c->buffer),
                              [self = shared_from_this(), c](error_code ec, std::size_t n) {
                                c->reading = false;
                                if (self->stopped || c->closed) return;
                                self->on_read(c, ec, n);
                              });
  }

  void on_read(const std::shared_ptr<Connection>& c, error_code ec, std::size_t n) {
    if (ec) {
      if (c->draining) {
        close(c, c->close_reason);
      } else if (ec == asio::error::eof && c->reader.in_frame()) {
        counters.frames_truncated.fetch_add(1, std::memory_order_relaxed);
        counters.faults.add(core::Fault::kTruncated);
        close(c, MllpCloseReason::kTruncatedFrame);
      } else if (ec == asio::error::eof) {
        close(c, MllpCloseReason::kPeerClosed);
      } else {
        if (c->reader.in_frame()) {
          counters.frames_truncated.fetch_add(1, std::memory_order_relaxed);
          counters.faults.add(core::Fault::kTruncated);
        }
        close(c, MllpCloseReason::kSocketError);
      }
      return;
    }
    counters.bytes_received.fetch_add(n, std::memory_order_relaxed);
    if (c->draining) {
      c->drained += n;
      if (c->drained > kMaxDrainBytes) {
        close(c, c->close_reason);
        return;
      }
      read(c);
      return;
    }
    if (c->closing) {  // waiting for the AR to be written; ignore anything else
      read(c);
      return;
    }
    arm_idle_timer(c);
    c->reader.feed(std::string_view(c->buffer.data(), n));
    while (!c->closed && !c->closing) {
      auto next = c->reader.next();
      if (!next) {
        fail(c, next.error());
        break;
      }
      if (!next.value()) break;
      on_message(c, *next.value());
      if (stopped) return;
    }
    read(c);
  }

  AckStamp stamp() {
    AckStamp s;
    s.now = clock.now();
    s.control_id =
        "SL" +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(s.now.time_since_epoch()).count()) +
        "." + std::to_string(++acks_sent);
    return s;
  }

  void on_message(const std::shared_ptr<Connection>& c, const std::string& message) {
    const core::CaptureTime received = clock.now();
    OruLimits limits;
    limits.max_bytes = settings.max_frame_bytes;
    limits.max_observations = settings.max_observations;
    auto parsed = OruMessage::parse(message, codes, received, limits);
    if (!parsed) {
      counters.messages_rejected.fetch_add(1, std::memory_order_relaxed);
      counters.faults.add(parsed.error().fault);
      send(c, make_ack(Hl7Header::salvage(message), AckCode::kReject,
                       std::span<const Rejection>(&parsed.error(), 1), stamp()));
      return;
    }
    OruMessage& m = parsed.value();
    counters.observations_unknown.fetch_add(m.unknown_observations, std::memory_order_relaxed);
    if (!m.problems.empty()) {
      counters.messages_rejected.fetch_add(1, std::memory_order_relaxed);
      counters.faults.add(m.problems.front().fault);
      send(c, make_ack(m.header, AckCode::kError, m.problems, stamp()));
      return;
    }
    counters.messages_accepted.fetch_add(1, std::memory_order_relaxed);
    send(c, make_ack(m.header, AckCode::kAccept, std::span<const Rejection>{}, stamp()));
    if (!m.samples.empty()) {
      counters.samples_delivered.fetch_add(m.samples.size(), std::memory_order_relaxed);
      listener.on_vitals(std::move(m.samples));
    }
  }

  // A frame the connection cannot recover from: answer AR, then shut down, drain and close.
  void fail(const std::shared_ptr<Connection>& c, const Rejection& why) {
    counters.faults.add(why.fault);
    counters.messages_rejected.fetch_add(1, std::memory_order_relaxed);
    if (why.fault == core::Fault::kTooLarge) {
      counters.frames_too_large.fetch_add(1, std::memory_order_relaxed);
      c->close_reason = MllpCloseReason::kFrameTooLarge;
    } else {
      counters.framing_errors.fetch_add(1, std::memory_order_relaxed);
      c->close_reason = MllpCloseReason::kBadFraming;
    }
    c->closing = true;
    send(c, make_ack(Hl7Header::salvage(c->reader.current_frame()), AckCode::kReject,
                     std::span<const Rejection>(&why, 1), stamp()));
  }

  void send(const std::shared_ptr<Connection>& c, const std::string& ack) {
    c->writes.push_back(mllp_frame(ack));
    if (!c->writing) write(c);
  }

  void write(const std::shared_ptr<Connection>& c) {
    c->writing = true;
    asio::async_write(c->socket, asio::buffer(c->writes.front()),
                      [self = shared_from_this(), c](error_code ec, std::size_t) {
                        c->writing = false;
                        if (self->stopped || c->closed) return;
                        if (ec) {
                          self->close(c, c->closing ? c->close_reason : MllpCloseReason::kSocketError);
                          return;
                        }
                        c->writes.pop_front();
                        if (!c->writes.empty()) {
                          self->write(c);
                        } else if (c->closing && !c->draining) {
                          self->drain(c);
                        }
                        self->read(c);  // resumes a read paused for back-pressure
                      });
  }

  void drain(const std::shared_ptr<Connection>& c) {
    c->draining = true;
    error_code ignored;
    c->socket.shutdown(tcp::socket::shutdown_send, ignored);
    c->timer.expires_after(std::min<std::chrono::milliseconds>(settings.idle_timeout, kMaxDrainTime));
    c->timer.async_wait([self = shared_from_this(), c](error_code ec) {
      if (ec || self->stopped || c->closed) return;
      self->close(c, c->close_reason);
    });
  }

  void close(const std::shared_ptr<Connection>& c, MllpCloseReason reason) {
    if (c->closed) return;
    c->closed = true;
    error_code ignored;
    c->timer.cancel();
    c->socket.shutdown(tcp::socket::shutdown_both, ignored);
    c->socket.close(ignored);
    connections.erase(c);
    counters.connections_open.fetch_sub(1, std::memory_order_relaxed);
    if (observer && !stopped) observer->on_connection_closed(reason);
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    error_code ignored;
    acceptor.close(ignored);
    accept_retry.cancel();
    for (const auto& c : connections) {
      c->closed = true;
      c->timer.cancel();
      c->socket.close(ignored);
      counters.connections_open.fetch_sub(1, std::memory_order_relaxed);
    }
    connections.clear();
  }
};

MllpListener::MllpListener(boost::asio::io_context& io, MllpSettings settings, ObservationCodeMap codes,
                           const core::Clock& clock, VitalsListener& listener, MllpObserver* observer)
    : impl_(std::make_shared<Impl>(io, std::move(settings), std::move(codes), clock, listener, observer)) {
  impl_->bind();
  port_ = impl_->acceptor.local_endpoint().port();
}

MllpListener::~MllpListener() { impl_->stop(); }

void MllpListener::start() { impl_->accept(); }

void MllpListener::stop() { impl_->stop(); }

const MllpCounters& MllpListener::counters() const { return impl_->counters; }

}  // namespace surgilink::vitals
