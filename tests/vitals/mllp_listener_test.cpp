#include "surgilink/vitals/mllp_listener.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "surgilink/vitals/hl7_ack.hpp"
#include "surgilink/vitals/mllp_frame_reader.hpp"

namespace surgilink::vitals {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr seconds kPatience{10};  // upper bound for anything that should happen at once on loopback

std::string read_message(const std::string& name) {
  std::ifstream in(std::string(SURGILINK_TEST_DATA) + "/hl7/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The listener's upward calls, recorded from the io thread; the test thread waits on them.
class Recorder final : public VitalsListener, public MllpObserver {
 public:
  void on_vitals(std::vector<NumericSample> samples) override {
    std::lock_guard lock(mutex_);
    batches_.push_back(std::move(samples));
    changed_.notify_all();
  }
  void on_connection_closed(MllpCloseReason reason) override {
    std::lock_guard lock(mutex_);
    closes_.push_back(reason);
    changed_.notify_all();
  }
  bool wait_for_batches(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, [&] { return batches_.size() >= n; });
  }
  bool wait_for_close(MllpCloseReason reason, std::size_t n = 1) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, [&] {
      return static_cast<std::size_t>(std::count(closes_.begin(), closes_.end(), reason)) >= n;
    });
  }
  std::vector<std::vector<NumericSample>> batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::vector<NumericSample>> batches_;
  std::vector<MllpCloseReason> closes_;
};

// What the listener logs (through spdlog's default logger) while one of these exists.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()), sink_(std::make_shared<Sink>()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink_));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // The lines logged so far that contain `text`.
  std::vector<std::string> lines_with(const std::string& text) const {
    std::vector<std::string> out;
    for (const std::string& line : sink_->lines()) {
      if (line.find(text) != std::string::npos) out.push_back(line);
    }
    return out;
  }

 private:
  class Sink final : public spdlog::sinks::base_sink<std::mutex> {
   public:
    std::vector<std::string> lines() {
      std::lock_guard lock(mutex_);
      return lines_;
    }

   protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
      lines_.emplace_back(msg.payload.data(), msg.payload.size());
    }
    void flush_() override {}

   private:
    std::vector<std::string> lines_;
  };
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<Sink> sink_;
};

// A gateway as a test sees it: its own io_context, driven on the test thread with deadlines, so that a
// misbehaving listener fails the test instead of hanging it.
class TestGateway {
 public:
  // Connects from `from` (any 127.x.y.z address is this machine on Linux, which lets one test play several
  // hosts) to the listener on 127.0.0.1.
  explicit TestGateway(std::uint16_t port, const char* from = "127.0.0.1") : socket_(io_) {
    socket_.open(tcp::v4());
    socket_.bind(tcp::endpoint(asio::ip::make_address(from), 0));
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  // Writes everything; false if the listener closed the connection first.
  bool send(const std::string& bytes) {
    std::optional<error_code> result;
    asio::async_write(socket_, asio::buffer(bytes), [&](error_code ec, std::size_t) { result = ec; });
    run_until([&] { return result.has_value(); });
    return result && !*result;
  }

  // The next MLLP frame's message, or nullopt at end of stream, error or timeout.
  std::optional<std::string> read_frame() {
    std::optional<error_code> result;
    std::size_t n = 0;
    asio::async_read_until(socket_, asio::dynamic_buffer(buffer_), "\x1C\x0D",
                           [&](error_code ec, std::size_t got) {
                             result = ec;
                             n = got;
                           });
    run_until([&] { return result.has_value(); });
    if (!result || *result) return std::nullopt;
    std::string frame = buffer_.substr(0, n);
    buffer_.erase(0, n);
    MllpFrameReader reader;
    reader.feed(frame);
    auto message = reader.next();
    return message ? message.value() : std::nullopt;
  }

  // Sends the message file `name` in one frame; the code of the ACK that answers it (nullopt: none came).
  std::optional<AckCode> ack_code_for(const std::string& name) {
    if (!send(mllp_frame(read_message(name)))) return std::nullopt;
    const auto ack = read_ack();
    return ack ? std::optional<AckCode>(ack->code) : std::nullopt;
  }

  std::optional<Hl7Ack> read_ack() {
    auto frame = read_frame();
    if (!frame) return std::nullopt;
    auto ack = Hl7Ack::parse(*frame);
    EXPECT_TRUE(ack.has_value()) << *frame;
    return ack ? std::optional<Hl7Ack>(ack.value()) : std::nullopt;
  }

  // True once the listener has closed the connection (end of stream or reset), within the deadline.
  bool closed_by_listener() {
    std::array<char, 4096> sink{};
    while (true) {
      std::optional<error_code> result;
      socket_.async_read_some(asio::buffer(sink), [&](error_code ec, std::size_t) { result = ec; });
      run_until([&] { return result.has_value(); });
      if (!result) return false;  // timed out
      if (*result) return true;
    }
  }

  void close() {
    error_code ignored;
    socket_.close(ignored);
  }

  // Sends `bytes` one at a time, `gap` apart, as a client that keeps a connection busy without ever finishing
  // a message. Returns how long the listener let that go on before closing the connection, or nullopt when it
  // never did.
  std::optional<std::chrono::steady_clock::duration> trickle(const std::string& bytes, milliseconds gap) {
    const auto start = std::chrono::steady_clock::now();
    std::array<char, 256> sink{};
    bool closed = false;
    socket_.async_read_some(asio::buffer(sink), [&](error_code ec, std::size_t) { closed = ec.failed(); });
    asio::steady_timer pace(io_);
    std::size_t sent = 0;
    std::function<void()> next = [&] {
      pace.expires_after(gap);
      pace.async_wait([&](error_code ec) {
        if (ec || closed || sent == bytes.size()) return;
        asio::async_write(socket_, asio::buffer(&bytes[sent++], 1), [](error_code, std::size_t) {});
        next();
      });
    };
    next();
    io_.restart();
    const auto deadline = start + gap * static_cast<int>(bytes.size()) + seconds{1};
    while (!closed && std::chrono::steady_clock::now() < deadline) io_.run_one_for(milliseconds{20});
    pace.cancel();
    if (!closed) {
      error_code ignored;
      socket_.cancel(ignored);
    }
    io_.restart();
    io_.poll();
    if (!closed) return std::nullopt;
    return std::chrono::steady_clock::now() - start;
  }

  asio::io_context& io() { return io_; }
  tcp::socket& socket() { return socket_; }

  // Runs the gateway's handlers until `done` or kPatience has passed (then the pending operation is
  // cancelled).
  template <typename Done>
  void run_until(Done done) {
    io_.restart();
    const auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.run_one_for(milliseconds{100});
    }
    if (!done()) {
      error_code ignored;
      socket_.cancel(ignored);
      io_.restart();
      io_.run_for(milliseconds{100});
    }
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  std::string buffer_;
};

class MllpListenerTest : public ::testing::Test {
 protected:
  void start(MllpSettings settings = {}) {
    settings.bind_address = "127.0.0.1";
    settings.port = 0;
    listener_ = std::make_unique<MllpListener>(io_, settings, ObservationCodeMap::defaults(), clock_,
                                               recorder_, &recorder_);
    listener_->start();
    io_thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (!listener_) return;
    asio::post(io_, [this] { listener_->stop(); });
    io_thread_.join();
    listener_.reset();
  }

  std::uint16_t port() const { return listener_->port(); }
  const MllpCounters& counters() const { return listener_->counters(); }

  asio::io_context io_;
  core::SimulatedClock clock_;
  Recorder recorder_;
  std::unique_ptr<MllpListener> listener_;
  std::thread io_thread_;
};

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
