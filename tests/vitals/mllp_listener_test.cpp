// The MLLP listener with messages: ACKs, partial acceptance, pipelining, framing errors, many clients.
#include "surgilink/vitals/mllp_listener.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mllp_test_gateway.hpp"

namespace surgilink::vitals {
namespace {

using namespace mllp_test;

TEST_F(MllpListenerTest, GoodMessageIsAcceptedAndItsSamplesArrive) {
  start();
  EXPECT_NE(port(), 0);
  TestGateway gw(port());
  ASSERT_TRUE(gw.send(mllp_frame(read_message("intellivue_pcd01.hl7"))));
  auto ack = gw.read_ack();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->code, AckCode::kAccept);
  EXPECT_EQ(ack->acknowledged_control_id, "MSG00001");
  EXPECT_TRUE(ack->errors.empty());
  ASSERT_TRUE(recorder_.wait_for_batches(1));
  const auto batches = recorder_.batches();
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0].size(), 6u);
  EXPECT_EQ(batches[0][0].parameter, Parameter::kHr);
  EXPECT_EQ(batches[0][0].value, 72);
  EXPECT_EQ(batches[0][0].captured, clock_.now());  // stamped on the injected capture clock
  EXPECT_EQ(batches[0][1].parameter, Parameter::kSpo2);
  EXPECT_EQ(batches[0][1].value, 97);
  EXPECT_EQ(counters().messages_accepted.load(), 1u);
  EXPECT_EQ(counters().observations_unknown.load(), 2u);
  EXPECT_EQ(counters().samples_delivered.load(), 6u);
}

TEST_F(MllpListenerTest, BadMessagesGetAeOrArNamingTheProblem) {
  start();
  TestGateway gw(port());
  ASSERT_TRUE(gw.send(mllp_frame(read_message("bad_non_numeric.hl7"))));
  auto ae = gw.read_ack();
  ASSERT_TRUE(ae);
  EXPECT_EQ(ae->code, AckCode::kError);
  EXPECT_EQ(ae->acknowledged_control_id, "BAD-0001");
  EXPECT_EQ(ae->text, "OBX 2 (spo2): OBX-5 value 'abc' is not a number");
  ASSERT_EQ(ae->errors.size(), 1u);
  EXPECT_EQ(ae->errors[0].location, "OBX^2^5");

  ASSERT_TRUE(gw.send(mllp_frame(read_message("bad_encoding_characters.hl7"))));
  auto ar = gw.read_ack();
  ASSERT_TRUE(ar);
  EXPECT_EQ(ar->code, AckCode::kReject);
  EXPECT_EQ(ar->acknowledged_control_id, "BAD-0003");
  EXPECT_THAT(ar->text, HasSubstr("MSH-2 encoding characters"));

  ASSERT_TRUE(gw.send(mllp_frame(read_message("bad_message_type.hl7"))));
  auto type = gw.read_ack();
  ASSERT_TRUE(type);
  EXPECT_EQ(type->code, AckCode::kReject);
  EXPECT_THAT(type->text, HasSubstr("is not ORU"));

  // The connection is still good: the next message is accepted. The AE message delivered its good heart rate
  // and SpO2 as missing; the AR messages delivered nothing.
  ASSERT_TRUE(gw.send(mllp_frame(read_message("ucum_units_lf.hl7"))));
  auto aa = gw.read_ack();
  ASSERT_TRUE(aa);
  EXPECT_EQ(aa->code, AckCode::kAccept);
  ASSERT_TRUE(recorder_.wait_for_batches(2));
  const auto batches = recorder_.batches();
  ASSERT_EQ(batches.size(), 2u);
  ASSERT_EQ(batches[0].size(), 2u);
  EXPECT_EQ(batches[0][0].parameter, Parameter::kHr);
  EXPECT_EQ(batches[0][0].value, 70);
  EXPECT_EQ(batches[0][1].parameter, Parameter::kSpo2);
  EXPECT_FALSE(batches[0][1].value.has_value());
  EXPECT_EQ(batches[1].size(), 8u);
  EXPECT_EQ(counters().messages_rejected.load(), 3u);
  EXPECT_EQ(counters().messages_accepted.load(), 1u);
  EXPECT_EQ(counters().faults.get(core::Fault::kMalformed), 3u);
}

