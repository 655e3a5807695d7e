#include "surgilink/vitals/mllp_listener.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <optional>
#include <stdexcept>
#include <unordered_set>
#include <utility>

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "hl7_segment.hpp"
#include "surgilink/core/repeat_limiter.hpp"
#include "surgilink/core/safe_text.hpp"
#include "surgilink/vitals/hl7_ack.hpp"
#include "surgilink/vitals/mllp_frame_reader.hpp"
#include "surgilink/vitals/oru_message.hpp"

namespace surgilink::vitals {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::uint64_t kMaxDrainBytes = 64ull * 1024 * 1024;  // after an AR, discard at most this much
constexpr std::chrono::milliseconds kMaxDrainTime{2000};
constexpr std::chrono::milliseconds kAcceptRetry{100};
constexpr std::chrono::seconds kLogRepeatInterval{10};

struct Connection {
  Connection(asio::io_context& io, tcp::socket s, asio::ip::address peer, std::uint64_t number,
             std::size_t max_frame)
      : socket(std::move(s)),
        timer(io),
        reader(max_frame),
        address(peer),
        serial(number),
        accepted_at(std::chrono::steady_clock::now()),
        last_message(accepted_at) {}
  tcp::socket socket;
  asio::steady_timer timer;
  MllpFrameReader reader;
  std::array<char, kReadChunk> buffer{};
  std::deque<std::string> writes;
  std::size_t queued_ack_bytes = 0;  // in `writes`
  asio::ip::address address;         // normalised (IPv4-mapped IPv6 as IPv4)
  std::uint64_t serial;              // order of admission: lower is older
  SteadyTime accepted_at;
  SteadyTime last_message;   // the last complete message (or the accept)
  SteadyTime frame_started;  // the start block of the frame being received
  SteadyTime deadline{};     // what the timer is armed for
  bool delivered = false;    // a message was accepted from it (it is a gateway, not a stranger)
  bool reading = false;
  bool writing = false;
  bool closing = false;   // a fatal problem: finish the writes, then drain and close
  bool draining = false;  // shut down for sending; discarding input until EOF or the drain deadline
  bool closed = false;
  std::uint64_t drained = 0;
  MllpCloseReason close_reason = MllpCloseReason::kPeerClosed;
};

// True when `expected` names the hierarchic designator `hd` (MSH-3 or MSH-4): its namespace id, its
// universal id, or all of it as written with '^' between the components.
// A hierarchic designator as written, components joined with '^' (trailing empty ones dropped).
std::string joined(const std::vector<std::string>& hd) {
  std::string whole;
  for (std::size_t i = 0; i < hd.size(); ++i) whole += (i > 0 ? "^" : "") + hd[i];
  while (!whole.empty() && whole.back() == '^') whole.pop_back();
  return whole;
}

bool names(const std::vector<std::string>& hd, const std::string& expected) {
  return (!hd.empty() && hd[0] == expected) || (hd.size() > 1 && hd[1] == expected) || joined(hd) == expected;
}

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
    case MllpCloseReason::kNotAllowed:
      return "refused: address not in vitals.hl7.allow";
    case MllpCloseReason::kAddressLimit:
      return "refused: too many connections from this address";
    case MllpCloseReason::kEvicted:
      return "closed to make room: no message delivered";
    case MllpCloseReason::kSlowMessage:
      return "message not complete within the message timeout";
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
        accept_retry(io_context),
        log_summary(io_context),
        log_limiter(kLogRepeatInterval) {}

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
  asio::steady_timer log_summary;
  core::RepeatLimiter log_limiter;
  std::uint64_t log_repeats_pending = 0;  // counted by log_limiter, not yet summarised
  bool log_summary_armed = false;
  std::unordered_set<std::shared_ptr<Connection>> connections;
  std::map<asio::ip::address, std::size_t> per_address;
  MllpCounters counters;
  std::uint64_t acks_sent = 0;
  std::uint64_t admitted = 0;
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

  // Logs what happened with `address` in full the first time per subject, address and outcome in an
  // interval; repeats are counted and summarised when the interval ends. `detail` is told the first time
  // only.
  void log_refusal(const char* subject, const asio::ip::address& address, const std::string& outcome,
                   const std::string& detail) {
    const std::string key = std::string(subject) + " from " + address.to_string() + " " + outcome;
    const core::CaptureTime now = clock.now();
    tell_repeats(now);
    if (log_limiter.first(key, now)) {
      spdlog::warn("MLLP: {}{}", key, detail);
      return;
    }
    ++log_repeats_pending;
    arm_log_summary();
  }

  // Summarises the repeats when their interval ends; re-armed while some are still to be told.
  void arm_log_summary() {
    if (log_summary_armed || log_repeats_pending == 0) return;
    log_summary_armed = true;
    log_summary.expires_after(kLogRepeatInterval);
    log_summary.async_wait([self = shared_from_this()](error_code ec) {
      self->log_summary_armed = false;
      if (ec || self->stopped) return;
      self->tell_repeats(self->clock.now());
      self->arm_log_summary();
    });
  }

