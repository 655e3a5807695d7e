#include "test_control_client.hpp"

#include "surgilink/core/capture_clock.hpp"

#include <functional>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include "control.pb.h"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/srtp_session.hpp"
#include "surgilink/session/control_framing.hpp"
#include "surgilink/vitals/vitals_row.hpp"

namespace surgilink::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

struct TestControlClient::Impl {
  Impl(const session::TlsFiles& identity, int receive_buffer_bytes)
      : tls(session::make_tls_context(identity, false)), stream(io, tls) {
    if (receive_buffer_bytes > 0) {
      stream.lowest_layer().open(tcp::v4());
      stream.lowest_layer().set_option(asio::socket_base::receive_buffer_size(receive_buffer_bytes));
    }
  }
  asio::io_context io;
  asio::ssl::context tls;
  asio::ssl::stream<tcp::socket> stream;
  std::string profile;
  std::unique_ptr<media::SrtpSession> rtcp_out;  // created on the first loss report
  asio::ip::udp::socket media{io};

  // Writes one framed envelope; "" or the error.
  std::string write(const surgilink::control::v1::Envelope& envelope) {
    std::string body;
    envelope.SerializeToString(&body);
    std::vector<std::uint8_t> frame;
    session::append_frame(std::span(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()), frame);
    boost::system::error_code ec;
    asio::write(stream, asio::buffer(frame), ec);
    return ec ? session::explain_tls_error(ec) : "";
  }

  // Reads one framed envelope within `timeout`; false on a socket error, a timeout (the connection is then
  // of no further use) or an unparsable message. Asynchronous under the hood: Asio's blocking read retries a
  // socket receive timeout forever, so a missing message would hang the test.
  bool read_within(surgilink::control::v1::Envelope& in, std::chrono::milliseconds timeout) {
    std::array<std::uint8_t, 4> prefix{};
    std::vector<std::uint8_t> body;
    bool finished = false, ok = false;
    asio::async_read(stream, asio::buffer(prefix), [&](boost::system::error_code ec, std::size_t) {
      if (ec) {
        finished = true;
        return;
      }
      body.resize((std::size_t{prefix[0]} << 24) | (std::size_t{prefix[1]} << 16) |
                  (std::size_t{prefix[2]} << 8) | prefix[3]);
      asio::async_read(stream, asio::buffer(body), [&](boost::system::error_code body_ec, std::size_t) {
        finished = true;
        ok = !body_ec && in.ParseFromArray(body.data(), static_cast<int>(body.size()));
      });
    });
    io.restart();
    io.run_for(timeout);
    if (!finished) {
      boost::system::error_code ignored;
      stream.lowest_layer().cancel(ignored);
      io.restart();
      io.run();  // the cancelled handlers run (and find `finished` still in scope)
      return false;
    }
    return ok;
  }

  // Reads one framed envelope; false on a socket error (in ec) or an unparsable message.
  bool read(surgilink::control::v1::Envelope& in, boost::system::error_code& ec) {
    std::array<std::uint8_t, 4> prefix{};
    asio::read(stream, asio::buffer(prefix), ec);
    if (ec) return false;
    const std::size_t size = (std::size_t{prefix[0]} << 24) | (std::size_t{prefix[1]} << 16) |
                             (std::size_t{prefix[2]} << 8) | prefix[3];
    std::vector<std::uint8_t> reply(size);
    asio::read(stream, asio::buffer(reply), ec);
    return !ec && in.ParseFromArray(reply.data(), static_cast<int>(reply.size()));
  }
};

TestControlClient::TestControlClient(const session::TlsFiles& identity, int receive_buffer_bytes)
    : impl_(std::make_unique<Impl>(identity, receive_buffer_bytes)) {}
TestControlClient::~TestControlClient() = default;

