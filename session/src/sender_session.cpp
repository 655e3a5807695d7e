#include "surgilink/session/sender_session.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>

#include <array>
#include <deque>
#include <fstream>
#include <list>

#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "control.pb.h"
#include "surgilink/annotation/scene_authority.hpp"
#include "surgilink/annotation/wire.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/session/audit_log.hpp"
#include "surgilink/session/case_event_log.hpp"
#include "surgilink/session/control_framing.hpp"
#include "surgilink/vitals/vitals_packet.hpp"

namespace surgilink::session {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
namespace pb = surgilink::control::v1;

namespace {

std::string base64(const std::vector<std::uint8_t>& data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i + 1 == data.size()) {
    const std::uint32_t v = std::uint32_t{data[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

}  // namespace

// One console's control connection and its SRTP contexts. Lives on the network thread.
struct ConsoleConnection : std::enable_shared_from_this<ConsoleConnection> {
  ConsoleConnection(tcp::socket socket, asio::ssl::context& tls)
      : stream(std::move(socket), tls), hello_timer(stream.get_executor()) {}

  asio::ssl::stream<tcp::socket> stream;
  asio::steady_timer hello_timer;
  std::string peer;  // "address:port" for logs
  std::string name;
  std::string author_id;  // short id of this console's annotations ("c3"), unique per sender run
  Role role = Role::kObserver;
  bool admitted = false;
  bool closing = false;
  bool close_when_written = false;  // a refusal: close once it is on the wire
  std::optional<udp::endpoint> media_endpoint;
  std::unique_ptr<media::SrtpSession> outbound;
  std::unique_ptr<media::SrtpSession> inbound;
  ControlFrameReader reader;
  std::array<std::uint8_t, 4096> read_buffer{};
  std::deque<std::vector<std::uint8_t>> write_queue;  // one write in flight at a time
  std::optional<ConsoleLatency> latency;              // its last LatencyReport
};

struct SenderSession::Impl : std::enable_shared_from_this<SenderSession::Impl> {
  Impl(asio::io_context& io_context, SenderSessionSettings s, const core::Clock& c, SenderSessionListener& l)
      : io(io_context),
        settings(std::move(s)),
        clock(c),
        listener(l),
        tls(make_tls_context(settings.tls, true)),
        acceptor(io),
        media_socket(io),
        expiry_timer(io) {}

  asio::io_context& io;
  SenderSessionSettings settings;
  const core::Clock& clock;
  SenderSessionListener& listener;
  asio::ssl::context tls;
  tcp::acceptor acceptor;
  udp::socket media_socket;
  std::list<std::shared_ptr<ConsoleConnection>> connections;
  SenderSessionCounters counters;
  PipelineEvents* pipeline_events = nullptr;
  bool stopped = false;
  annotation::SceneAuthority annotations;
  asio::steady_timer expiry_timer;
  std::uint64_t next_author = 1;
  std::unique_ptr<AuditLog> audit;
  // The pen (DESIGN.md §7): the console that may draw. Given to the first mentor to join and passed on when
  // it leaves; the surgeon may revoke it.
  std::shared_ptr<ConsoleConnection> pen;
  bool pen_revoked = false;
  std::atomic<bool> hidden{false};
  std::vector<std::string> flagged_vitals;  // in the order mentors flagged them
  bool consent_recorded = false;            // DESIGN.md §6: set by the OR's recording
  bool recording = false;
  std::shared_ptr<CaseEventLog> event_log;  // while recording: what happens goes beside the video

  static std::string json_of(const std::string& event, const AuditLog::Fields& fields) {
    nlohmann::json j = {{"event", event}};
    for (const auto& [k, v] : fields) j[k] = v;
    return j.dump();
  }

  // A sequenced annotation operation, as every console received it.
  void log_annotation(const std::vector<std::uint8_t>& wire, const AuditLog::Fields& fields) {
    if (event_log) event_log->append(clock.now(), "annotation", json_of("annotation", fields), wire);
  }

  // Every audit event goes to the log (as "audit: ...") and, when configured, to the hash-chained file.
  // kDebug: events that come dozens of times a second (each point batch of a stroke); the audit file has
  // them. kNone: the caller logs it in its own words.
  enum class LogLine { kDebug, kInfo, kWarning, kNone };
  void audit_event(const std::string& event, const AuditLog::Fields& fields, LogLine line = LogLine::kInfo) {
    std::string text = "audit: " + event;
    for (const auto& [k, v] : fields) text += " " + k + "=" + v;
    if (line == LogLine::kWarning) {
      spdlog::warn("{}", text);
    } else if (line == LogLine::kInfo) {
      spdlog::info("{}", text);
    } else if (line == LogLine::kDebug) {
      spdlog::debug("{}", text);
    }
    if (audit) {
      audit->append(clock.now(), event, fields);
      counters.audit_lines = audit->lines();
    }
    // Annotations have rows of their own (with the operation's bytes).
    if (event_log && event != "annotation") event_log->append(clock.now(), "session", json_of(event, fields));
  }

  OrControlState control_state() const {
    OrControlState state;
    if (pen) state.pen_holder = pen->name;
    state.pen_revoked = pen_revoked;
    state.annotations_hidden = hidden.load();
    state.flagged_vitals = flagged_vitals;
    state.consent_recorded = consent_recorded;
    state.recording = recording;
    return state;
  }

  pb::Envelope controls_envelope() const {
    pb::Envelope envelope;
    envelope.set_version(kProtocolVersion);
    auto* controls = envelope.mutable_or_controls();
    if (pen) {
      controls->set_pen_holder(pen->name);
      controls->set_pen_holder_author(pen->author_id);
    }
    controls->set_pen_revoked(pen_revoked);
    controls->set_annotations_hidden(hidden.load());
    for (const auto& v : flagged_vitals) controls->add_flagged_vitals(v);
    controls->set_consent_recorded(consent_recorded);
    controls->set_recording(recording);
    return envelope;
  }

  // Everyone hears who is connected (DESIGN.md §7: the session is clear about who is there).
  void announce_roster() {
    pb::Envelope envelope;
    envelope.set_version(kProtocolVersion);
    auto* roster = envelope.mutable_roster();
    for (const auto& c : connections) {
      if (!c->admitted || c->closing) continue;
      auto* entry = roster->add_consoles();
      entry->set_display_name(c->name);
      entry->set_role(role_name(c->role));
      entry->set_annotation_author(c->author_id);
    }
    for (const auto& c : connections) {
      if (c->admitted && !c->closing) send(c, envelope);
    }
    log_roster();
  }

  void log_roster() {
    if (!event_log) return;
    nlohmann::json people = nlohmann::json::array();
    for (const auto& c : connections) {
      if (c->admitted && !c->closing)
        people.push_back({{"name", c->name}, {"role", role_name(c->role)}, {"author", c->author_id}});
    }
    event_log->append(clock.now(), "roster", people.dump());
  }

  void announce_controls() {
    listener.on_or_controls_changed();
    const pb::Envelope envelope = controls_envelope();
    for (const auto& c : connections) {
      if (c->admitted && !c->closing) send(c, envelope);
    }
  }

  // The pen goes to the mentor connected longest, unless the surgeon revoked it.
  void pass_pen(const std::string& why) {
    std::shared_ptr<ConsoleConnection> next;
    if (!pen_revoked) {
      for (const auto& c : connections) {
        if (c->admitted && !c->closing && c->role == Role::kMentor) {
          next = c;
          break;
        }
      }
    }
    if (next == pen) return;
    pen = next;
    audit_event("pen", {{"holder", pen ? pen->name : std::string()},
                        {"author", pen ? pen->author_id : std::string()},
                        {"why", why}});
    announce_controls();
  }

  // Realtime channel state (network thread).
  std::vector<std::uint8_t> send_buffer = std::vector<std::uint8_t>(2048);
  std::array<std::uint8_t, 2048> receive_buffer{};
  udp::endpoint receive_from;
  core::CaptureTime last_frame_capture{};
  core::CaptureTime last_keyframe_request{};

  void bind() {
    const auto address = asio::ip::make_address(settings.bind_address);
    boost::system::error_code ec;
    tcp::endpoint control_endpoint(address, settings.control_port);
    acceptor.open(control_endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(control_endpoint, ec);
    if (ec) {
      throw std::runtime_error("control port " + settings.bind_address + ":" +
                               std::to_string(settings.control_port) + " cannot be used: " + ec.message());
    }
    acceptor.listen();
    media_socket.open(address.is_v6() ? udp::v6() : udp::v4());
    media_socket.bind(udp::endpoint(address, settings.media_port), ec);
    if (ec) {
      throw std::runtime_error("media port " + settings.bind_address + ":" +
                               std::to_string(settings.media_port) + " cannot be used: " + ec.message());
    }
    media_socket.non_blocking(true);
    // Bursts of a 1080p keyframe are ~150 packets: give the kernel room so they are not dropped locally.
    media_socket.set_option(asio::socket_base::send_buffer_size(4 * 1024 * 1024), ec);
  }

  void accept() {
    acceptor.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
      if (self->stopped) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true));
        auto connection = std::make_shared<ConsoleConnection>(std::move(socket), self->tls);
        boost::system::error_code peer_ec;
        const auto remote = connection->stream.lowest_layer().remote_endpoint(peer_ec);
        connection->peer = remote.address().to_string() + ":" + std::to_string(remote.port());
        self->connections.push_back(connection);
        self->handshake(connection);
      }
      self->accept();
    });
  }