// Issue 12, "bad input loses nothing": one implausible SpO2 must not cost the heart rate, EtCO2 and
// temperature of the same message.
TEST_F(MllpListenerTest, PartlyBadMessageDeliversItsGoodObservationsAndAnAeNamingTheBadOne) {
  start();
  TestGateway gw(port());
  ASSERT_TRUE(gw.send(mllp_frame(read_message("bad_spo2_range.hl7"))));
  auto ack = gw.read_ack();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->code, AckCode::kError);
  EXPECT_EQ(ack->acknowledged_control_id, "BAD-0007");
  ASSERT_EQ(ack->errors.size(), 1u);
  EXPECT_EQ(ack->errors[0].location, "OBX^2^5");
  EXPECT_THAT(ack->errors[0].reason, HasSubstr("spo2 value 101 % is outside the plausible range"));
  ASSERT_TRUE(recorder_.wait_for_batches(1));
  const auto batch = recorder_.batches().at(0);
  ASSERT_EQ(batch.size(), 4u);
  EXPECT_EQ(batch[0].parameter, Parameter::kHr);
  EXPECT_EQ(batch[0].value, 72);
  EXPECT_EQ(batch[1].parameter, Parameter::kSpo2);
  EXPECT_FALSE(batch[1].value.has_value());  // shown as missing, not as the last good value
  EXPECT_EQ(batch[2].parameter, Parameter::kEtco2);
  EXPECT_EQ(batch[2].value, 35);
  EXPECT_EQ(batch[3].parameter, Parameter::kTemp);
  EXPECT_NEAR(batch[3].value.value_or(0), 36.8, 1e-9);
  EXPECT_EQ(counters().messages_rejected.load(), 1u);
  EXPECT_EQ(counters().samples_delivered.load(), 4u);
}

TEST_F(MllpListenerTest, PipelinedMessagesAreAckedInOrder) {
  start();
  TestGateway gw(port());
  ASSERT_TRUE(gw.send(mllp_frame(read_message("kpa_units.hl7")) + "\r\n" +
                      mllp_frame(read_message("bad_segment.hl7")) +
                      mllp_frame(read_message("two_devices_lf.hl7"))));
  const auto first = gw.read_ack();
  const auto second = gw.read_ack();
  const auto third = gw.read_ack();
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(first->acknowledged_control_id, "CS-55012");
  EXPECT_EQ(first->code, AckCode::kAccept);
  EXPECT_EQ(second->acknowledged_control_id, "BAD-0005");
  EXPECT_EQ(second->code, AckCode::kError);
  EXPECT_THAT(second->text, HasSubstr("segment 3 does not start with a segment id"));
  EXPECT_EQ(third->acknowledged_control_id, "MSG00102");
  EXPECT_EQ(third->code, AckCode::kAccept);
  ASSERT_TRUE(recorder_.wait_for_batches(2));
}

TEST_F(MllpListenerTest, TruncatedFrameThenCloseIsCounted) {
  start();
  {
    TestGateway gw(port());
    const std::string message = read_message("intellivue_pcd01.hl7");
    ASSERT_TRUE(gw.send("\x0B" + message.substr(0, message.size() / 2)));
    gw.close();
  }
  ASSERT_TRUE(recorder_.wait_for_close(MllpCloseReason::kTruncatedFrame));
  EXPECT_EQ(counters().frames_truncated.load(), 1u);
  EXPECT_EQ(counters().faults.get(core::Fault::kTruncated), 1u);
  EXPECT_EQ(counters().messages_accepted.load(), 0u);
  EXPECT_TRUE(recorder_.batches().empty());
  // A clean close between messages is not a truncation.
  {
    TestGateway gw(port());
    ASSERT_TRUE(gw.send(mllp_frame(read_message("two_devices_lf.hl7"))));
    ASSERT_TRUE(gw.read_ack());
    gw.close();
  }
  ASSERT_TRUE(recorder_.wait_for_close(MllpCloseReason::kPeerClosed));
  EXPECT_EQ(counters().frames_truncated.load(), 1u);
}

