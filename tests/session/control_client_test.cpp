// The console's TCP connection to the sender, on loopback: a SYN that gets no answer (the listener's accept
// queue is full, as a SYN lost on the link) would cost TCP its one-second retransmission timeout; a second
// attempt alongside the first connects instead.
#include "control_client.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>

namespace surgilink::session {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class RecordingListener : public ControlClient::Listener {
 public:
  void on_envelope(const pb::Envelope& /*envelope*/) override {}
  void on_lost(const std::string& why, std::chrono::milliseconds /*retry_in*/) override { lost = why; }
  void on_refused(const std::string& why) override { refused = why; }
  std::optional<std::string> lost, refused;
};

struct ConnectOutcome {
  int won_by_second_attempt = 0;
  std::size_t hello_bytes = 0;  // of the TLS ClientHello the client sent once connected
  std::optional<std::string> lost;
};

// Starts a client against a listener on loopback; with `queue_full`, the listener's accept queue holds one
// connection nobody accepted (listen backlog 0), so the kernel drops the client's first SYN, and the
// queued one is accepted 100 ms later: only a new SYN connects before the first one's retransmission (1 s).
ConnectOutcome connect_once(bool queue_full) {
  asio::io_context io;
  tcp::acceptor acceptor(io);
  acceptor.open(tcp::v4());
  acceptor.bind({asio::ip::address_v4::loopback(), 0});
  acceptor.listen(0);
  tcp::socket queued(io);
  if (queue_full) queued.connect(acceptor.local_endpoint());

  asio::ssl::context tls(asio::ssl::context::tls_client);
  RecordingListener listener;
  ControlClientSettings settings;
  settings.port = acceptor.local_endpoint().port();
  auto client = std::make_shared<ControlClient>(io, tls, settings, 17000, listener);

  ConnectOutcome outcome;
  tcp::socket accepted(io), held(io);
  std::array<std::uint8_t, 512> hello{};
  const auto accept_client = [&] {
    acceptor.async_accept(accepted, [&](boost::system::error_code ec) {
      ASSERT_FALSE(ec) << ec.message();
      // The client connected and began its TLS handshake: its ClientHello arrives.
      accepted.async_read_some(asio::buffer(hello), [&](boost::system::error_code ec2, std::size_t n) {
        EXPECT_FALSE(ec2) << ec2.message();
        outcome.hello_bytes = n;
        io.stop();
      });
    });
  };
  asio::steady_timer free_queue(io);
  if (queue_full) {
    free_queue.expires_after(std::chrono::milliseconds{100});
    free_queue.async_wait([&](boost::system::error_code) {
      acceptor.accept(held);  // the queued connection: the queue has room again
      accept_client();
    });
  } else {
    accept_client();
  }
  asio::steady_timer give_up(io);
  give_up.expires_after(std::chrono::seconds{5});
  give_up.async_wait([&](boost::system::error_code ec) {
    if (!ec) io.stop();
  });
  client->start();
  io.run();
  outcome.won_by_second_attempt = client->won_by_second_attempt();
  outcome.lost = listener.lost;
  // Everything ends here, its handlers run out before the objects they use go.
  client->stop();
  give_up.cancel();
  free_queue.cancel();
  boost::system::error_code ignored;
  for (tcp::socket* s : {&accepted, &held, &queued}) s->close(ignored);
  acceptor.close(ignored);
  io.restart();
  io.run();
  return outcome;
}

TEST(ControlClient, ASecondAttemptConnectsWhenTheFirstSynHasNoAnswer) {
  const ConnectOutcome outcome = connect_once(true);
  EXPECT_GT(outcome.hello_bytes, 0u) << "the client connected and sent its ClientHello";
  EXPECT_EQ(outcome.won_by_second_attempt, 1) << "the first attempt's SYN was dropped";
  EXPECT_FALSE(outcome.lost) << *outcome.lost;
}

TEST(ControlClient, AnAnsweredFirstAttemptConnectsAlone) {
  const ConnectOutcome outcome = connect_once(false);
  EXPECT_GT(outcome.hello_bytes, 0u);
  EXPECT_EQ(outcome.won_by_second_attempt, 0);
}

TEST(ControlClient, ARefusedConnectionIsALossAtOnce) {
  asio::io_context io;
  tcp::acceptor closed(io, {asio::ip::address_v4::loopback(), 0});
  const auto port = closed.local_endpoint().port();
  closed.close();  // nothing listens there now: refused at once
  asio::ssl::context tls(asio::ssl::context::tls_client);
  RecordingListener listener;
  ControlClientSettings settings;
  settings.port = port;
  auto client = std::make_shared<ControlClient>(io, tls, settings, 17000, listener);
  client->start();
  while (!listener.lost && io.run_one() > 0) {
  }
  ASSERT_TRUE(listener.lost);
  EXPECT_NE(listener.lost->find("no answer from 127.0.0.1"), std::string::npos) << *listener.lost;
  EXPECT_EQ(client->won_by_second_attempt(), 0);
  client->stop();
  io.restart();
  io.run();
}

}  // namespace
}  // namespace surgilink::session