  void handshake(const std::shared_ptr<ConsoleConnection>& c) {
    c->hello_timer.expires_after(settings.hello_timeout);
    c->hello_timer.async_wait([self = shared_from_this(), c](boost::system::error_code ec) {
      if (!ec && !c->admitted && !c->closing) {
        spdlog::warn("console {}: no hello within {} ms, closing", c->peer,
                     self->settings.hello_timeout.count());
        self->close(c);
      }
    });
    c->stream.async_handshake(
        asio::ssl::stream_base::server, [self = shared_from_this(), c](boost::system::error_code ec) {
          if (ec) {
            ++self->counters.tls_failures;
            spdlog::warn("console {}: TLS handshake failed: {}", c->peer, explain_tls_error(ec));
            self->close(c);
            return;
          }
          self->read(c);
        });
  }

  void read(const std::shared_ptr<ConsoleConnection>& c) {
    c->stream.async_read_some(asio::buffer(c->read_buffer), [self = shared_from_this(), c](
                                                                boost::system::error_code ec, std::size_t n) {
      if (c->closing) return;
      if (ec) {
        if (c->admitted) {
          spdlog::info("console {} ({}) left: {}", c->name, c->peer, explain_tls_error(ec));
        } else {
          spdlog::warn("console {}: connection ended before admission: {}", c->peer, explain_tls_error(ec));
        }
        self->close(c);
        return;
      }
      c->reader.feed(std::span(c->read_buffer.data(), n));
      while (true) {
        auto frame = c->reader.next();
        if (!frame) {
          self->counters.faults.add(frame.error());
          spdlog::warn("console {}: control message over {} bytes, closing", c->peer, kMaxControlMessage);
          self->close(c);
          return;
        }
        if (!frame.value()) break;
        if (!self->on_message(c, *frame.value())) return;
      }
      self->read(c);
    });
  }