TEST_F(MllpListenerTest, TenMegabyteFrameGetsArAndCloseAndTheListenerServesTheNextClient) {
  start();
  {
    TestGateway gw(port());
    const std::string huge = "\x0BMSH|^~\\&|FLOOD|X|||20240115||ORU^R01|HUGE-1|P|2.6\rNTE|1||" +
                             std::string(10 * 1024 * 1024, 'A') + "\x1C\x0D";
    // Write and read at the same time, as a real sender would: the AR arrives while the flood is going out.
    std::optional<error_code> written;
    asio::async_write(gw.socket(), asio::buffer(huge), [&](error_code ec, std::size_t) { written = ec; });
    auto ack = gw.read_ack();
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->code, AckCode::kReject);
    EXPECT_EQ(ack->acknowledged_control_id, "HUGE-1");  // salvaged from the start of the frame
    EXPECT_THAT(ack->text, HasSubstr("MLLP frame is over the 1048576-byte limit"));
    gw.run_until([&] { return written.has_value(); });
    EXPECT_TRUE(gw.closed_by_listener());  // shut down for sending right after the AR
    gw.close();
  }
  ASSERT_TRUE(recorder_.wait_for_close(MllpCloseReason::kFrameTooLarge));
  EXPECT_EQ(counters().frames_too_large.load(), 1u);
  EXPECT_EQ(counters().faults.get(core::Fault::kTooLarge), 1u);
  EXPECT_TRUE(recorder_.batches().empty());

  TestGateway next(port());
  ASSERT_TRUE(next.send(mllp_frame(read_message("mindray_benelink.hl7"))));
  auto ack = next.read_ack();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->code, AckCode::kAccept);
  ASSERT_TRUE(recorder_.wait_for_batches(1));
}

TEST_F(MllpListenerTest, BrokenFramingGetsArAndClose) {
  start();
  TestGateway gw(port());
  ASSERT_TRUE(gw.send("\x0BMSH|^~\\&|A|B|||20240115||ORU^R01|FR-1|P|2.6\r\x1CX"));
  auto ack = gw.read_ack();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->code, AckCode::kReject);
  EXPECT_EQ(ack->acknowledged_control_id, "FR-1");
  EXPECT_THAT(ack->text, HasSubstr("0x1C is not followed by 0x0D"));
  EXPECT_TRUE(gw.closed_by_listener());
  gw.close();
  ASSERT_TRUE(recorder_.wait_for_close(MllpCloseReason::kBadFraming));
  EXPECT_EQ(counters().framing_errors.load(), 1u);
}

TEST_F(MllpListenerTest, HundredClientsAtOnceWithSixtyFourAllowed) {
  MllpSettings settings;
  settings.max_clients = 64;
  settings.max_clients_per_address = 100;  // all of them come from 127.0.0.1: the total is what is limited
  start(settings);
  asio::io_context client_io;
  const std::string message = mllp_frame(read_message("ucum_units_lf.hl7"));
  struct Client {
    explicit Client(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    std::string buffer;
    bool done = false;
    bool acked = false;
  };
  std::vector<std::unique_ptr<Client>> clients;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port());
  for (int i = 0; i < 100; ++i) {
    clients.push_back(std::make_unique<Client>(client_io));
    clients.back()->socket.connect(endpoint);
  }
  for (auto& c : clients) {
    Client* client = c.get();
    asio::async_write(client->socket, asio::buffer(message), [](error_code, std::size_t) {});
    asio::async_read_until(client->socket, asio::dynamic_buffer(client->buffer), "\x1C\x0D",
                           [client](error_code ec, std::size_t n) {
                             client->done = true;
                             if (ec) return;
                             MllpFrameReader reader;
                             reader.feed(client->buffer.substr(0, n));
                             auto m = reader.next();
                             if (!m || !m.value()) return;
                             auto ack = Hl7Ack::parse(*m.value());
                             client->acked = ack && ack.value().code == AckCode::kAccept;
                           });
  }
  const auto all_done = [&] {
    return std::all_of(clients.begin(), clients.end(), [](const auto& c) { return c->done; });
  };
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (!all_done() && std::chrono::steady_clock::now() < deadline) client_io.run_one_for(milliseconds{100});
  ASSERT_TRUE(all_done());
  const auto served = std::count_if(clients.begin(), clients.end(), [](const auto& c) { return c->acked; });
  EXPECT_EQ(served, 64);
  EXPECT_EQ(counters().connections_refused.load(), 36u);
  EXPECT_EQ(counters().connections_accepted.load(), 64u);
  EXPECT_EQ(counters().messages_accepted.load(), 64u);
  ASSERT_TRUE(recorder_.wait_for_batches(64));
  ASSERT_TRUE(recorder_.wait_for_close(MllpCloseReason::kRefused, 36));

  // Once the 64 go away, new clients are served again.
  for (auto& c : clients) c->socket.close();
  ASSERT_TRUE(recorder_.wait_for_close(MllpCloseReason::kPeerClosed, 64));
  TestGateway late(port());
  ASSERT_TRUE(late.send(message));
  auto ack = late.read_ack();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->code, AckCode::kAccept);
}

}  // namespace
}  // namespace surgilink::vitals
