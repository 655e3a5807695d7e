#include "surgilink/session/console_session.hpp"

#include <array>
#include <deque>
#include <map>

#include <spdlog/spdlog.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "control.pb.h"
#include "surgilink/annotation/scene_replica.hpp"
#include "surgilink/annotation/wire.hpp"
#include "surgilink/media/jitter_buffer.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/srtp_session.hpp"
#include "surgilink/session/clock_sync.hpp"
#include "surgilink/session/control_framing.hpp"
#include "surgilink/vitals/vitals_playout.hpp"

namespace surgilink::session {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
namespace pb = surgilink::control::v1;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

const char* state_name(ConnectionState s) {
  switch (s) {
    case ConnectionState::kConnecting:
      return "connecting";
    case ConnectionState::kConnected:
      return "connected";
    case ConnectionState::kReconnecting:
      return "reconnecting";
    case ConnectionState::kRefused:
      return "refused";
    case ConnectionState::kStopped:
      return "stopped";
  }
  return "?";
}

namespace {
// Times of one frame on its way (DESIGN.md §4); sender-clock fields are mapped with the clock-sync offset.
struct FrameTiming {
  core::CaptureTime captured{};       // sender clock
  core::CaptureTime sent{};           // sender clock, first packet
  core::CaptureTime received_last{};  // console clock
  core::CaptureTime released{};       // console clock, last packet handed to the decoder
  core::CaptureTime decoded{};        // console clock
  bool damaged = false;
};
constexpr std::size_t kMaxTrackedFrames = 240;
constexpr std::uint32_t kVideoClockRate = 90000;
}  // namespace

struct ConsoleSession::Impl : std::enable_shared_from_this<ConsoleSession::Impl>,
                              media::ReceiverPipelineListener {
  Impl(asio::io_context& io_context, ConsoleSessionSettings s, const core::Clock& c,
       media::LatestFrameMailbox& m, ConsoleSessionListener& l)
      : io(io_context),
        settings(std::move(s)),
        clock(c),
        mailbox(m),
        listener(l),
        tls(make_tls_context(settings.tls, false)),
        media_socket(io),
        resolver(io),
        connect_timer(io),
        ping_timer(io),
        reconnect_timer(io),
        jitter_timer(io),
        vitals_timer(io),
        annotation_timer(io) {}

  asio::io_context& io;
  ConsoleSessionSettings settings;
  const core::Clock& clock;
  media::LatestFrameMailbox& mailbox;
  ConsoleSessionListener& listener;
  asio::ssl::context tls;
  udp::socket media_socket;
  tcp::resolver resolver;
  asio::steady_timer connect_timer, ping_timer, reconnect_timer, jitter_timer, vitals_timer, annotation_timer;

  // One connection attempt; handlers of older attempts see a different generation and stop.
  std::uint64_t generation = 0;
  std::unique_ptr<asio::ssl::stream<tcp::socket>> stream;
  ControlFrameReader reader;
  std::array<std::uint8_t, 4096> read_buffer{};
  std::deque<std::vector<std::uint8_t>> write_queue;
  ConnectionState state = ConnectionState::kConnecting;
  std::string detail;
  int reconnect_attempt = 0;
  bool admitted = false;
  pb::Welcome welcome;
  std::optional<udp::endpoint> sender_media;
  std::unique_ptr<media::SrtpSession> inbound, outbound;
  std::unique_ptr<media::JitterBuffer> jitter;
  media::SequenceUnwrapper unwrapper;
  std::unique_ptr<media::ReceiverPipeline> pipeline;
  ClockSync clock_sync;
  int pings_sent = 0;

  // Receive path state.
  std::array<std::uint8_t, 2048> datagram{};
  udp::endpoint datagram_from;
  std::deque<std::pair<std::uint32_t, core::CaptureTime>> capture_by_timestamp;
  std::map<std::int64_t, FrameTiming> frames;  // by capture time (ns)
  std::vector<media::ReceivedPacket> released;
  core::CaptureTime last_pli{};
  core::FaultCounters faults;
  vitals::VitalsReceiver vitals_receiver;
  vitals::VitalsPlayout vitals_playout;
  std::array<std::optional<vitals::NumericSample>, static_cast<std::size_t>(vitals::Parameter::kCount)>
      vitals_shown{};  // what the mentor sees now (after lip sync)
  nanoseconds video_delay_ewma{0};
  std::optional<core::CaptureTime> newest_vitals;  // sender clock

  // Telestration: the sender's scene as this console knows it, and when each pending proposal was made.
  std::unique_ptr<annotation::SceneReplica> replica;
  pb::OrControls or_controls;                    // as the sender last announced them
  pb::Roster roster;                             // who is connected, as the sender last announced it
  std::deque<core::CaptureTime> pending_inputs;  // console clock, oldest first
  core::LatencySeries annotation_echo_all;

  // Statistics.
  core::LatencySeries g2g_all, pixel_all, encode_all, network_all, jitter_all, decode_all, render_all;
  core::SlidingLatencyWindow g2g_window{std::chrono::seconds{10}}, pixel_window{std::chrono::seconds{10}};
  static constexpr std::chrono::seconds kTransientClear{11};  // the 10-s window + the start-up second
  core::CaptureTime link_first_frame_at{};  // this link's first picture (reset when the link goes)
  core::LatencySeries vitals_all;
  core::SlidingLatencyWindow vitals_window{std::chrono::seconds{10}};
  double g2g_last_ms = 0;
  double max_disagreement_ms = 0;
  std::optional<core::CaptureTime> last_frame_at;
  core::CaptureTime admitted_at{};
  std::optional<core::CaptureTime> newest_capture_local;
  ConsoleReport totals;
  struct Second {
    core::CaptureTime at{};
    std::uint64_t frames = 0, bytes = 0, packets = 0, lost = 0;
  } last_second;
  std::uint64_t lost_before_this_connection = 0;

  // Packets given up on over every connection of this session.
  std::uint64_t packets_lost() const {
    return lost_before_this_connection + (jitter ? jitter->stats().lost : 0);
  }

  void set_state(ConnectionState s, std::string why) {
    if (s == state && why == detail) return;
    state = s;
    detail = std::move(why);
    if (s == ConnectionState::kRefused) {
      spdlog::error("{}", detail);
    } else if (s == ConnectionState::kReconnecting) {
      spdlog::warn("link lost - reconnecting ({}): {}", reconnect_attempt, detail);
    } else {
      spdlog::info("{}{}{}", state_name(s), detail.empty() ? "" : ": ", detail);
    }
    listener.on_state_changed(state, detail);
  }

  // "Site (host:port)" where the site has a name: messages must say which OR, not just an address.
  std::string sender_name() const {
    const std::string address = settings.sender_host + ":" + std::to_string(settings.control_port);
    const bool named = !settings.site_name.empty() && settings.site_name != settings.sender_host;
    return named ? settings.site_name + " (" + address + ")" : address;
  }

  void start() {
    totals.started_at = clock.now();
    last_second.at = totals.started_at;
    const auto local =
        asio::ip::make_address(settings.sender_host.find(':') != std::string::npos ? "::" : "0.0.0.0");
    media_socket.open(local.is_v6() ? udp::v6() : udp::v4());
    boost::system::error_code ec;
    media_socket.bind(udp::endpoint(local, settings.media_port), ec);
    if (ec)
      throw std::runtime_error("media port " + std::to_string(settings.media_port) +
                               " cannot be used: " + ec.message());
    media_socket.set_option(asio::socket_base::receive_buffer_size(4 * 1024 * 1024), ec);
    receive_media();
    connect();
  }

  void connect() {
    const std::uint64_t g = ++generation;
    reader = ControlFrameReader();
    write_queue.clear();
    admitted = false;
    stream = std::make_unique<asio::ssl::stream<tcp::socket>>(io, tls);
    // The sender's certificate must name the host we asked for, not just be signed by our CA.
    stream->set_verify_callback(asio::ssl::host_name_verification(settings.sender_host));
    SSL_set_tlsext_host_name(stream->native_handle(), settings.sender_host.c_str());
    connect_timer.expires_after(settings.connect_timeout);
    connect_timer.async_wait([self = shared_from_this(), g](boost::system::error_code ec) {
      if (ec || g != self->generation || self->admitted) return;
      self->fail(g, "no answer from " + self->sender_name() + " after " +
                        std::to_string(self->settings.connect_timeout.count() / 1000.0).substr(0, 3) + " s");
    });
    resolver.async_resolve(
        settings.sender_host, std::to_string(settings.control_port),
        [self = shared_from_this(), g](boost::system::error_code ec, tcp::resolver::results_type r) {
          if (g != self->generation) return;
          if (ec) return self->fail(g, "cannot resolve " + self->settings.sender_host + ": " + ec.message());
          asio::async_connect(self->stream->lowest_layer(), r,
                              [self, g](boost::system::error_code ec2, const tcp::endpoint&) {
                                if (g != self->generation) return;
                                if (ec2)
                                  return self->fail(
                                      g, "no answer from " + self->sender_name() + ": " + ec2.message());
                                self->stream->lowest_layer().set_option(tcp::no_delay(true));
                                self->handshake(g);
                              });
        });
  }

  void handshake(std::uint64_t g) {
    stream->async_handshake(asio::ssl::stream_base::client,
                            [self = shared_from_this(), g](boost::system::error_code ec) {
                              if (g != self->generation) return;
                              if (ec) return self->refused_by_tls(g, ec, true);
                              pb::Envelope envelope;
                              envelope.set_version(self->settings.protocol_version);
                              auto* hello = envelope.mutable_hello();
                              hello->set_protocol_version(self->settings.protocol_version);
                              hello->set_software(self->settings.software);
                              hello->set_media_port(self->media_socket.local_endpoint().port());
                              self->send(envelope);
                              self->read(g);
                            });
  }

  // TLS failures before admission are refusals, not link loss: retrying would fail the same way.
  void refused_by_tls(std::uint64_t g, const boost::system::error_code& ec, bool during_handshake) {
    const std::string why = explain_tls_error(ec);
    if (ec.category() == asio::error::get_ssl_category() && ec != asio::ssl::error::stream_truncated) {
      teardown();
      set_state(ConnectionState::kRefused,
                (during_handshake ? "TLS handshake with " : "certificate not accepted by ") + sender_name() +
                    ": " + why);
      return;
    }
    fail(g, "connection to " + sender_name() + " ended: " + why);
  }

  void send(const pb::Envelope& envelope) {
    std::string body;
    envelope.SerializeToString(&body);
    std::vector<std::uint8_t> frame;
    append_frame(std::span(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()), frame);
    write_queue.push_back(std::move(frame));
    if (write_queue.size() == 1) write_next(generation);
  }

  void write_next(std::uint64_t g) {
    asio::async_write(*stream, asio::buffer(write_queue.front()),
                      [self = shared_from_this(), g](boost::system::error_code ec, std::size_t) {
                        if (g != self->generation) return;
                        if (ec)
                          return self->fail(g,
                                            "cannot write to " + self->sender_name() + ": " + ec.message());
                        self->write_queue.pop_front();
                        if (!self->write_queue.empty()) self->write_next(g);
                      });
  }

  void read(std::uint64_t g) {
    stream->async_read_some(asio::buffer(read_buffer), [self = shared_from_this(), g](
                                                           boost::system::error_code ec, std::size_t n) {
      if (g != self->generation) return;
      if (ec) {
        if (!self->admitted) return self->refused_by_tls(g, ec, false);
        return self->fail(g, "connection to " + self->sender_name() + " lost: " + explain_tls_error(ec));
      }
      self->reader.feed(std::span(self->read_buffer.data(), n));
      while (true) {
        auto frame = self->reader.next();
        if (!frame) {
          self->faults.add(frame.error());
          return self->fail(g, "sender sent an oversized control message");
        }
        if (!frame.value()) break;
        if (!self->on_message(g, *frame.value())) return;
      }
      self->read(g);
    });
  }

  bool on_message(std::uint64_t g, const std::vector<std::uint8_t>& bytes) {
    const core::CaptureTime received = clock.now();
    pb::Envelope envelope;
    if (!envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      faults.add(core::Fault::kMalformed);
      fail(g, "sender sent a malformed control message");
      return false;
    }
    if (envelope.has_refusal()) {
      teardown();
      set_state(ConnectionState::kRefused,
                sender_name() + " refused this console: " + envelope.refusal().reason());
      return false;
    }
    if (envelope.has_welcome()) return on_welcome(g, envelope.welcome());
    if (envelope.has_annotation_operation()) return on_annotation_operation(envelope.annotation_operation());
    if (envelope.has_annotation_scene()) return on_annotation_scene(envelope.annotation_scene());
    if (envelope.has_roster()) {
      roster = envelope.roster();
      return true;
    }
    if (envelope.has_or_controls()) {
      const bool was_mine = holds_pen();
      or_controls = envelope.or_controls();
      if (was_mine != holds_pen() || or_controls.pen_revoked()) {
        spdlog::info("pen: {}{}", or_controls.pen_holder().empty() ? "nobody" : or_controls.pen_holder(),
                     or_controls.pen_revoked() ? " (the surgeon took it back)" : "");
      }
      return true;
    }
    if (envelope.has_annotation_refused()) {
      ++totals.annotations_refused;
      if (replica) replica->refused();
      if (!pending_inputs.empty()) pending_inputs.pop_front();
      spdlog::warn("annotation refused by the sender: {}", envelope.annotation_refused().reason());
      listener.on_annotation_refused(envelope.annotation_refused().reason());
      if (replica) listener.on_annotations(replica->view());
      return true;
    }
    if (envelope.has_clock_pong()) {
      const auto& pong = envelope.clock_pong();
      clock_sync.add({core::from_ntp64(pong.t1_ntp()), core::from_ntp64(pong.t2_ntp()),
                      core::from_ntp64(pong.t3_ntp()), received});
    }
    return true;
  }

  static std::span<const std::uint8_t> bytes_of(const std::string& s) {
    return std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  }

  bool on_annotation_operation(const std::string& bytes) {
    if (!replica) return true;
    auto op = annotation::decode_operation(bytes_of(bytes));
    if (!op) {
      faults.add(op.error().fault);
      spdlog::warn("annotation operation from the sender rejected: {}", op.error().reason);
      return true;
    }
    const bool own = op.value().author == welcome.annotation_author();
    auto applied = replica->apply(op.value());
    if (!applied) {
      // Out of step with the sender (a gap, or a scene too large to be sent on join): follow from here with
      // what is new rather than draw a scene that differs from the surgeon's.
      faults.add(applied.error().fault);
      spdlog::warn("annotation scene out of step with the sender ({}); showing new annotations from #{} on",
                   applied.error().reason, op.value().sequence);
      annotation::Scene fresh;
      fresh.version = op.value().sequence;
      replica->reset(std::move(fresh));
      pending_inputs.clear();
      listener.on_annotations(replica->view());
      return true;
    }
    if (!applied.value()) return true;
    ++totals.annotation_operations;
    if (own && !pending_inputs.empty()) {
      const core::CaptureTime input = pending_inputs.front();
      pending_inputs.pop_front();
      ++totals.annotations_confirmed;
      annotation_echo_all.add(clock.now() - input);
      if (clock_sync.synced() && totals.annotation_inputs.size() < 100'000) {
        totals.annotation_inputs.push_back({op.value().sequence, input + clock_sync.offset()});
      }
    }
    listener.on_annotations(replica->view());
    return true;
  }

  bool on_annotation_scene(const std::string& bytes) {
    if (!replica) return true;
    auto scene = annotation::decode_scene(bytes_of(bytes));
    if (!scene) {
      faults.add(scene.error().fault);
      spdlog::warn("annotation scene from the sender rejected: {}", scene.error().reason);
      return true;
    }
    replica->reset(std::move(scene.value()));
    pending_inputs.clear();
    listener.on_annotations(replica->view());
    return true;
  }

  bool holds_pen() const {
    return admitted && !or_controls.pen_holder_author().empty() &&
           or_controls.pen_holder_author() == welcome.annotation_author();
  }

  bool propose_annotation(const annotation::AnnotationOperation& op) {
    if (!admitted || !replica) {
      faults.add(core::Fault::kNotAuthorised);
      spdlog::warn("annotation not sent: not connected to {}", sender_name());
      return false;
    }
    if (welcome.role() != "mentor") {
      faults.add(core::Fault::kNotAuthorised);
      spdlog::warn("annotation not sent: this console is an {}, only a mentor draws", welcome.role());
      return false;
    }
    if (!holds_pen()) {
      faults.add(core::Fault::kNotAuthorised);
      spdlog::warn("annotation not sent: {}",
                   or_controls.pen_revoked()
                       ? "the surgeon has taken the pen back"
                       : (or_controls.pen_holder().empty() ? std::string("nobody holds the pen")
                                                           : or_controls.pen_holder() + " holds the pen"));
      return false;
    }
    const auto wire = annotation::encode_proposal(op);
    pb::Envelope envelope;
    envelope.set_version(kProtocolVersion);
    envelope.set_annotation_proposal(std::string(wire.begin(), wire.end()));
    send(envelope);
    ++totals.annotations_proposed;
    const core::CaptureTime now = clock.now();
    // Pointers are confirmed like any operation but not echoed; both wait for their confirmation in order.
    pending_inputs.push_back(now);
    replica->propose(op, clock_sync.synced() ? now + clock_sync.offset() : now);
    listener.on_annotations(replica->view());
    return true;
  }

  // Pointers and other annotations with a time to live disappear on time here too, on the sender's clock.
  void expire_annotations(std::uint64_t g) {
    annotation_timer.expires_after(milliseconds{100});
    annotation_timer.async_wait([self = shared_from_this(), g](boost::system::error_code ec) {
      if (ec || g != self->generation || !self->replica) return;
      if (self->clock_sync.synced() && self->replica->expire(self->clock.now() + self->clock_sync.offset()))
        self->listener.on_annotations(self->replica->view());
      self->expire_annotations(g);
    });
  }

  bool on_welcome(std::uint64_t g, const pb::Welcome& w) {
    if (w.protocol_version() != kProtocolVersion) {
      teardown();
      set_state(ConnectionState::kRefused,
                "sender speaks protocol version " + std::to_string(w.protocol_version()));
      return false;
    }
    media::SrtpProfile profile;
    try {
      profile = media::parse_srtp_profile(w.srtp_profile());
    } catch (const std::invalid_argument& e) {
      teardown();
      set_state(ConnectionState::kRefused, e.what());
      return false;
    }
    const SrtpKeys keys = derive_srtp_keys(stream->native_handle(), profile);
    if (keys.sender_to_console.empty()) {
      fail(g, "SRTP key derivation failed");
      return false;
    }
    using media::SrtpSession;
    inbound =
        std::make_unique<SrtpSession>(profile, SrtpSession::Direction::kInbound, keys.sender_to_console);
    outbound =
        std::make_unique<SrtpSession>(profile, SrtpSession::Direction::kOutbound, keys.console_to_sender);
    welcome = w;
    boost::system::error_code ec;
    sender_media = udp::endpoint(stream->lowest_layer().remote_endpoint(ec).address(),
                                 static_cast<unsigned short>(w.media_port()));
    jitter = std::make_unique<media::JitterBuffer>(settings.jitter_latency, 2048);
    unwrapper = media::SequenceUnwrapper();
    capture_by_timestamp.clear();
    frames.clear();
    pipeline = std::make_unique<media::ReceiverPipeline>(
        clock, *this, mailbox, static_cast<int>(w.video_payload_type()), settings.read_pixel_code);
    pipeline->start();
    admitted = true;
    admitted_at = clock.now();
    connect_timer.cancel();
    ++totals.connections;
    reconnect_attempt = 0;
    clock_sync = ClockSync();
    pings_sent = 0;
    // A new connection starts from the sender's scene (sent right after the welcome).
    replica = std::make_unique<annotation::SceneReplica>(w.annotation_author());
    or_controls = pb::OrControls();
    roster = pb::Roster();
    pending_inputs.clear();
    listener.on_annotations(replica->view());
    expire_annotations(g);
    set_state(ConnectionState::kConnected, "as " + w.display_name() + " (" + w.role() + ") at " +
                                               w.site_name() + ", " + w.video_profile() + ", " +
                                               w.srtp_profile());
    ping(g);
    return true;
  }

  void ping(std::uint64_t g) {
    if (g != generation || !admitted) return;
    pb::Envelope envelope;
    envelope.set_version(kProtocolVersion);
    envelope.mutable_clock_ping()->set_t1_ntp(core::to_ntp64(clock.now()));
    send(envelope);
    ++pings_sent;
    if (pings_sent >= 10) report_latency();
    // A quick burst finds a low-RTT sample at once; then one per second tracks drift.
    ping_timer.expires_after(pings_sent < 10 ? milliseconds{50} : milliseconds{1000});
    ping_timer.async_wait([self = shared_from_this(), g](boost::system::error_code ec) {
      if (!ec) self->ping(g);
    });
  }

  // Once a second, with the ping: the sender keeps it in the recording's event log.
  void report_latency() {
    // The first second of a link holds a start-up transient (frames waiting for the first keyframe): the
    // 10-s window is reported once it holds none of it, or every join would raise the OR's latency alarm.
    const auto now = clock.now();
    if (link_first_frame_at.time_since_epoch().count() == 0 || now < link_first_frame_at + kTransientClear)
      return;
    const auto g2g = g2g_window.summary(now);
    if (g2g.count == 0) return;
    pb::Envelope envelope;
    envelope.set_version(kProtocolVersion);
    auto* report = envelope.mutable_latency_report();
    report->set_g2g_p50_ms(g2g.p50_ms);
    report->set_g2g_p95_ms(g2g.p95_ms);
    report->set_samples(static_cast<std::uint32_t>(g2g.count));
    report->set_clock_uncertainty_ms(core::to_ms(clock_sync.uncertainty()));
    send(envelope);
  }

  void teardown() {
    ++generation;
    admitted = false;
    link_first_frame_at = {};
    connect_timer.cancel();
    ping_timer.cancel();
    jitter_timer.cancel();
    vitals_timer.cancel();
    annotation_timer.cancel();
    if (stream) {
      boost::system::error_code ec;
      stream->lowest_layer().close(ec);
    }
    if (pipeline) pipeline->stop();
    pipeline.reset();
    if (jitter) lost_before_this_connection += jitter->stats().lost;
    jitter.reset();
    inbound.reset();
    outbound.reset();
    sender_media.reset();
  }

  void fail(std::uint64_t g, const std::string& why) {
    if (g != generation || state == ConnectionState::kStopped) return;
    teardown();
    ++reconnect_attempt;
    set_state(ConnectionState::kReconnecting, why);
    reconnect_timer.expires_after(settings.reconnect_delay);
    reconnect_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec && self->state == ConnectionState::kReconnecting) self->connect();
    });
  }

  // --- realtime channel ---

  void receive_media() {
    media_socket.async_receive_from(
        asio::buffer(datagram), datagram_from,
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec == asio::error::operation_aborted || self->state == ConnectionState::kStopped) return;
          if (!ec) self->on_datagram(n);
          self->receive_media();
        });
  }

  void on_datagram(std::size_t size) {
    // Any source address is accepted: SRTP authentication decides what is the sender's (and a NAT may rebind
    // the sender's port mid-session).
    if (!admitted || !inbound) {
      faults.add(core::Fault::kUnknownStream);
      return;
    }
    const core::CaptureTime arrival = clock.now();
    if (media::looks_like_rtcp(std::span(datagram.data(), size))) {
      auto plain = inbound->unprotect_rtcp(std::span(datagram), size);
      if (!plain) faults.add(plain.error());
      return;  // the sender sends no RTCP we act on yet
    }
    auto plain = inbound->unprotect_rtp(std::span(datagram), size);
    if (!plain) {
      faults.add(plain.error());
      return;
    }
    auto header = media::parse_rtp(std::span(datagram.data(), plain.value()));
    if (!header) {
      faults.add(header.error());
      return;
    }
    const auto& h = header.value();
    if (welcome.vitals_ssrc() != 0 && h.ssrc == welcome.vitals_ssrc() &&
        h.payload_type == welcome.vitals_payload_type()) {
      on_vitals_packet(std::span(datagram.data() + h.payload_offset, h.payload_size));
      return;
    }
    if (h.ssrc != welcome.video_ssrc() || h.payload_type != welcome.video_payload_type()) {
      faults.add(core::Fault::kUnknownStream);
      return;
    }
    ++totals.packets_received;
    totals.bytes_received += size;
    if (h.capture_ntp) {
      const auto captured = core::from_ntp64(*h.capture_ntp);
      capture_by_timestamp.emplace_back(h.timestamp, captured);
      if (capture_by_timestamp.size() > 64) capture_by_timestamp.pop_front();
      auto& timing = frames[captured.time_since_epoch().count()];
      timing.captured = captured;
      if (h.send_ntp) timing.sent = core::from_ntp64(*h.send_ntp);
      while (frames.size() > kMaxTrackedFrames) frames.erase(frames.begin());
    }
    media::ReceivedPacket packet;
    packet.index = unwrapper.unwrap(h.sequence);
    packet.rtp_timestamp = h.timestamp;
    packet.marker = h.marker;
    packet.arrival = arrival;
    // The decoder needs no header extension; keeping it is harmless, so the packet goes as received.
    packet.bytes.assign(datagram.data(), datagram.data() + plain.value());
    if (auto* timing = timing_of(capture_of(h.timestamp))) timing->received_last = arrival;
    if (auto r = jitter->insert(std::move(packet)); !r) faults.add(r.error());
    release_ready();
  }

  void on_vitals_packet(std::span<const std::uint8_t> payload) {
    auto packet = vitals::decode_vitals_packet(payload);
    if (!packet) {
      faults.add(packet.error());
      return;
    }
    const vitals::VitalsUpdate update = vitals_receiver.accept(packet.value());
    if (update.alarms_changed) {
      // Alarms are never held back for lip sync: the mentor hears of an alarm as early as possible.
      vitals::VitalsUpdate alarms_only;
      alarms_only.alarms_changed = true;
      alarms_only.alarms = update.alarms;
      listener.on_vitals(alarms_only);
    }
    vitals_playout.push(update);
    release_vitals();
  }

  // How long vitals wait so that they show with the picture captured at the same moment (lip sync): the
  // video's own glass-to-glass, smoothed, at most vitals_sync_max.
  nanoseconds vitals_delay() const {
    return std::clamp(video_delay_ewma, nanoseconds{0}, nanoseconds{settings.vitals_sync_max});
  }

  void note_video_delay(nanoseconds g2g) {
    video_delay_ewma = video_delay_ewma.count() == 0 ? g2g : (video_delay_ewma * 7 + g2g) / 8;
  }

  void release_vitals() {
    const core::CaptureTime now = clock.now();
    // Without clock sync there is no common time line yet: show at once.
    const core::CaptureTime until =
        clock_sync.synced() ? now + clock_sync.offset() - vitals_delay() : core::CaptureTime::max();
    const vitals::VitalsUpdate shown = vitals_playout.release(until);
    // Latency of what the mentor now sees: acquired (sender clock, mapped by clock sync) -> shown here.
    auto measure = [&](core::CaptureTime acquired) {
      if (!clock_sync.synced()) return;
      // What was acquired before we joined is history the sender repeats for us, not latency.
      const core::CaptureTime acquired_local = clock_sync.to_local(acquired);
      if (acquired_local < admitted_at) return;
      const nanoseconds latency = now - acquired_local;
      vitals_window.add(now, latency);
      if (totals.first_frame_at.time_since_epoch().count() != 0 &&
          now >= totals.first_frame_at + settings.report_warmup) {
        vitals_all.add(latency);
      }
    };
    for (const auto& s : shown.numerics) {
      measure(s.captured);
      vitals_shown[static_cast<std::size_t>(s.parameter)] = s;
      if (!newest_vitals || s.captured > *newest_vitals) newest_vitals = s.captured;
    }
    for (const auto& c : shown.waveforms) {
      if (!c.samples.empty()) measure(c.time_of(c.samples.size() - 1));
    }
    if (!shown.numerics.empty() || !shown.waveforms.empty()) listener.on_vitals(shown);
    const auto due = vitals_playout.next_due();
    if (!due || !clock_sync.synced()) return;
    const nanoseconds wait = clock_sync.to_local(*due) + vitals_delay() - now;
    vitals_timer.expires_after(std::max(nanoseconds{0}, wait));
    vitals_timer.async_wait([self = shared_from_this(), g = generation](boost::system::error_code ec) {
      if (ec || g != self->generation || self->state == ConnectionState::kStopped) return;
      self->release_vitals();
    });
  }

  core::CaptureTime capture_of(std::uint32_t rtp_timestamp) const {
    for (auto it = capture_by_timestamp.rbegin(); it != capture_by_timestamp.rend(); ++it) {
      if (it->first == rtp_timestamp) return it->second;
    }
    if (capture_by_timestamp.empty()) return {};
    // First packet lost: estimate from the newest known frame and the RTP clock.
    const auto& [ts, captured] = capture_by_timestamp.back();
    const auto delta = static_cast<std::int32_t>(rtp_timestamp - ts);
    return captured + nanoseconds{static_cast<std::int64_t>(delta) * 1'000'000'000 / kVideoClockRate};
  }

  FrameTiming* timing_of(core::CaptureTime captured) {
    const auto it = frames.find(captured.time_since_epoch().count());
    return it == frames.end() ? nullptr : &it->second;
  }

  void release_ready() {
    if (!jitter || !pipeline) return;
    const core::CaptureTime now = clock.now();
    released.clear();
    jitter->release(now, released);
    for (const auto& packet : released) {
      const core::CaptureTime captured = capture_of(packet.rtp_timestamp);
      if (captured.time_since_epoch().count() == 0) continue;
      pipeline->push_rtp(packet.bytes, captured);
      FrameTiming* timing = timing_of(captured);
      if (timing) timing->released = now;
      if (packet.frame_damaged) {
        if (timing && !timing->damaged) {
          timing->damaged = true;
          ++totals.frames_undecodable;
        } else if (!timing) {
          ++totals.frames_undecodable;
        }
        request_keyframe(now);
      }
    }
    if (const auto deadline = jitter->next_deadline()) {
      jitter_timer.expires_after(std::max(nanoseconds{0}, *deadline - now));
      jitter_timer.async_wait([self = shared_from_this(), g = generation](boost::system::error_code ec) {
        if (!ec && g == self->generation) self->release_ready();
      });
    }
  }

  void request_keyframe(core::CaptureTime now) {
    if (now - last_pli < milliseconds{300} || !outbound || !sender_media) return;
    last_pli = now;
    std::array<std::uint8_t, 12 + media::kSrtpMaxTrailer> rtcp{};
    const std::size_t n = media::write_pli(rtcp, 1, welcome.video_ssrc());
    auto protected_length = outbound->protect_rtcp(rtcp, n);
    if (!protected_length) return;
    boost::system::error_code ec;
    media_socket.send_to(asio::buffer(rtcp.data(), protected_length.value()), *sender_media, 0, ec);
  }

  // --- decoded frames (posted from the decoder's streaming thread) ---

  void on_frame_decoded(const media::DecodedFrameInfo& info) override {
    asio::post(io, [self = shared_from_this(), info] { self->frame_decoded(info); });
  }

  void on_pipeline_problem(std::string text, bool fatal) override {
    asio::post(io, [text = std::move(text), fatal] {
      if (fatal) {
        spdlog::error("decoder: {}", text);
      } else {
        spdlog::debug("decoder: {}", text);
      }
    });
  }

  void frame_decoded(const media::DecodedFrameInfo& info) {
    ++totals.frames_received;
    last_frame_at = info.decoded_at;
    listener.on_picture_ready();
    ++last_second.frames;
    if (link_first_frame_at.time_since_epoch().count() == 0) link_first_frame_at = info.decoded_at;
    if (totals.first_frame_at.time_since_epoch().count() == 0) {
      totals.first_frame_at = info.decoded_at;
      spdlog::info("first picture {:.0f} ms after start", core::to_ms(info.decoded_at - totals.started_at));
    }
    if (!clock_sync.synced()) return;  // latency figures need the clock offset
    const bool in_report = info.decoded_at >= totals.first_frame_at + settings.report_warmup;
    if (in_report) ++totals.frames_after_warmup;
    const core::CaptureTime captured_local = clock_sync.to_local(info.capture_time);
    if (!newest_capture_local || captured_local > *newest_capture_local)
      newest_capture_local = captured_local;
    const nanoseconds g2g = info.decoded_at - captured_local;
    if (!settings.measure_at_presentation) {
      if (in_report) g2g_all.add(g2g);
      g2g_window.add(info.decoded_at, g2g);
      g2g_last_ms = core::to_ms(g2g);
      note_video_delay(g2g);
    }
    if (FrameTiming* t = timing_of(info.capture_time)) t->decoded = info.decoded_at;
    if (info.pixel_capture_us) {
      const core::CaptureTime pixel_capture{std::chrono::microseconds{*info.pixel_capture_us}};
      const nanoseconds pixel = info.decoded_at - clock_sync.to_local(pixel_capture);
      pixel_window.add(info.decoded_at, pixel);
      if (in_report) {
        pixel_all.add(pixel);
        max_disagreement_ms = std::max(max_disagreement_ms, std::abs(core::to_ms(pixel - g2g)));
      }
    } else if (settings.read_pixel_code && in_report) {
      ++totals.frames_pixel_unreadable;
    }
    if (!in_report) return;
    if (const FrameTiming* t = timing_of(info.capture_time);
        t && t->sent.time_since_epoch().count() != 0 && t->released.time_since_epoch().count() != 0) {
      encode_all.add(t->sent - t->captured);
      network_all.add(t->received_last - clock_sync.to_local(t->sent));
      jitter_all.add(t->released - t->received_last);
      decode_all.add(info.decoded_at - t->released);
    }
  }

  void presented(core::CaptureTime capture_time, core::CaptureTime presented_at) {
    if (!clock_sync.synced() || !settings.measure_at_presentation) return;
    const nanoseconds g2g = presented_at - clock_sync.to_local(capture_time);
    const bool in_report = totals.first_frame_at.time_since_epoch().count() != 0 &&
                           presented_at >= totals.first_frame_at + settings.report_warmup;
    if (in_report) g2g_all.add(g2g);
    g2g_window.add(presented_at, g2g);
    g2g_last_ms = core::to_ms(g2g);
    note_video_delay(g2g);
    if (const FrameTiming* t = timing_of(capture_time);
        t && in_report && t->decoded.time_since_epoch().count() != 0) {
      render_all.add(presented_at - t->decoded);
    }
  }

  ConsoleStatus status() {
    ConsoleStatus s;
    const core::CaptureTime now = clock.now();
    s.state = state;
    s.detail = detail;
    s.reconnect_attempt = reconnect_attempt;
    if (admitted) {
      s.display_name = welcome.display_name();
      s.role = welcome.role();
      s.site_name = welcome.site_name();
      s.case_pseudonym = welcome.case_pseudonym();
    }
    s.g2g_10s = g2g_window.summary(now);
    s.pixel_10s = pixel_window.summary(now);
    s.g2g_last_ms = g2g_last_ms;
    s.picture_age_ms = newest_capture_local ? core::to_ms(now - *newest_capture_local) : -1;
    // DESIGN.md §4: no frame for 1 s is "link lost", even while the control channel still looks fine.
    s.link_lost = state == ConnectionState::kReconnecting ||
                  (admitted && (!last_frame_at || now - *last_frame_at > std::chrono::seconds{1}) &&
                   now - admitted_at > std::chrono::seconds{1});
    s.clock_uncertainty_ms = core::to_ms(clock_sync.uncertainty());
    s.rtt_ms = core::to_ms(clock_sync.round_trip());
    const double seconds = std::max(1e-3, core::to_ms(now - last_second.at) / 1000.0);
    const std::uint64_t lost = packets_lost();
    s.fps = static_cast<double>(last_second.frames) / seconds;
    s.bitrate_kbps = static_cast<double>(totals.bytes_received - last_second.bytes) * 8 / 1000 / seconds;
    const std::uint64_t packets = totals.packets_received - last_second.packets;
    const std::uint64_t lost_now = lost - last_second.lost;
    s.loss_pct = packets + lost_now == 0
                     ? 0
                     : 100.0 * static_cast<double>(lost_now) / static_cast<double>(packets + lost_now);
    s.frames_decoded = totals.frames_received;
    s.frames_undecodable = totals.frames_undecodable;
    s.packets_dropped = faults.total();
    s.vitals.stream = admitted && welcome.vitals_ssrc() != 0;
    for (const auto& p : vitals::all_parameters()) {
      s.vitals.latest[static_cast<std::size_t>(p.parameter)] =
          vitals_shown[static_cast<std::size_t>(p.parameter)];
    }
    s.vitals.alarms = vitals_receiver.alarms();
    if (newest_vitals && clock_sync.synced()) {
      s.vitals.age_ms = core::to_ms(now - clock_sync.to_local(*newest_vitals));
    }
    s.vitals.latency_10s = vitals_window.summary(now);
    if (admitted) {
      s.annotation_author = welcome.annotation_author();
      s.may_draw = welcome.role() == "mentor" && holds_pen();
      s.pen_holder = or_controls.pen_holder();
      s.pen_revoked = or_controls.pen_revoked();
      s.or_annotations_hidden = or_controls.annotations_hidden();
      s.flagged_vitals.assign(or_controls.flagged_vitals().begin(), or_controls.flagged_vitals().end());
      s.consent_recorded = or_controls.consent_recorded();
      s.recording = or_controls.recording();
      for (const auto& entry : roster.consoles())
        s.roster.push_back(entry.display_name() + " (" + entry.role() + ")");
    }
    s.annotations_shown = replica ? replica->view()->annotations.size() : 0;
    last_second = {now, 0, totals.bytes_received, totals.packets_received, lost};
    return s;
  }

  ConsoleReport report() const {
    ConsoleReport r = totals;
    r.g2g = g2g_all.summary();
    r.pixel = pixel_all.summary();
    r.encode = encode_all.summary();
    r.network = network_all.summary();
    r.jitter = jitter_all.summary();
    r.decode = decode_all.summary();
    r.render = render_all.summary();
    r.vitals = vitals_all.summary();
    r.vitals_numerics = vitals_receiver.counters().numerics_new;
    r.vitals_waveform_samples = vitals_receiver.counters().waveform_samples_new;
    r.vitals_waveform_samples_lost = vitals_receiver.counters().waveform_samples_lost;
    r.annotation_echo = annotation_echo_all.summary();
    r.clock_uncertainty_ms = core::to_ms(clock_sync.uncertainty());
    r.max_metadata_pixel_disagreement_ms = max_disagreement_ms;
    r.packets_lost = packets_lost();
    if (r.first_frame_at.time_since_epoch().count() != 0) {
      const core::CaptureTime now = clock.now();
      r.seconds_receiving = core::to_ms(now - r.first_frame_at) / 1000.0;
      r.seconds_after_warmup =
          std::max(0.0, core::to_ms(now - (r.first_frame_at + settings.report_warmup)) / 1000.0);
    }
    return r;
  }
};