  void send(const std::shared_ptr<ConsoleConnection>& c, const pb::Envelope& envelope) {
    std::string body;
    envelope.SerializeToString(&body);
    std::vector<std::uint8_t> frame;
    append_frame(std::span(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()), frame);
    c->write_queue.push_back(std::move(frame));
    if (c->write_queue.size() == 1) write_next(c);
  }

  void write_next(const std::shared_ptr<ConsoleConnection>& c) {
    asio::async_write(c->stream, asio::buffer(c->write_queue.front()),
                      [self = shared_from_this(), c](boost::system::error_code ec, std::size_t) {
                        if (ec) {
                          self->close(c);
                          return;
                        }
                        c->write_queue.pop_front();
                        if (!c->write_queue.empty()) {
                          self->write_next(c);
                        } else if (c->close_when_written) {
                          self->close(c);
                        }
                      });
  }

  void refuse(const std::shared_ptr<ConsoleConnection>& c, const std::string& reason) {
    ++counters.consoles_refused;
    spdlog::warn("console {}: refused: {}", c->peer, reason);
    audit_event("refused", {{"peer", c->peer}, {"reason", reason}}, LogLine::kNone);
    pb::Envelope envelope;
    envelope.set_version(kProtocolVersion);
    envelope.mutable_refusal()->set_reason(reason);
    envelope.mutable_refusal()->set_supported_version(kProtocolVersion);
    // Close once the refusal is written, so the console can show the reason.
    c->close_when_written = true;
    send(c, envelope);
  }

  // Returns false when the connection was closed.
  bool on_message(const std::shared_ptr<ConsoleConnection>& c, const std::vector<std::uint8_t>& bytes) {
    const core::CaptureTime received = clock.now();
    pb::Envelope envelope;
    if (!envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      counters.faults.add(core::Fault::kMalformed);
      spdlog::warn("console {}: malformed control message, closing", c->peer);
      close(c);
      return false;
    }
    if (!c->admitted) {
      if (!envelope.has_hello()) {
        counters.faults.add(core::Fault::kMalformed);
        refuse(c, "expected hello as the first message");
        return false;
      }
      return admit(c, envelope.hello());
    }
    if (envelope.has_vitals_flag()) {
      on_vitals_flag(c, envelope.vitals_flag());
      return true;
    }
    if (envelope.has_latency_report()) {
      on_latency_report(c, envelope.latency_report());
      return true;
    }
    if (envelope.has_annotation_proposal()) {
      on_annotation_proposal(c, envelope.annotation_proposal());
      return true;
    }
    if (envelope.has_clock_ping()) {
      pb::Envelope reply;
      reply.set_version(kProtocolVersion);
      auto* pong = reply.mutable_clock_pong();
      pong->set_t1_ntp(envelope.clock_ping().t1_ntp());
      pong->set_t2_ntp(core::to_ntp64(received));
      pong->set_t3_ntp(core::to_ntp64(clock.now()));
      send(c, reply);
    }
    return true;
  }

