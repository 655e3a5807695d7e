// surgilink-console: the mentor's side. Connects to an OR sender and shows the live operative field.
#include <cstdio>
#include <exception>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdlib>

#include "core/headless_console.hpp"
#include "core/link_preflight.hpp"
#include "surgilink/core/config.hpp"
#include "surgilink/core/logging.hpp"
#include "ui/console_window.hpp"

int main(int argc, char** argv) {
  using namespace surgilink;
  CLI::App app{
      "surgilink-console: receives the operative field from an OR sender over SRTP, with live "
      "glass-to-glass latency.\nStatus: one line per second on stdout; logs on stderr."};
  std::string config = "configs/console.toml";
  console::ConsoleOverrides overrides;
  std::optional<double> seconds;
  bool status_json = false, headless = false, fullscreen = false;
  std::string screenshot;
  std::string report, log_level;
  double report_warmup = 0;
  app.add_option("--config", config, "settings file (TOML)")->capture_default_str();
  app.add_option("--connect", overrides.connect, "the [[site]] to connect to (default: the first)");
  app.add_option("--host", overrides.host, "connect to this sender host instead of a configured site");
  app.add_option("--control-port", overrides.control_port, "the sender's control port")
      ->check(CLI::Range(1, 65535));
  app.add_option("--certificate", overrides.certificate,
                 "use this certificate instead of the configured one");
  app.add_option("--private-key", overrides.private_key, "the private key of --certificate");
  app.add_option("--protocol-version", overrides.protocol_version,
                 "announce this protocol version (testing)");
  app.add_flag("--headless", headless, "no window: status lines only");
  app.add_option(
      "--audio-in", overrides.audio_in,
      "the mentor's microphone: default | none | file:PATH.wav (played in real time, looped) | DEVICE");
  app.add_option(
      "--audio-out", overrides.audio_out,
      "what the mentor hears (the OR, the other mentors): default | none | file:PATH.wav (written in "
      "real time) | DEVICE");
  app.add_flag("--audio-markers", overrides.audio_markers,
               "find the audio timestamp code in what is spoken and heard (bench; times in --report-json)");
  std::optional<std::size_t> scripted_mentor;
  app.add_option("--scripted-mentor", scripted_mentor,
                 "a scripted mentor draws strokes, arrows, circles and a pointer, keeping N annotations on "
                 "screen (demo, benchmark, tests; in the window or with --headless)")
      ->check(CLI::Range(1, 200));
  app.add_option("--screenshot", screenshot, "save a PNG of the window when the run ends (with --seconds)");
  app.add_flag("--fullscreen", fullscreen, "start full screen (F11 toggles)");
  app.add_option("--seconds", seconds, "stop after this many seconds");
  app.add_flag("--status-json", status_json, "print status lines as JSON (keys in README.md)");
  app.add_option("--report-json", report, "write a JSON latency report to this file at exit");
  app.add_option("--report-warmup", report_warmup,
                 "leave the first N seconds after the first picture out of "
                 "the report's latency figures");
  app.add_option("--language", overrides.language,
                 "the window's language: ja | en | system (the system locale; overrides [ui] language)");
  std::string review;
  app.add_option("--review", review,
                 "open this recording (a folder under [review] library, or any) in the review screen");
  std::optional<std::string> preflight;
  double preflight_seconds = 10;
  bool preflight_json = false;
  app.add_option(
      "--preflight", preflight,
      "measure the link to this [[site]] before a case (round trip, jitter, loss, rate OR->mentor) "
      "and say which video profile it carries; the sender keeps the result as evidence");
  app.add_option("--preflight-seconds", preflight_seconds, "how long the pre-flight measures (5 to 60)")
      ->capture_default_str();
  app.add_flag("--json", preflight_json, "with --preflight: print the result as one JSON object");
  app.add_option("--log-level", log_level, "trace | debug | info | warn | error (overrides the config)");
  CLI11_PARSE(app, argc, argv);
  if (preflight) {
    if (overrides.connect && *overrides.connect != *preflight) {
      std::fprintf(stderr, "surgilink-console: --preflight and --connect name different sites\n");
      return 2;
    }
    overrides.connect = preflight;
  }
  const std::chrono::milliseconds preflight_duration{std::lround(preflight_seconds * 1000)};
  if (const auto bad = session::check_preflight_duration(preflight_duration); preflight && !bad.empty()) {
    std::fprintf(stderr, "surgilink-console: --preflight-seconds: %s\n", bad.c_str());
    return 2;
  }
  try {
    auto settings = console::load_console_settings(config, overrides);
    settings.seconds = seconds;
    settings.status_json = status_json;
    if (!report.empty()) settings.report = report;
    settings.session.report_warmup = std::chrono::milliseconds{static_cast<long>(report_warmup * 1000)};
    core::setup_logging("console", log_level.empty() ? settings.log_level : log_level);
    settings.scripted_mentor = scripted_mentor;
    if (preflight) return console::run_preflight(settings, preflight_duration, preflight_json);
    if (headless && !review.empty()) {
      std::fprintf(stderr,
                   "surgilink-console: --review needs the window (surgilink-review works headless)\n");
      return 2;
    }
    if (headless) {
      console::HeadlessConsole console(std::move(settings));
      return console.run();
    }
    if (std::getenv("DISPLAY") == nullptr && std::getenv("WAYLAND_DISPLAY") == nullptr &&
        std::getenv("QT_QPA_PLATFORM") == nullptr) {
      // No screen: the real window still runs and renders, offscreen (for screenshots and tests).
      spdlog::info("no display: rendering the console offscreen");
      setenv("QT_QPA_PLATFORM", "offscreen", 1);
    }
    console::WindowOptions window;
    window.connect_at_start = overrides.connect.has_value() || overrides.host.has_value();
    window.fullscreen = fullscreen;
    if (!screenshot.empty()) window.screenshot = screenshot;
    if (!review.empty()) window.review = review;
    return console::run_console_window(argc, argv, std::move(settings), window);
  } catch (const core::ConfigError& e) {
    std::fprintf(stderr, "surgilink-console: configuration error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "surgilink-console: cannot start: %s\n", e.what());
    return 1;
  }
}