ConsoleSession::ConsoleSession(asio::io_context& io, ConsoleSessionSettings settings,
                               const core::Clock& clock, media::LatestFrameMailbox& mailbox,
                               ConsoleSessionListener& listener)
    : impl_(std::make_shared<Impl>(io, std::move(settings), clock, mailbox, listener)) {}

ConsoleSession::~ConsoleSession() {
  if (impl_->state != ConnectionState::kStopped) stop();
}

void ConsoleSession::start() { impl_->start(); }

void ConsoleSession::stop() {
  impl_->teardown();
  impl_->state = ConnectionState::kStopped;
  boost::system::error_code ec;
  impl_->reconnect_timer.cancel();
  impl_->media_socket.close(ec);
}

ConsoleStatus ConsoleSession::status() { return impl_->status(); }
ConsoleReport ConsoleSession::report() const { return impl_->report(); }
const core::FaultCounters& ConsoleSession::faults() const { return impl_->faults; }
void ConsoleSession::note_presented(core::CaptureTime capture_time, core::CaptureTime presented_at) {
  impl_->presented(capture_time, presented_at);
}
std::uint16_t ConsoleSession::media_port() const { return impl_->media_socket.local_endpoint().port(); }
bool ConsoleSession::propose_annotation(const annotation::AnnotationOperation& op) {
  return impl_->propose_annotation(op);
}
bool ConsoleSession::flag_vital(const std::string& vital, bool flagged) {
  auto& i = *impl_;
  if (!i.admitted || i.welcome.role() != "mentor") {
    spdlog::warn("vitals flag not sent: {}", i.admitted ? "only a mentor flags vitals" : "not connected");
    return false;
  }
  pb::Envelope envelope;
  envelope.set_version(kProtocolVersion);
  envelope.mutable_vitals_flag()->set_vital(vital);
  envelope.mutable_vitals_flag()->set_flagged(flagged);
  i.send(envelope);
  return true;
}
bool ConsoleSession::may_draw() const { return impl_->welcome.role() == "mentor" && impl_->holds_pen(); }
std::string ConsoleSession::annotation_author() const {
  return impl_->admitted ? impl_->welcome.annotation_author() : std::string();
}
std::shared_ptr<const annotation::Scene> ConsoleSession::annotation_scene() const {
  return impl_->replica ? impl_->replica->view() : std::make_shared<const annotation::Scene>();
}

}  // namespace surgilink::session