  // Telestration (DESIGN.md §5, §7): the sender is the authority. Only a mentor may draw; every decision is
  // logged with who, what and why (the audit trail until the hash-chained audit log exists).
  void on_annotation_proposal(const std::shared_ptr<ConsoleConnection>& c, const std::string& bytes) {
    const core::CaptureTime now = clock.now();
    auto refused = [&](const annotation::Refusal& r) {
      ++counters.annotations_refused;
      counters.faults.add(r.fault);
      audit_event("annotation_refused",
                  {{"console", c->name}, {"role", role_name(c->role)}, {"reason", r.reason}},
                  LogLine::kWarning);
      pb::Envelope reply;
      reply.set_version(kProtocolVersion);
      reply.mutable_annotation_refused()->set_reason(r.reason);
      send(c, reply);
    };
    auto op = annotation::decode_proposal(
        std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    if (!op) {
      refused(op.error());
      return;
    }
    if (c->role == Role::kMentor && pen != c) {
      refused({core::Fault::kNotAuthorised,
               pen_revoked ? std::string("the surgeon has taken the pen back")
                           : (pen ? pen->name + " holds the pen" : std::string("nobody holds the pen"))});
      return;
    }
    const annotation::Author author{c->author_id, c->role == Role::kMentor, false};
    auto applied = annotations.apply(author, op.value(), now);
    if (!applied) {
      refused(applied.error());
      return;
    }
    ++counters.annotations_accepted;
    // Both clocks: t_ns is when the sender applied it; the reference is the capture time of the picture the
    // mentor was looking at (what they saw when they drew).
    AuditLog::Fields fields{{"seq", std::to_string(applied.value().sequence)},
                            {"console", c->name},
                            {"author", c->author_id},
                            {"op", annotation::describe(applied.value().op)}};
    if (const auto* begin = std::get_if<annotation::Begin>(&applied.value().op)) {
      fields.emplace_back("id", begin->draft.id);
      fields.emplace_back("kind", annotation::describe(begin->draft.kind));
      fields.emplace_back("reference_capture_ns",
                          std::to_string(begin->draft.reference_capture.time_since_epoch().count()));
    } else if (const auto* pointer = std::get_if<annotation::Pointer>(&applied.value().op)) {
      fields.emplace_back("reference_capture_ns",
                          std::to_string(pointer->reference_capture.time_since_epoch().count()));
    }
    audit_event("annotation", fields, LogLine::kDebug);
    const auto wire = annotation::encode(applied.value());
    log_annotation(wire, fields);
    pb::Envelope broadcast;
    broadcast.set_version(kProtocolVersion);
    broadcast.set_annotation_operation(std::string(wire.begin(), wire.end()));
    for (const auto& other : connections) {
      if (other->admitted && !other->closing) send(other, broadcast);
    }
  }

  // A console's latency figures go to the recording's event log (nowhere else: the console shows its own).
  void on_latency_report(const std::shared_ptr<ConsoleConnection>& c, const pb::LatencyReport& report) {
    const auto sane = [](double ms) { return std::isfinite(ms) && ms >= 0 && ms < 3'600'000; };
    if (!sane(report.g2g_p50_ms()) || !sane(report.g2g_p95_ms()) || !sane(report.clock_uncertainty_ms())) {
      counters.faults.add(core::Fault::kMalformed);
      return;
    }
    c->latency = ConsoleLatency{c->name, c->role == Role::kMentor, report.g2g_p95_ms(), clock.now()};
    if (!event_log) return;
    const nlohmann::json detail = {{"console", c->name},
                                   {"author", c->author_id},
                                   {"g2g_p50_ms", report.g2g_p50_ms()},
                                   {"g2g_p95_ms", report.g2g_p95_ms()},
                                   {"samples", report.samples()},
                                   {"clock_uncertainty_ms", report.clock_uncertainty_ms()}};
    event_log->append(clock.now(), "latency", detail.dump());
  }

  // A mentor points the surgeon at a vital sign (DESIGN.md §8: visible on both sides). Observers may not.
  void on_vitals_flag(const std::shared_ptr<ConsoleConnection>& c, const pb::VitalsFlag& flag) {
    static const std::array<std::string_view, 9> kRows{"hr", "spo2", "abp", "nibp", "etco2",
                                                       "rr", "temp", "pr",  "bis"};
    const std::string& vital = flag.vital();
    if (std::find(kRows.begin(), kRows.end(), vital) == kRows.end()) {
      counters.faults.add(core::Fault::kMalformed);
      audit_event("vitals_flag_refused",
                  {{"console", c->name}, {"reason", "unknown vital \"" + vital.substr(0, 32) + "\""}},
                  LogLine::kWarning);
      return;
    }
    if (c->role != Role::kMentor) {
      counters.faults.add(core::Fault::kNotAuthorised);
      audit_event("vitals_flag_refused", {{"console", c->name}, {"reason", "only a mentor flags vitals"}},
                  LogLine::kWarning);
      return;
    }
    const auto at = std::find(flagged_vitals.begin(), flagged_vitals.end(), vital);
    if (flag.flagged() == (at != flagged_vitals.end())) return;
    if (flag.flagged()) {
      flagged_vitals.push_back(vital);
    } else {
      flagged_vitals.erase(at);
    }
    audit_event(flag.flagged() ? "vitals_flagged" : "vitals_unflagged",
                {{"console", c->name}, {"vital", vital}});
    announce_controls();
  }

  // Pointers and other annotations with a time to live go away on time even when nobody draws.
  void expire_annotations() {
    expiry_timer.expires_after(std::chrono::milliseconds{100});
    expiry_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopped) return;
      self->annotations.expire(self->clock.now());
      self->expire_annotations();
    });
  }

  void send_scene(const std::shared_ptr<ConsoleConnection>& c) {
    const auto scene = annotations.snapshot();
    auto wire = annotation::encode_scene(*scene);
    if (wire.size() + 64 > kMaxControlMessage) {
      // Too large for one control message: an empty scene at the current version, so the console follows
      // every new operation from here without a gap.
      spdlog::warn(
          "console {}: the annotation scene ({} bytes) does not fit one control message; it sees new "
          "annotations only",
          c->name, wire.size());
      annotation::Scene empty;
      empty.version = scene->version;
      wire = annotation::encode_scene(empty);
    }
    pb::Envelope envelope;
    envelope.set_version(kProtocolVersion);
    envelope.set_annotation_scene(std::string(wire.begin(), wire.end()));
    send(c, envelope);
  }

  bool admit(const std::shared_ptr<ConsoleConnection>& c, const pb::Hello& hello) {
    SSL* ssl = c->stream.native_handle();
    const std::string fingerprint = peer_fingerprint(ssl);
    const std::string common_name = peer_common_name(ssl);
    if (hello.protocol_version() != kProtocolVersion) {
      counters.faults.add(core::Fault::kUnsupportedVersion);
      refuse(c, "protocol version " + std::to_string(hello.protocol_version()) +
                    " is not supported; this sender speaks version " + std::to_string(kProtocolVersion) +
                    " (update the console)");
      return false;
    }
    const auto entry = settings.access.find(fingerprint);
    if (!entry) {
      counters.faults.add(core::Fault::kNotAuthorised);
      refuse(c, "certificate \"" + common_name + "\" (" + fingerprint + ") is not in the access list of " +
                    settings.site_name);
      return false;
    }
    if (hello.media_port() == 0 || hello.media_port() > 65535) {
      counters.faults.add(core::Fault::kMalformed);
      refuse(c, "hello carries no valid media port");
      return false;
    }
    const SrtpKeys keys = derive_srtp_keys(ssl, settings.srtp_profile);
    if (keys.sender_to_console.empty()) {
      refuse(c, "SRTP key derivation failed");
      return false;
    }
    using media::SrtpSession;
    c->outbound = std::make_unique<SrtpSession>(settings.srtp_profile, SrtpSession::Direction::kOutbound,
                                                keys.sender_to_console);
    c->inbound = std::make_unique<SrtpSession>(settings.srtp_profile, SrtpSession::Direction::kInbound,
                                               keys.console_to_sender);
    boost::system::error_code ec;
    c->media_endpoint = udp::endpoint(c->stream.lowest_layer().remote_endpoint(ec).address(),
                                      static_cast<unsigned short>(hello.media_port()));
    c->name = entry->name;
    c->role = entry->role;
    c->author_id = "c" + std::to_string(next_author++);
    c->admitted = true;
    c->hello_timer.cancel();
    ++counters.consoles_admitted;
    spdlog::info("console {} admitted: {} as {} ({}), media to {}:{}", c->peer, c->name, role_name(c->role),
                 hello.software(), c->media_endpoint->address().to_string(), c->media_endpoint->port());
    pb::Envelope envelope;
    envelope.set_version(kProtocolVersion);
    auto* w = envelope.mutable_welcome();
    w->set_protocol_version(kProtocolVersion);
    w->set_display_name(c->name);
    w->set_role(role_name(c->role));
    w->set_media_port(media_socket.local_endpoint().port());
    w->set_srtp_profile(media::srtp_profile_name(settings.srtp_profile));
    w->set_video_ssrc(settings.video_ssrc);
    w->set_video_payload_type(static_cast<std::uint32_t>(settings.video_payload_type));
    w->set_capture_time_extension_id(media::kCaptureTimeExtensionId);
    w->set_send_time_extension_id(media::kSendTimeExtensionId);
    w->set_site_name(settings.site_name);
    w->set_case_pseudonym(settings.case_pseudonym);
    w->set_video_profile(settings.video_profile);
    w->set_vitals_ssrc(settings.vitals_ssrc);
    w->set_annotation_author(c->author_id);
    w->set_vitals_payload_type(static_cast<std::uint32_t>(vitals::kVitalsPayloadType));
    // The SDP is complete before the console hears it is welcome, so a test tool can start on the welcome.
    if (settings.export_srtp_keys) write_sdp(*c, keys);
    send(c, envelope);
    send_scene(c);
    audit_event("join", {{"console", c->name},
                         {"role", role_name(c->role)},
                         {"fingerprint", fingerprint},
                         {"author", c->author_id},
                         {"peer", c->peer}});
    if (!pen && c->role == Role::kMentor && !pen_revoked) {
      pass_pen("first mentor to join");
    } else {
      send(c, controls_envelope());
    }
    announce_roster();
    listener
        .on_keyframe_needed();  // a joining console needs a full picture now, not at the next periodic IDR
    return true;
  }

  void write_sdp(const ConsoleConnection& c, const SrtpKeys& keys) {
    const auto& path = *settings.export_srtp_keys;
    std::ofstream out(path, std::ios::trunc);
    out << "v=0\r\n"
        << "o=- 0 0 IN IP4 127.0.0.1\r\n"
        << "s=SurgiLink video (exported SRTP keys: development and interop testing only)\r\n"
        << "c=IN IP4 " << c.media_endpoint->address().to_string() << "\r\n"
        << "t=0 0\r\n"
        << "m=video " << c.media_endpoint->port() << " RTP/SAVP " << settings.video_payload_type << "\r\n"
        << "a=rtpmap:" << settings.video_payload_type << " H264/90000\r\n"
        << "a=fmtp:" << settings.video_payload_type << " packetization-mode=1\r\n"
        << "a=ssrc:" << settings.video_ssrc << "\r\n"
        << "a=crypto:1 " << media::srtp_profile_name(settings.srtp_profile)
        << " inline:" << base64(keys.sender_to_console) << "\r\n";
    spdlog::warn("SRTP KEYS EXPORTED to {} for console {}: anyone with this file can watch the stream",
                 path.string(), c.name);
  }

  void close(const std::shared_ptr<ConsoleConnection>& c) {
    if (c->closing) {
      drop(c);
      return;
    }
    c->closing = true;
    boost::system::error_code ec;
    c->hello_timer.cancel();
    c->stream.lowest_layer().shutdown(tcp::socket::shutdown_both, ec);
    drop(c);
  }

  void drop(const std::shared_ptr<ConsoleConnection>& c) {
    if (c->admitted && !c->author_id.empty()) annotations.forget(c->author_id);
    boost::system::error_code ec;
    c->hello_timer.cancel();
    c->stream.lowest_layer().close(ec);
    const bool was_here = std::find(connections.begin(), connections.end(), c) != connections.end();
    connections.remove(c);
    if (was_here && c->admitted) {
      audit_event("leave", {{"console", c->name}, {"author", c->author_id}});
      if (!stopped) announce_roster();
      if (pen == c && !stopped) pass_pen(c->name + " left");
      // Flags are the mentors' guidance: with no mentor left, nobody stands behind them.
      const bool mentor_left = std::none_of(connections.begin(), connections.end(), [](const auto& other) {
        return other->admitted && other->role == Role::kMentor;
      });
      if (mentor_left && !flagged_vitals.empty() && !stopped) {
        flagged_vitals.clear();
        audit_event("vitals_unflagged", {{"why", "no mentor connected"}});
        announce_controls();
      }
    }
  }

  // --- realtime channel ---

  void receive_media() {
    media_socket.async_receive_from(asio::buffer(receive_buffer), receive_from,
                                    [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                                      if (self->stopped || ec == asio::error::operation_aborted) return;
                                      if (!ec) self->on_datagram(n);
                                      self->receive_media();
                                    });
  }

  void on_datagram(std::size_t size) {
    ConsoleConnection* from = nullptr;
    for (const auto& c : connections) {
      if (c->admitted && c->media_endpoint && *c->media_endpoint == receive_from) from = c.get();
    }
    if (from == nullptr) {
      counters.faults.add(core::Fault::kUnknownStream);
      return;
    }
    if (!media::looks_like_rtcp(std::span(receive_buffer.data(), size))) {
      counters.faults.add(core::Fault::kNotRtp);
      return;
    }
    auto plain = from->inbound->unprotect_rtcp(std::span(receive_buffer), size);
    if (!plain) {
      counters.faults.add(plain.error());
      return;
    }
    auto feedback = media::parse_rtcp(std::span(receive_buffer.data(), plain.value()));
    if (!feedback) {
      counters.faults.add(feedback.error());
      return;
    }
    if (feedback.value().picture_loss) {
      ++counters.pli_received;
      // Several consoles may report the same loss: one keyframe per 200 ms serves them all.
      const auto now = clock.now();
      if (now - last_keyframe_request > std::chrono::milliseconds{200}) {
        last_keyframe_request = now;
        listener.on_keyframe_needed();
      }
    }
  }

  // Protects the RTP packet of `length` bytes in send_buffer for console `c` and sends it; returns the bytes
  // sent, 0 when it was dropped (counted as a fault or a send drop).
  std::size_t protect_and_send(ConsoleConnection& c, std::size_t length) {
    auto protected_length = c.outbound->protect_rtp(send_buffer, length);
    if (!protected_length) {
      counters.faults.add(protected_length.error());
      return 0;
    }
    boost::system::error_code ec;
    media_socket.send_to(asio::buffer(send_buffer.data(), protected_length.value()), *c.media_endpoint, 0,
                         ec);
    if (ec) {
      ++counters.send_drops;
      return 0;
    }
    return protected_length.value();
  }

  void send_packets(const media::EncodedPackets& encoded) {
    bool sent_any = false;
    bool first_of_frame = encoded.capture_time != last_frame_capture;
    last_frame_capture = encoded.capture_time;
    for (const auto& packet : encoded.packets) {
      for (const auto& c : connections) {
        if (!c->admitted || c->closing || !c->media_endpoint) continue;
        if (packet.size() + media::kTimingExtensionSize + media::kSrtpMaxTrailer > send_buffer.size()) {
          counters.faults.add(core::Fault::kTooLarge);
          continue;
        }
        std::copy(packet.begin(), packet.end(), send_buffer.begin());
        std::size_t length = packet.size();
        if (first_of_frame) {
          auto extended = media::add_timing_extension(
              send_buffer, length, core::to_ntp64(encoded.capture_time), core::to_ntp64(clock.now()));
          if (extended) length = extended.value();
        }
        const std::size_t sent = protect_and_send(*c, length);
        if (sent == 0) continue;
        ++counters.packets_sent;
        counters.bytes_sent += sent;
        sent_any = true;
      }
      first_of_frame = false;
    }
    if (sent_any && counted_capture != encoded.capture_time) {
      counted_capture = encoded.capture_time;
      ++counters.frames_sent;
    }
  }
  core::CaptureTime counted_capture{};

  void send_vitals(const std::vector<std::vector<std::uint8_t>>& payloads, core::CaptureTime now) {
    if (event_log) {
      for (const auto& payload : payloads) event_log->append(now, "vitals", "", payload);
    }
    if (settings.vitals_ssrc == 0) return;
    const auto timestamp = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
    for (const auto& payload : payloads) {
      media::RtpHeader header;
      header.payload_type = static_cast<std::uint8_t>(vitals::kVitalsPayloadType);
      header.sequence = vitals_sequence++;
      header.timestamp = timestamp;
      header.ssrc = settings.vitals_ssrc;
      if (12 + payload.size() + media::kSrtpMaxTrailer > send_buffer.size()) {
        counters.faults.add(core::Fault::kTooLarge);
        continue;
      }
      for (const auto& c : connections) {
        if (!c->admitted || c->closing || !c->media_endpoint) continue;
        const std::size_t header_size = media::write_rtp_header(send_buffer, header);
        std::copy(payload.begin(), payload.end(),
                  send_buffer.begin() + static_cast<std::ptrdiff_t>(header_size));
        if (protect_and_send(*c, header_size + payload.size()) != 0) ++counters.vitals_packets_sent;
      }
    }
  }
  std::uint16_t vitals_sequence = settings.vitals_first_sequence;
};

