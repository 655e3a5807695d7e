#include "test_control_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include "control.pb.h"
#include "surgilink/media/srtp_session.hpp"
#include "surgilink/session/control_framing.hpp"

namespace surgilink::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

struct TestControlClient::Impl {
  explicit Impl(const session::TlsFiles& identity)
      : tls(session::make_tls_context(identity, false)), stream(io, tls) {}
  asio::io_context io;
  asio::ssl::context tls;
  asio::ssl::stream<tcp::socket> stream;
  std::string profile;
};

TestControlClient::TestControlClient(const session::TlsFiles& identity)
    : impl_(std::make_unique<Impl>(identity)) {}
TestControlClient::~TestControlClient() = default;

HelloAnswer TestControlClient::hello(int port, std::uint32_t protocol_version, std::uint32_t media_port) {
  HelloAnswer answer;
  boost::system::error_code ec;
  impl_->stream.lowest_layer().connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)), ec);
  if (!ec) impl_->stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) {
    answer.tls_error = session::explain_tls_error(ec);
    return answer;
  }
  surgilink::control::v1::Envelope envelope;
  envelope.set_version(protocol_version);
  envelope.mutable_hello()->set_protocol_version(protocol_version);
  envelope.mutable_hello()->set_software("surgilink integration test");
  envelope.mutable_hello()->set_media_port(media_port);
  std::string body;
  envelope.SerializeToString(&body);
  std::vector<std::uint8_t> frame;
  session::append_frame(std::span(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()), frame);
  asio::write(impl_->stream, asio::buffer(frame), ec);
  std::array<std::uint8_t, 4> prefix{};
  if (!ec) asio::read(impl_->stream, asio::buffer(prefix), ec);
  if (ec) {
    answer.tls_error = session::explain_tls_error(ec);
    return answer;
  }
  const std::size_t size = (std::size_t{prefix[0]} << 24) | (std::size_t{prefix[1]} << 16) |
                           (std::size_t{prefix[2]} << 8) | prefix[3];
  std::vector<std::uint8_t> reply(size);
  asio::read(impl_->stream, asio::buffer(reply), ec);
  surgilink::control::v1::Envelope in;
  if (ec || !in.ParseFromArray(reply.data(), static_cast<int>(reply.size()))) {
    answer.tls_error = ec ? session::explain_tls_error(ec) : "unparsable answer";
    return answer;
  }
  if (in.has_refusal()) answer.refusal = in.refusal().reason();
  if (in.has_welcome()) {
    answer.welcomed = true;
    answer.media_port = in.welcome().media_port();
    answer.video_ssrc = in.welcome().video_ssrc();
    answer.srtp_profile = in.welcome().srtp_profile();
    answer.role = in.welcome().role();
    impl_->profile = answer.srtp_profile;
  }
  return answer;
}

session::SrtpKeys TestControlClient::keys() const {
  return session::derive_srtp_keys(impl_->stream.native_handle(), media::parse_srtp_profile(impl_->profile));
}

}  // namespace surgilink::testing
