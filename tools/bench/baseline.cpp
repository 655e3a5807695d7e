// The benchmark's baseline: the same source and encoder as SurgiLink, but plain GStreamer RTP over udpsink
// and udpsrc, no SRTP, no jitter buffer, measured with the same pixel timestamp code.
#include <csignal>
#include <cstdio>
#include <fstream>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "bench_programs.hpp"
#include "surgilink/core/latency_statistics.hpp"
#include "surgilink/media/receiver_pipeline.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::bench {

namespace asio = boost::asio;

namespace {

// Runs `io` until `seconds` pass or SIGINT/SIGTERM.
void run_for(asio::io_context& io, double seconds, const std::function<void()>& on_stop) {
  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::steady_timer timer(io);
  const auto stop = [&] {
    on_stop();
    timer.cancel();
    signals.cancel();
  };
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) stop();
  });
  timer.expires_after(std::chrono::milliseconds{static_cast<long>(seconds * 1000)});
  timer.async_wait([&](boost::system::error_code ec) {
    if (!ec) stop();
  });
  io.run();
}

struct PlainSenderListener : media::SenderPipelineListener {
  void on_encoded_packets(media::EncodedPackets) override {}
  void on_pipeline_problem(std::string text, bool fatal) override {
    if (fatal) spdlog::error("baseline sender: {}", text);
  }
};

struct PlainReceiver : media::ReceiverPipelineListener {
  explicit PlainReceiver(asio::io_context& context) : io(context) {}
  asio::io_context& io;
  core::CaptureClock clock;
  core::LatencySeries pixel;
  std::optional<core::CaptureTime> first;
  std::chrono::milliseconds warmup{0};
  std::uint64_t frames = 0;
  core::CaptureTime last{};

  void on_frame_decoded(const media::DecodedFrameInfo& info) override {
    asio::post(io, [this, info] {
      if (!first) first = info.decoded_at;
      if (info.decoded_at < *first + warmup || !info.pixel_capture_us) return;
      // Same machine, same clock: no offset, no uncertainty.
      pixel.add(info.decoded_at - core::CaptureTime{std::chrono::microseconds{*info.pixel_capture_us}});
      ++frames;
      last = info.decoded_at;
    });
  }
  void on_pipeline_problem(std::string text, bool fatal) override {
    if (fatal) spdlog::error("baseline receiver: {}", text);
  }
};

}  // namespace

int run_baseline_sender(const std::string& profile, int port, double seconds) {
  asio::io_context io;
  core::CaptureClock clock;
  PlainSenderListener listener;
  media::SenderPipelineSettings settings;
  settings.profile = media::video_profile(profile);
  settings.source = media::parse_video_source("synthetic");
  settings.plain_udp_port = port;
  media::SenderPipeline pipeline(settings, clock, listener);
  pipeline.start();
  run_for(io, seconds, [&] { pipeline.stop(); });
  return 0;
}

int run_baseline_receiver(int port, double seconds, double warmup, const std::string& json_out) {
  asio::io_context io;
  PlainReceiver receiver(io);
  receiver.warmup = std::chrono::milliseconds{static_cast<long>(warmup * 1000)};
  media::LatestFrameMailbox mailbox;
  media::ReceiverPipeline pipeline(receiver.clock, receiver, mailbox, 96, true, port);
  pipeline.start();
  std::printf("ready\n");
  std::fflush(stdout);
  run_for(io, seconds, [&] { pipeline.stop(); });
  const auto s = receiver.pixel.summary();
  nlohmann::json j;
  if (s.count == 0) {
    j["pixel_ms"] = nullptr;
    j["fps_received"] = 0;
  } else {
    j["pixel_ms"] = {
        {"p50", s.p50_ms}, {"p95", s.p95_ms}, {"p99", s.p99_ms}, {"max", s.max_ms}, {"count", s.count}};
    const double span = core::to_ms(receiver.last - (*receiver.first + receiver.warmup)) / 1000.0;
    j["fps_received"] = span > 0 ? static_cast<double>(receiver.frames) / span : 0.0;
  }
  std::ofstream(json_out) << j.dump(2) << "\n";
  return 0;
}

}  // namespace surgilink::bench
