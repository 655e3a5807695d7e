// The benchmark's baselines: the same source and encoder as SurgiLink, but a plain GStreamer RTP stream —
// over udpsink and udpsrc (no SRTP, no NACK, no FEC; on the loopback no jitter buffer either) or inside SRT
// (srtsink/srtsrc) — measured with the same pixel timestamp code, and with the console's own frame
// accounting (session::FrameLatencyTracker: freezes, warm-up, latency series).
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
#include "surgilink/session/frame_latency_tracker.hpp"

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

// The receiving half's figures, on its io thread. Capture times come from the pixel code alone (the plain
// stream carries no metadata); sender and receiver share this machine's clock, so no offset.
struct PlainReceiver : media::ReceiverPipelineListener {
  PlainReceiver(asio::io_context& context, std::chrono::nanoseconds warmup)
      : io(context), tracker(false, warmup) {
    const auto now = clock.now();
    same_clock.add({now, now, now, now});  // offset 0, no uncertainty
  }
  asio::io_context& io;
  core::CaptureClock clock;
  session::FrameLatencyTracker tracker;
  session::ClockSync same_clock, no_capture_time;
  std::uint64_t frames_after_warmup = 0, frames_pixel_unreadable = 0;

  void on_frame_decoded(const media::DecodedFrameInfo& info) override {
    asio::post(io, [this, info] {
      const bool reported = tracker.in_report(info.decoded_at);
      if (info.pixel_capture_us) {
        const core::CaptureTime captured{std::chrono::microseconds{*info.pixel_capture_us}};
        tracker.on_decoded(captured, info.decoded_at, captured, true, same_clock);
      } else {
        // Shown, but with no capture time to measure: counts for freezes, not for latency.
        tracker.on_decoded({}, info.decoded_at, std::nullopt, true, no_capture_time);
        if (reported) ++frames_pixel_unreadable;
      }
      if (tracker.in_report(info.decoded_at)) ++frames_after_warmup;
    });
  }
  void on_pipeline_problem(std::string text, bool fatal) override {
    if (fatal) spdlog::error("baseline receiver: {}", text);
  }
};

nlohmann::json summary_json(const core::LatencySummary& s) {
  if (s.count == 0) return nullptr;
  return {{"p50", s.p50_ms}, {"p95", s.p95_ms}, {"p99", s.p99_ms}, {"max", s.max_ms}, {"count", s.count}};
}

}  // namespace

int run_baseline_sender(const std::string& profile, bool intra_refresh, const media::PlainRtpPath& path,
                        double seconds) {
  asio::io_context io;
  core::CaptureClock clock;
  PlainSenderListener listener;
  media::SenderPipelineSettings settings;
  settings.profile = media::video_profile(profile);
  settings.source = media::parse_video_source("synthetic");
  settings.plain = path;
  settings.intra_refresh = intra_refresh;
  media::SenderPipeline pipeline(settings, clock, listener);
  pipeline.start();
  std::printf("ready\n");  // an SRT listener is up: the receiver may call
  std::fflush(stdout);
  run_for(io, seconds, [&] { pipeline.stop(); });
  return 0;
}

int run_baseline_receiver(const media::PlainRtpPath& path, double seconds, double warmup,
                          const std::string& json_out) {
  asio::io_context io;
  PlainReceiver receiver(io, std::chrono::milliseconds{static_cast<long>(warmup * 1000)});
  media::LatestFrameMailbox mailbox;
  media::ReceiverPipeline pipeline(receiver.clock, receiver, mailbox, 96, true, path);
  pipeline.start();
  std::printf("ready\n");
  std::fflush(stdout);
  run_for(io, seconds, [&] { pipeline.stop(); });
  io.restart();
  io.poll();  // frames decoded before the stop
  const auto& tracker = receiver.tracker;
  const auto& totals = tracker.totals();
  const auto counts = pipeline.plain_counts();
  nlohmann::json j = {{"transport", media::to_string(path.transport)},
                      {"frames_received", totals.frames_decoded},
                      {"frames_pixel_unreadable", receiver.frames_pixel_unreadable},
                      {"g2g_ms", summary_json(tracker.g2g_run())},
                      {"pixel_ms", summary_json(tracker.pixel_run())},
                      {"freezes", totals.freezes},
                      {"frozen_ms", core::to_ms(totals.frozen)},
                      {"longest_freeze_ms", core::to_ms(totals.longest_freeze)},
                      {"packets_received", counts.packets},
                      {"packets_lost", counts.packets_lost},
                      // Released with a part missing, by the rule of SurgiLink's console.
                      {"frames_undecodable", counts.frames_damaged},
                      {"frames_until_keyframe", counts.frames_until_keyframe},
                      {"fps_received", 0.0}};
  if (const auto first = tracker.first_picture_at()) {
    const double span = core::to_ms(receiver.clock.now() -
                                    (*first + std::chrono::milliseconds{static_cast<long>(warmup * 1000)})) /
                        1000.0;
    if (span > 0) j["fps_received"] = static_cast<double>(receiver.frames_after_warmup) / span;
  }
  std::ofstream(json_out) << j.dump(2) << "\n";
  return 0;
}

}  // namespace surgilink::bench