SenderSession::SenderSession(asio::io_context& io, SenderSessionSettings settings, const core::Clock& clock,
                             SenderSessionListener& listener)
    : impl_(std::make_shared<Impl>(io, std::move(settings), clock, listener)) {
  impl_->bind();
  if (impl_->settings.audit_log) {
    impl_->audit = std::make_unique<AuditLog>(*impl_->settings.audit_log);
    impl_->audit_event("start",
                       {{"site", impl_->settings.site_name}, {"case", impl_->settings.case_pseudonym}});
  }
}

void SenderSession::revoke_pen(const std::string& by) {
  auto& i = *impl_;
  if (i.pen_revoked) return;
  i.pen_revoked = true;
  i.audit_event("pen_revoked", {{"by", by}, {"from", i.pen ? i.pen->name : std::string()}},
                Impl::LogLine::kWarning);
  i.pen.reset();
  i.announce_controls();
}

void SenderSession::grant_pen(const std::string& by) {
  auto& i = *impl_;
  if (!i.pen_revoked) return;
  i.pen_revoked = false;
  i.audit_event("pen_granted", {{"by", by}});
  i.pass_pen("granted by " + by);
  i.announce_controls();
}

void SenderSession::set_annotations_hidden(bool hidden, const std::string& by) {
  auto& i = *impl_;
  if (i.hidden.exchange(hidden) == hidden) return;
  i.audit_event(hidden ? "annotations_hidden" : "annotations_shown", {{"by", by}});
  i.announce_controls();
}

