// The MLLP listener against clients that are slow, many, foreign or never read (issue 12): timeouts,
// slots per address, the gateway allow list, MSH-3/MSH-4, bounded ACK queues, the bind address.
#include "surgilink/vitals/mllp_listener.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mllp_test_gateway.hpp"

namespace surgilink::vitals {
namespace {

using namespace mllp_test;

TEST_F(MllpListenerTest, StalledClientIsClosedAfterTheIdleTimeout) {
  MllpSettings settings;
  settings.idle_timeout = milliseconds{300};
  start(settings);
  const auto before = std::chrono::steady_clock::now();
  TestGateway stalled(port());
  ASSERT_TRUE(stalled.send("\x0BMSH|^~\\&|SLOW"));  // a frame begun and never finished
  EXPECT_TRUE(stalled.closed_by_listener());
  const auto waited = std::chrono::steady_clock::now() - before;
  EXPECT_GE(waited, milliseconds{280});
  EXPECT_LT(waited, seconds{5});
  ASSERT_TRUE(recorder_.wait_for_close(MllpCloseReason::kIdleTimeout));
  EXPECT_EQ(counters().connections_timed_out.load(), 1u);
  EXPECT_EQ(counters().frames_truncated.load(), 0u);
}

TEST_F(MllpListenerTest, ActiveClientIsNotTimedOut) {
  MllpSettings settings;
  settings.idle_timeout = milliseconds{500};
  start(settings);
  TestGateway gw(port());
  const std::string message = mllp_frame(read_message("waveform_and_numerics.hl7"));
  // Six messages 100 ms apart: 600 ms of activity, never 500 ms of silence.
  for (int i = 0; i < 6; ++i) {
    asio::steady_timer pace(gw.io(), milliseconds{100});
    bool paced = false;
    pace.async_wait([&](error_code) { paced = true; });
    gw.run_until([&] { return paced; });
    ASSERT_TRUE(gw.send(message));
    auto ack = gw.read_ack();
    ASSERT_TRUE(ack) << "message " << i;
    EXPECT_EQ(ack->code, AckCode::kAccept);
  }
  EXPECT_EQ(counters().connections_timed_out.load(), 0u);
  EXPECT_EQ(counters().messages_accepted.load(), 6u);
}

// A client that sends a byte now and then but never finishes a message is idle as far as HL7 is concerned:
// it must not keep its connection (and a slot the gateway needs) forever.
TEST_F(MllpListenerTest, TricklingClientIsClosedAsIdle) {
  MllpSettings settings;
  settings.idle_timeout = milliseconds{400};
  start(settings);
  TestGateway inside_a_frame(port());
  const auto frame_held = inside_a_frame.trickle(
      "\x0BMSH|^~\\&|SLOW|X|||20240115||ORU^R01|" + std::string(60, 'x'), milliseconds{50});
  ASSERT_TRUE(frame_held) << "a client trickling a frame kept its connection for 3 s";
  EXPECT_GE(*frame_held, milliseconds{350});
  EXPECT_LT(*frame_held, milliseconds{1500});
  TestGateway between_frames(port());
  const auto blanks_held = between_frames.trickle(std::string(60, '\r'), milliseconds{50});
  ASSERT_TRUE(blanks_held) << "a client trickling line ends kept its connection for 3 s";
  EXPECT_LT(*blanks_held, milliseconds{1500});
  EXPECT_EQ(counters().connections_timed_out.load(), 2u);
}

// Connections that hold every slot and send nothing cannot keep the monitor gateway out: when the listener
// is full, a newcomer takes the slot of the oldest connection that never delivered a message.
TEST_F(MllpListenerTest, ClientsHoldingEverySlotDoNotLockOutTheGateway) {
  MllpSettings settings;
  settings.max_clients = 4;
  settings.message_timeout = milliseconds{200};  // how long a silent newcomer is left alone
  start(settings);
  std::vector<std::unique_ptr<TestGateway>> holders;
  for (int i = 0; i < 4; ++i) holders.push_back(std::make_unique<TestGateway>(port()));
  // A gateway arriving in the same instant as the holders would be refused (no one has had its chance yet);
  // one arriving after message_timeout takes the place of the oldest silent holder.
  asio::steady_timer later(holders.back()->io(), milliseconds{300});
  bool waited = false;
  later.async_wait([&](error_code) { waited = true; });
  holders.back()->run_until([&] { return waited; });
  TestGateway gateway(port());
  EXPECT_EQ(gateway.ack_code_for("intellivue_pcd01.hl7"), AckCode::kAccept) << "the gateway was locked out";
  EXPECT_TRUE(holders.front()->closed_by_listener());  // the oldest idle holder made room
  ASSERT_TRUE(recorder_.wait_for_batches(1));
  EXPECT_EQ(counters().connections_evicted.load(), 1u);
  EXPECT_EQ(counters().connections_refused.load(), 0u);
  ASSERT_TRUE(recorder_.wait_for_close(MllpCloseReason::kEvicted));

  // The gateway has delivered: a later newcomer cannot take its place, only the next silent holder's.
  TestGateway newcomer(port());
  EXPECT_TRUE(holders[1]->closed_by_listener());
  EXPECT_EQ(gateway.ack_code_for("mindray_benelink.hl7"), AckCode::kAccept);
  EXPECT_EQ(counters().connections_evicted.load(), 2u);
}

// One address cannot take every slot: beyond max_clients_per_address its connections are closed at once,
// and the gateway at another address gets in without waiting for anyone to be evicted.
TEST_F(MllpListenerTest, OneAddressCannotTakeEverySlot) {
  MllpSettings settings;
  settings.max_clients = 8;
  settings.max_clients_per_address = 2;
  start(settings);
  std::vector<std::unique_ptr<TestGateway>> flood;
  for (int i = 0; i < 8; ++i) flood.push_back(std::make_unique<TestGateway>(port(), "127.0.0.2"));
  for (std::size_t i = 2; i < flood.size(); ++i) ASSERT_TRUE(flood[i]->closed_by_listener()) << i;
  TestGateway gateway(port(), "127.0.0.1");
  EXPECT_EQ(gateway.ack_code_for("intellivue_pcd01.hl7"), AckCode::kAccept);
  EXPECT_EQ(counters().connections_address_limit.load(), 6u);
  EXPECT_EQ(counters().connections_evicted.load(), 0u);
  EXPECT_EQ(counters().connections_open.load(), 3u);
  ASSERT_TRUE(recorder_.wait_for_close(MllpCloseReason::kAddressLimit, 6));
  // The two that got in still hold their places: the limit counts open connections, not history.
  flood[0]->close();
  ASSERT_TRUE(recorder_.wait_for_close(MllpCloseReason::kPeerClosed));
  TestGateway again(port(), "127.0.0.2");
  EXPECT_EQ(again.ack_code_for("kpa_units.hl7"), AckCode::kAccept);
}

// A client that keeps a message open by sending it a byte at a time is closed when message_timeout has
// passed since the message began, even though it is never silent for long.
TEST_F(MllpListenerTest, MessageTrickledByteByByteIsClosedAtTheMessageTimeout) {
  MllpSettings settings;
  settings.idle_timeout = seconds{5};
  settings.message_timeout = milliseconds{300};
  start(settings);
  TestGateway slow(port());
  const auto held =
      slow.trickle("\x0BMSH|^~\\&|SLOW|X|||20240115||ORU^R01|" + std::string(60, 'x'), milliseconds{50});
  ASSERT_TRUE(held) << "a client trickling a frame kept its connection for 3 s";
  EXPECT_GE(*held, milliseconds{250});
  EXPECT_LT(*held, milliseconds{1500});
  ASSERT_TRUE(recorder_.wait_for_close(MllpCloseReason::kSlowMessage));
  EXPECT_EQ(counters().connections_slow.load(), 1u);
  EXPECT_EQ(counters().connections_timed_out.load(), 0u);
}

// A hospital names its gateways; any other address is closed as soon as it connects, before a byte is read,
// and the log tells each source once, then how often it repeated, instead of a line per attempt.
TEST_F(MllpListenerTest, AddressesOutsideTheAllowListAreClosedAtOnceAndLoggedWithoutFlooding) {
  LogCapture log;
  MllpSettings settings;
  const std::vector<std::string> allow = {"127.0.0.1"};
  settings.allow = GatewayAllowList(allow);
  start(settings);
  for (int i = 0; i < 50; ++i) {
    TestGateway stranger(port(), "127.0.0.2");
    stranger.send(mllp_frame(read_message("intellivue_pcd01.hl7")));
    ASSERT_TRUE(stranger.closed_by_listener()) << i;
  }
  EXPECT_EQ(counters().connections_not_allowed.load(), 50u);
  EXPECT_EQ(counters().connections_accepted.load(), 0u);
  EXPECT_EQ(counters().bytes_received.load(), 0u);  // not a byte of theirs was read, nor answered
  EXPECT_EQ(counters().messages_accepted.load() + counters().messages_rejected.load(), 0u);
  EXPECT_EQ(counters().faults.get(core::Fault::kNotAuthorised), 50u);
  ASSERT_TRUE(recorder_.wait_for_close(MllpCloseReason::kNotAllowed, 50));
  EXPECT_EQ(log.lines_with("127.0.0.2").size(), 1u);
  EXPECT_THAT(log.lines_with("127.0.0.2").at(0), HasSubstr("not in vitals.hl7.allow"));

  // The next attempt after the interval brings the summary of the 49 repeats.
  clock_.advance(seconds{11});
  TestGateway later(port(), "127.0.0.2");
  EXPECT_TRUE(later.closed_by_listener());
  ASSERT_TRUE(recorder_.wait_for_close(MllpCloseReason::kNotAllowed, 51));
  ASSERT_EQ(log.lines_with("127.0.0.2").size(), 3u);
  EXPECT_THAT(log.lines_with("127.0.0.2").at(1), HasSubstr("49 more times in the last 10 s"));
  TestGateway gateway(port(), "127.0.0.1");
  EXPECT_EQ(gateway.ack_code_for("intellivue_pcd01.hl7"), AckCode::kAccept);
  EXPECT_TRUE(recorder_.wait_for_batches(1));
  EXPECT_EQ(recorder_.batches().size(), 1u);
}

// With the gateway named (here by the EUI-64 in MSH-3's universal id), a message from any other sending
// application gets an AR saying so, and nothing of it is read or delivered.
TEST_F(MllpListenerTest, OtherSendingApplicationsGetAnArAndDeliverNothing) {
  LogCapture log;
  MllpSettings settings;
  settings.sending_application = "ACDE48234567ABCD";
  start(settings);
  TestGateway gw(port());
  ASSERT_TRUE(gw.send(mllp_frame(read_message("mindray_benelink.hl7"))));
  auto ar = gw.read_ack();
  ASSERT_TRUE(ar);
  EXPECT_EQ(ar->code, AckCode::kReject);
  EXPECT_EQ(ar->acknowledged_control_id, "2001");
  ASSERT_EQ(ar->errors.size(), 1u);
  EXPECT_EQ(ar->errors[0].location, "MSH^1^3");
  EXPECT_EQ(
      ar->text,
      "MSH-3 sending application 'Mindray Gateway^00A037009A0053DE^EUI-64' is not a gateway this listener "
      "takes vitals from");
  ASSERT_TRUE(gw.send(mllp_frame(read_message("intellivue_pcd01.hl7"))));  // AcmeInc^ACDE48234567ABCD^EUI-64
  auto aa = gw.read_ack();
  ASSERT_TRUE(aa);
  EXPECT_EQ(aa->code, AckCode::kAccept);
  ASSERT_TRUE(recorder_.wait_for_batches(1));
  EXPECT_EQ(recorder_.batches().size(), 1u);
  EXPECT_EQ(counters().messages_unexpected_sender.load(), 1u);
  EXPECT_EQ(counters().faults.get(core::Fault::kNotAuthorised), 1u);
  ASSERT_EQ(log.lines_with("not from the configured gateway").size(), 1u);
  EXPECT_THAT(log.lines_with("not from the configured gateway").at(0),
              HasSubstr("MSH-3 'Mindray Gateway^00A037009A0053DE^EUI-64'"));
}

// A client that pipelines messages and never reads its ACKs cannot make the listener queue them without
// bound: 20,000 empty frames in 60 KB would otherwise queue some 4 MB of ARs from one read.
TEST_F(MllpListenerTest, AcksWaitingForAClientThatDoesNotReadAreBoundedInBytes) {
  start();
  TestGateway gw(port());
  std::string frames;
  for (int i = 0; i < 20'000; ++i) frames += mllp_frame("");
  ASSERT_TRUE(gw.send(frames));
  for (int i = 0; i < 20'000; ++i) {
    auto ack = gw.read_ack();
    ASSERT_TRUE(ack) << i;
    ASSERT_EQ(ack->code, AckCode::kReject) << i;
  }
  EXPECT_EQ(counters().messages_rejected.load(), 20'000u);
  EXPECT_LE(counters().ack_bytes_queued_peak.load(), kMllpMaxQueuedAckBytes + 1024);
}

// vitals.hl7.bind_address is the only interface the listener answers on.
TEST_F(MllpListenerTest, ListensOnlyOnItsBindAddress) {
  start();  // 127.0.0.1
  asio::io_context io;
  tcp::socket other(io);
  error_code ec;
  other.connect(tcp::endpoint(asio::ip::make_address("127.0.0.2"), port()), ec);
  EXPECT_EQ(ec, asio::error::connection_refused);
  TestGateway gw(port());
  EXPECT_EQ(gw.ack_code_for("kpa_units.hl7"), AckCode::kAccept);
}

TEST(MllpListener, BindFailureNamesTheAddress) {
  asio::io_context io;
  core::SimulatedClock clock;
  Recorder recorder;
  MllpSettings settings;
  settings.bind_address = "127.0.0.1";
  settings.port = 0;
  MllpListener first(io, settings, ObservationCodeMap::defaults(), clock, recorder);
  settings.port = first.port();
  try {
    MllpListener second(io, settings, ObservationCodeMap::defaults(), clock, recorder);
    FAIL() << "bound the same port twice";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(first.port())));
  }
  settings.bind_address = "not an address";
  EXPECT_THROW(MllpListener(io, settings, ObservationCodeMap::defaults(), clock, recorder),
               std::runtime_error);
}

}  // namespace
}  // namespace surgilink::vitals
