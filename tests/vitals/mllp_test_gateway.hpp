#pragma once
// What the MLLP listener tests share: the listener's upward calls recorded, its log captured, a gateway
// driven on the test thread with deadlines, and the fixture that runs a listener on its own io thread.

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

#include "surgilink/vitals/mllp_listener.hpp"

namespace surgilink::vitals::mllp_test {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr seconds kPatience{10};  // upper bound for anything that should happen at once on loopback

inline std::string read_message(const std::string& name) {
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

}  // namespace surgilink::vitals::mllp_test