void SenderSession::clear_annotations(const std::string& by) {
  auto& i = *impl_;
  const annotation::Author surgeon{"or", false, true};
  auto applied = i.annotations.apply(surgeon, annotation::Clear{annotation::ClearScope::kAll}, i.clock.now());
  if (!applied) {
    spdlog::warn("clear all from {} not applied: {}", by, applied.error().reason);
    return;
  }
  i.audit_event("annotations_cleared", {{"by", by}, {"seq", std::to_string(applied.value().sequence)}});
  const auto wire = annotation::encode(applied.value());
  i.log_annotation(wire,
                   {{"seq", std::to_string(applied.value().sequence)}, {"by", by}, {"op", "clear all"}});
  pb::Envelope broadcast;
  broadcast.set_version(kProtocolVersion);
  broadcast.set_annotation_operation(std::string(wire.begin(), wire.end()));
  for (const auto& c : i.connections) {
    if (c->admitted && !c->closing) i.send(c, broadcast);
  }
}

void SenderSession::set_recording_state(bool consent_recorded, bool recording, const std::string& by,
                                        const std::string& details) {
  auto& i = *impl_;
  if (i.consent_recorded == consent_recorded && i.recording == recording) return;
  const AuditLog::Fields fields =
      details.empty() ? AuditLog::Fields{{"by", by}} : AuditLog::Fields{{"by", by}, {"recording", details}};
  if (consent_recorded && !i.consent_recorded) i.audit_event("consent_recorded", fields);
  if (!consent_recorded && i.consent_recorded)
    i.audit_event("consent_withdrawn", fields, Impl::LogLine::kWarning);
  if (recording && !i.recording) i.audit_event("recording_started", fields);
  if (!recording && i.recording) i.audit_event("recording_stopped", fields);
  i.consent_recorded = consent_recorded;
  i.recording = recording;
  i.announce_controls();
}