HelloAnswer TestControlClient::hello(int port, std::uint32_t media_port, std::uint32_t protocol_version,
                                     const std::string& software) {
  HelloAnswer answer;
  boost::system::error_code ec;
  impl_->stream.lowest_layer().connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)), ec);
  if (!ec) impl_->stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) {
    answer.tls_error = session::explain_tls_error(ec, impl_->stream.native_handle());
    return answer;
  }
  surgilink::control::v1::Envelope envelope;
  envelope.set_version(protocol_version);
  envelope.mutable_hello()->set_protocol_version(protocol_version);
  envelope.mutable_hello()->set_software(software);
  envelope.mutable_hello()->set_media_port(media_port);
  surgilink::control::v1::Envelope in;
  const std::string error = impl_->write(envelope);
  if (!error.empty() || !impl_->read(in, ec)) {
    answer.tls_error = !error.empty() ? error : ec ? session::explain_tls_error(ec) : "unparsable answer";
    return answer;
  }
  if (in.has_refusal()) answer.refusal = in.refusal().reason();
  if (in.has_welcome()) {
    answer.welcomed = true;
    answer.media_port = in.welcome().media_port();
    answer.video_ssrc = in.welcome().video_ssrc();
    answer.srtp_profile = in.welcome().srtp_profile();
    answer.role = in.welcome().role() == surgilink::control::v1::ROLE_MENTOR     ? "mentor"
                  : in.welcome().role() == surgilink::control::v1::ROLE_OBSERVER ? "observer"
                                                                                 : "?";
    answer.annotation_author = in.welcome().annotation_author();
    impl_->profile = answer.srtp_profile;
  }
  return answer;
}

void TestControlClient::send_annotation_proposal(const std::vector<std::uint8_t>& bytes) {
  surgilink::control::v1::Envelope envelope;
  envelope.set_version(session::kProtocolVersion);
  envelope.set_annotation_proposal(std::string(bytes.begin(), bytes.end()));
  impl_->write(envelope);
}

void TestControlClient::send_vitals_flag(const std::string& vital, bool flagged) {
  const auto row = vitals::row_from_key(vital);
  send_vitals_flag_row(row ? static_cast<int>(*row) + 1 : 0, flagged);
}

void TestControlClient::send_vitals_flag_row(int wire_row, bool flagged) {
  surgilink::control::v1::Envelope envelope;
  envelope.set_version(session::kProtocolVersion);
  envelope.mutable_vitals_flag()->set_row(static_cast<surgilink::control::v1::VitalsRow>(wire_row));
  envelope.mutable_vitals_flag()->set_flagged(flagged);
  impl_->write(envelope);
}

void TestControlClient::send_latency_report(double p50_ms, double p95_ms, std::uint32_t samples) {
  surgilink::control::v1::Envelope envelope;
  envelope.set_version(session::kProtocolVersion);
  auto* report = envelope.mutable_latency_report();
  report->set_g2g_p50_ms(p50_ms);
  report->set_g2g_p95_ms(p95_ms);
  report->set_samples(samples);
  report->set_clock_uncertainty_ms(0.1);
  impl_->write(envelope);
}

void TestControlClient::send_goodbye() {
  surgilink::control::v1::Envelope envelope;
  envelope.set_version(session::kProtocolVersion);
  envelope.mutable_goodbye();
  impl_->write(envelope);
}

void TestControlClient::send_clock_ping() {
  surgilink::control::v1::Envelope envelope;
  envelope.set_version(session::kProtocolVersion);
  envelope.mutable_clock_ping()->set_t1_ntp(core::to_ntp64(core::CaptureClock().now()));
  impl_->write(envelope);
}

void TestControlClient::send_picture_loss(std::uint32_t from_media_port, int sender_media_port) {
  // One SRTCP context for the connection: a fresh one per packet would restart the SRTCP index (a replay).
  if (!impl_->rtcp_out) {
    impl_->rtcp_out = std::make_unique<media::SrtpSession>(media::parse_srtp_profile(impl_->profile),
                                                           media::SrtpSession::Direction::kOutbound,
                                                           keys().console_to_sender);
    impl_->media.open(asio::ip::udp::v4());
    impl_->media.set_option(asio::socket_base::reuse_address(true));
    boost::system::error_code ec;
    impl_->media.bind({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(from_media_port)},
                      ec);
  }
  std::array<std::uint8_t, 12 + media::kSrtpMaxTrailer> rtcp{};
  const std::size_t n = media::write_pli(rtcp, 1, 0);
  auto protected_length = impl_->rtcp_out->protect_rtcp(rtcp, n);
  if (!protected_length) return;
  boost::system::error_code ec;
  impl_->media.send_to(asio::buffer(rtcp.data(), protected_length.value()),
                       {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(sender_media_port)},
                       0, ec);
}