  // One line per kind and address whose interval has ended with repeats in it.
  void tell_repeats(core::CaptureTime now) {
    for (const auto& r : log_limiter.ended(now)) {
      spdlog::warn("MLLP: {} more times in the last {} s: {}", r.count, kLogRepeatInterval.count(), r.key);
      log_repeats_pending -= std::min(log_repeats_pending, r.count);
    }
  }

  void refuse(tcp::socket& socket, const asio::ip::address& address, MllpCloseReason reason,
              std::atomic<std::uint64_t>& counter, core::Fault fault, const std::string& detail) {
    counter.fetch_add(1, std::memory_order_relaxed);
    counters.faults.add(fault);
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    log_refusal("connection", address, describe(reason), detail);
    if (observer) observer->on_connection_closed(reason);
  }

  // The connection a newcomer may replace when the listener is full: the oldest that has delivered nothing
  // and has had message_timeout to do so.
  std::shared_ptr<Connection> evictable() const {
    const SteadyTime settled = std::chrono::steady_clock::now() - settings.message_timeout;
    std::shared_ptr<Connection> oldest;
    for (const auto& c : connections) {
      if (c->delivered || c->accepted_at > settled) continue;
      if (!oldest || c->serial < oldest->serial) oldest = c;
    }
    return oldest;
  }

  void admit(tcp::socket socket) {
    error_code ec;
    const tcp::endpoint peer = socket.remote_endpoint(ec);
    if (ec) {  // already gone
      socket.close(ec);
      return;
    }
    const asio::ip::address address = GatewayAllowList::normalised(peer.address());
    if (!settings.allow.allows(address)) {
      refuse(socket, address, MllpCloseReason::kNotAllowed, counters.connections_not_allowed,
             core::Fault::kNotAuthorised, " (allowed: " + settings.allow.describe() + ")");
      return;
    }
    if (const auto open = per_address.find(address);
        open != per_address.end() && open->second >= settings.max_clients_per_address) {
      refuse(socket, address, MllpCloseReason::kAddressLimit, counters.connections_address_limit,
             core::Fault::kRateLimited, " (" + std::to_string(settings.max_clients_per_address) + " open)");
      return;
    }
    if (connections.size() >= settings.max_clients) {
      const auto victim = evictable();
      if (!victim) {
        refuse(socket, address, MllpCloseReason::kRefused, counters.connections_refused,
               core::Fault::kRateLimited, " (" + std::to_string(settings.max_clients) + " open, all busy)");
        return;
      }
      counters.connections_evicted.fetch_add(1, std::memory_order_relaxed);
      log_refusal("connection", victim->address, describe(MllpCloseReason::kEvicted), "");
      close(victim, MllpCloseReason::kEvicted);
    }
    auto c =
        std::make_shared<Connection>(io, std::move(socket), address, ++admitted, settings.max_frame_bytes);
    error_code ignored;
    c->socket.set_option(tcp::no_delay(true), ignored);
    connections.insert(c);
    ++per_address[address];
    counters.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    counters.connections_open.fetch_add(1, std::memory_order_relaxed);
    arm_timer(c);
    read(c);
  }

  // Forgets `address` once it has no connections left (so the map follows the open connections).
  void per_address_release(const asio::ip::address& address, std::size_t released) {
    const auto it = per_address.find(address);
    if (it == per_address.end()) return;
    it->second -= std::min(it->second, released);
    if (it->second == 0) per_address.erase(it);
  }

  // One timer per connection, armed for the earlier of: idle_timeout after the last complete message, and
  // message_timeout after the start of the frame being received.
  void arm_timer(const std::shared_ptr<Connection>& c) {
    SteadyTime deadline = c->last_message + settings.idle_timeout;
    if (c->reader.in_frame()) deadline = std::min(deadline, c->frame_started + settings.message_timeout);
    if (deadline == c->deadline) return;
    c->deadline = deadline;
    c->timer.expires_at(deadline);
    c->timer.async_wait([self = shared_from_this(), c](error_code ec) {
      if (ec || self->stopped || c->closed || c->draining) return;
      if (c->reader.in_frame() &&
          std::chrono::steady_clock::now() >= c->frame_started + self->settings.message_timeout) {
        self->counters.connections_slow.fetch_add(1, std::memory_order_relaxed);
        self->counters.faults.add(core::Fault::kLate);
        self->close(c, MllpCloseReason::kSlowMessage);
        return;
      }
      self->counters.connections_timed_out.fetch_add(1, std::memory_order_relaxed);
      self->close(c, MllpCloseReason::kIdleTimeout);
    });
  }