void SenderSession::set_event_log(std::shared_ptr<CaseEventLog> log) {
  auto& i = *impl_;
  if (i.event_log) i.event_log->commit();
  i.event_log = std::move(log);
  i.log_roster();  // who is here when the recording starts
}

OrControlState SenderSession::or_controls() const { return impl_->control_state(); }

std::vector<ConsoleLatency> SenderSession::console_latencies() const {
  std::vector<ConsoleLatency> out;
  for (const auto& c : impl_->connections) {
    if (c->admitted && !c->closing && c->latency) out.push_back(*c->latency);
  }
  return out;
}
bool SenderSession::annotations_hidden() const { return impl_->hidden.load(); }

SenderSession::~SenderSession() = default;

void SenderSession::start() {
  spdlog::info("sender '{}' listening: control (TLS 1.3) {}:{}, media (SRTP {}) {}:{}",
               impl_->settings.site_name, impl_->settings.bind_address, control_port(),
               media::srtp_profile_name(impl_->settings.srtp_profile), impl_->settings.bind_address,
               media_port());
  impl_->accept();
  impl_->receive_media();
  impl_->expire_annotations();
}

void SenderSession::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->expiry_timer.cancel();
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  impl_->media_socket.close(ec);
  auto connections = impl_->connections;
  for (const auto& c : connections) impl_->close(c);
  impl_->pen.reset();
  impl_->audit_event("stop", {});
}

