#include "link_preflight.hpp"

#include <csignal>
#include <cstdio>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <nlohmann/json.hpp>

namespace surgilink::console {

std::string format_preflight(const session::PreflightOutcome& o, bool json) {
  const auto& f = o.figures;
  if (json) {
    nlohmann::json j = {{"measured", o.measured},
                        {"site", o.site_name},
                        {"as", o.display_name},
                        {"sender_profile", o.video_profile},
                        {"duration_s", o.duration.count() / 1000.0},
                        {"max_rate_bps", o.max_rate_bps}};
    if (!o.measured) {
      j["problem"] = o.problem;
    } else {
      j["verdict"] = o.verdict.profile;
      j["sentence"] = o.verdict.sentence;
      j["rtt_p50_ms"] = f.rtt_p50_ms;
      j["rtt_p95_ms"] = f.rtt_p95_ms;
      j["rtt_samples"] = f.rtt_samples;
      j["jitter_to_mentor_ms"] = f.jitter_to_mentor_ms;
      j["jitter_to_or_ms"] = f.jitter_to_or_ms;
      j["loss_to_mentor"] = f.loss_to_mentor;
      j["loss_to_or"] = f.loss_to_or;
      j["achievable_bps"] = f.achievable_bps;
      j["rate_capped"] = f.rate_capped;
      j["rate_limited_by"] = f.rate_limited_by;
      j["queueing_ms"] = f.queueing_ms;
      j["ramp_steps_clean"] = f.steps_clean;
      j["ramp_steps"] = f.steps_sent;
    }
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (!o.measured) return "pre-flight not done: " + o.problem;
  return o.site_name + ": " + o.verdict.sentence + " Measured " + std::to_string(o.duration.count() / 1000) +
         " s: " + session::describe(f) + ".";
}

int run_preflight(const ConsoleSettings& settings, std::chrono::milliseconds duration, bool json) {
  boost::asio::io_context io;
  core::CaptureClock clock;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  int code = 0;
  // Once the outcome is known nothing is left to wait for: io.run() returns when the connection has closed.
  session::ConsolePreflight preflight(
      io, settings.session, duration, clock, [&](const session::PreflightOutcome& outcome) {
        std::printf("%s\n", format_preflight(outcome, json).c_str());
        std::fflush(stdout);
        if (!outcome.measured) {
          std::fprintf(stderr, "surgilink-console: %s\n", outcome.problem.c_str());
          code = 4;
        }
        boost::system::error_code ignored;
        signals.cancel(ignored);
      });
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: stopping the pre-flight", signal);
    code = 130;
    preflight.stop();
  });
  spdlog::info("pre-flight with {} ({}:{}) for {} s", settings.site.name, settings.site.host,
               settings.site.control_port, duration.count() / 1000.0);
  preflight.start();
  io.run();
  return code;
}

}  // namespace surgilink::console