  void read(const std::shared_ptr<Connection>& c) {
    if (c->closed || c->reading) return;
    // Messages held back while the client reads no ACKs: read nothing more until they are taken.
    if (!c->draining && (c->queued_ack_bytes >= kMllpMaxQueuedAckBytes || c->reader.has_message())) return;
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
    const std::uint64_t starts = c->reader.frames_started();
    c->reader.feed(std::string_view(c->buffer.data(), n));
    if (c->reader.frames_started() != starts) c->frame_started = std::chrono::steady_clock::now();
    take_messages(c);
    if (stopped || c->closed) return;
    if (!c->closing) arm_timer(c);
    read(c);
  }

  // Answers the complete messages the reader holds while the client's ACK queue has room.
  void take_messages(const std::shared_ptr<Connection>& c) {
    while (!c->closed && !c->closing && c->queued_ack_bytes < kMllpMaxQueuedAckBytes) {
      auto next = c->reader.next();
      if (!next) {
        fail(c, next.error());
        break;
      }
      if (!next.value()) break;
      c->last_message = std::chrono::steady_clock::now();
      on_message(c, *next.value());
      if (stopped) return;
    }
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

  // Why a message with this header is not read: it does not come from the configured gateway.
  std::optional<Rejection> unexpected_sender(const Hl7Header& h) const {
    const auto check = [](const std::vector<std::string>& hd, const std::string& expected, int field,
                          const char* name) -> std::optional<Rejection> {
      if (expected.empty() || names(hd, expected)) return std::nullopt;
      Rejection r = reject(core::Fault::kNotAuthorised,
                           "MSH-" + std::to_string(field) + " " + name + " '" + printable(joined(hd)) +
                               "' is not a gateway this listener takes vitals from");
      r.location = "MSH^1^" + std::to_string(field);
      r.hl7_condition = 207;
      return r;
    };
    if (auto r = check(h.sending_application, settings.sending_application, 3, "sending application"))
      return r;
    return check(h.sending_facility, settings.sending_facility, 4, "sending facility");
  }

  void on_message(const std::shared_ptr<Connection>& c, const std::string& message) {
    if (!settings.sending_application.empty() || !settings.sending_facility.empty()) {
      // Checked on the header alone: a stranger's message is not read any further.
      if (auto header = Hl7Header::parse(message)) {
        if (auto refusal = unexpected_sender(header.value())) {
          counters.messages_rejected.fetch_add(1, std::memory_order_relaxed);
          counters.messages_unexpected_sender.fetch_add(1, std::memory_order_relaxed);
          counters.faults.add(refusal->fault);
          log_refusal("message", c->address, "refused: not from the configured gateway",
                      ": MSH-3 '" + core::safe_text(joined(header.value().sending_application), 80) +
                          "', MSH-4 '" + core::safe_text(joined(header.value().sending_facility), 80) + "'");
          send(c,
               make_ack(header.value(), AckCode::kReject, std::span<const Rejection>(&*refusal, 1), stamp()));
          return;
        }
      }
    }
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
    c->delivered = true;
    counters.observations_unknown.fetch_add(m.unknown_observations, std::memory_order_relaxed);
    if (m.problems.empty()) {
      counters.messages_accepted.fetch_add(1, std::memory_order_relaxed);
      send(c, make_ack(m.header, AckCode::kAccept, std::span<const Rejection>{}, stamp()));
    } else {
      // Bad input loses nothing else: the refused segments are named, the rest is delivered.
      counters.messages_rejected.fetch_add(1, std::memory_order_relaxed);
      counters.segments_refused.fetch_add(m.problems.size() + m.problems_not_listed,
                                          std::memory_order_relaxed);
      for (const Rejection& p : m.problems) counters.faults.add(p.fault);
      send(c, make_ack(m.header, AckCode::kError, m.problems, stamp(), m.problems_not_listed));
    }
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
    c->queued_ack_bytes += c->writes.back().size();
    if (c->queued_ack_bytes > counters.ack_bytes_queued_peak.load(std::memory_order_relaxed)) {
      counters.ack_bytes_queued_peak.store(c->queued_ack_bytes, std::memory_order_relaxed);
    }
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
                        c->queued_ack_bytes -= c->writes.front().size();
                        c->writes.pop_front();
                        self->take_messages(c);  // messages held back while the queue was full
                        if (self->stopped || c->closed) return;
                        if (!c->writes.empty()) {
                          if (!c->writing) self->write(c);
                        } else if (c->closing && !c->draining) {
                          self->drain(c);
                        }
                        if (!c->closing) self->arm_timer(c);
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
    per_address_release(c->address, 1);
    counters.connections_open.fetch_sub(1, std::memory_order_relaxed);
    if (observer && !stopped) observer->on_connection_closed(reason);
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    error_code ignored;
    acceptor.close(ignored);
    accept_retry.cancel();
    log_summary.cancel();
    for (const auto& c : connections) {
      c->closed = true;
      c->timer.cancel();
      c->socket.close(ignored);
      counters.connections_open.fetch_sub(1, std::memory_order_relaxed);
    }
    connections.clear();
    per_address.clear();
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