void SenderSession::send_vitals(const std::vector<std::vector<std::uint8_t>>& payloads,
                                core::CaptureTime now) {
  if (!impl_->stopped) impl_->send_vitals(payloads, now);
}

std::shared_ptr<const annotation::Scene> SenderSession::annotation_scene() const {
  return impl_->annotations.snapshot();
}

std::uint16_t SenderSession::control_port() const { return impl_->acceptor.local_endpoint().port(); }
std::uint16_t SenderSession::media_port() const { return impl_->media_socket.local_endpoint().port(); }

std::size_t SenderSession::consoles_connected() const {
  std::size_t n = 0;
  for (const auto& c : impl_->connections) n += c->admitted ? 1 : 0;
  return n;
}

const SenderSessionCounters& SenderSession::counters() const { return impl_->counters; }

void SenderSession::set_pipeline_events(PipelineEvents* events) { impl_->pipeline_events = events; }

void SenderSession::on_encoded_packets(media::EncodedPackets packets) {
  asio::post(impl_->io, [impl = impl_, p = std::move(packets)] {
    if (!impl->stopped) impl->send_packets(p);
  });
}

void SenderSession::on_pipeline_problem(std::string text, bool fatal) {
  asio::post(impl_->io, [impl = impl_, text = std::move(text), fatal] {
    if (impl->pipeline_events) impl->pipeline_events->on_pipeline_problem(text, fatal);
  });
}

void SenderSession::on_source_segment_done() {
  asio::post(impl_->io, [impl = impl_] {
    if (impl->pipeline_events) impl->pipeline_events->on_source_segment_done();
  });
}

}  // namespace surgilink::session