bool TestControlClient::closed_by_sender(std::chrono::milliseconds timeout) {
  std::array<std::uint8_t, 4096> sink{};
  bool ended = false;
  std::function<void()> drain = [&] {
    impl_->stream.async_read_some(asio::buffer(sink), [&](boost::system::error_code ec, std::size_t) {
      if (ec) {
        ended = ec != asio::error::operation_aborted;
        return;
      }
      drain();
    });
  };
  drain();
  impl_->io.restart();
  impl_->io.run_for(timeout);
  if (!ended) {
    boost::system::error_code ignored;
    impl_->stream.lowest_layer().cancel(ignored);
    impl_->io.restart();
    impl_->io.run();
  }
  return ended;
}

void TestControlClient::close_abruptly() {
  boost::system::error_code ec;
  impl_->stream.lowest_layer().close(ec);
}

std::optional<ControlMessage> TestControlClient::read_message(std::chrono::milliseconds timeout) {
  surgilink::control::v1::Envelope in;
  if (!impl_->read_within(in, timeout)) return std::nullopt;
  if (in.has_annotation_operation()) return ControlMessage{"annotation_operation", in.annotation_operation()};
  if (in.has_annotation_refused())
    return ControlMessage{"annotation_refused", in.annotation_refused().reason()};
  if (in.has_refusal()) return ControlMessage{"refusal", in.refusal().reason()};
  if (in.has_annotation_scene()) return ControlMessage{"annotation_scene", in.annotation_scene()};
  if (in.has_clock_pong()) return ControlMessage{"clock_pong", {}};
  if (in.has_roster()) {
    std::string names;
    for (const auto& e : in.roster().consoles())
      names += (names.empty() ? "" : ",") + e.display_name() + "/" +
               (e.role() == surgilink::control::v1::ROLE_MENTOR ? "mentor" : "observer") + "/" +
               e.annotation_author();
    return ControlMessage{"roster", names};
  }
  if (in.has_or_controls()) {
    const auto& c = in.or_controls();
    return ControlMessage{
        "or_controls",
        "pen=" + c.pen_holder_author() + " revoked=" + (c.pen_revoked() ? "1" : "0") +
            " hidden=" + (c.annotations_hidden() ? "1" : "0") +
            (c.flagged_vitals().empty()
                 ? ""
                 : " flagged=" +
                       [&c] {
                         std::string list;
                         for (const int v : c.flagged_vitals())
                           list += (list.empty() ? "" : ",") +
                                   std::string(vitals::info(static_cast<vitals::VitalsRow>(v - 1)).key);
                         return list;
                       }()) +
            (c.consent_recorded() ? " consent=1" : "") + (c.recording() ? " rec=1" : "")};
  }
  return ControlMessage{"other", {}};
}

session::SrtpKeys TestControlClient::keys() const {
  return session::derive_srtp_keys(impl_->stream.native_handle(), media::parse_srtp_profile(impl_->profile));
}

std::string surgeon_command(const std::filesystem::path& socket, const std::string& command) {
  boost::asio::io_context io;
  boost::asio::local::stream_protocol::socket s(io);
  boost::system::error_code ec;
  s.connect(boost::asio::local::stream_protocol::endpoint(socket.string()), ec);
  if (ec) return "(cannot connect: " + ec.message() + ")";
  const std::string line = command + "\n";
  boost::asio::write(s, boost::asio::buffer(line), ec);
  boost::asio::streambuf reply;
  boost::asio::read_until(s, reply, '\n', ec);
  std::string text(boost::asio::buffers_begin(reply.data()), boost::asio::buffers_end(reply.data()));
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::optional<std::string> next_message_of(TestControlClient& client, const std::string& kind) {
  for (int i = 0; i < 10; ++i) {
    const auto message = client.read_message();
    if (!message) break;
    if (message->kind == kind) return message->bytes;
  }
  return std::nullopt;
}

std::string next_controls(TestControlClient& client) {
  return next_message_of(client, "or_controls").value_or("(no controls message arrived)");
}

annotation::AnnotationOperation begin_stroke(const std::string& author, int n) {
  annotation::Annotation draft;
  draft.id = author + "-" + std::to_string(n);
  draft.author = author;
  draft.kind = annotation::AnnotationKind::kStroke;
  draft.points = {{0.40F, 0.50F}, {0.45F, 0.52F}};
  draft.reference_capture = core::CaptureClock().now();
  return annotation::Begin{draft};
}

}  // namespace surgilink::testing
