#include "or_monitor.hpp"

#include <cstdlib>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace surgilink::sender {

namespace {

bool has_display() {
  for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return true;
  }
  return false;
}

// {p50, p95, max, count}, or null with no samples.
nlohmann::json summary_json(const core::LatencySummary& s) {
  if (s.count == 0) return nullptr;
  return {{"p50", s.p50_ms}, {"p95", s.p95_ms}, {"max", s.max_ms}, {"count", s.count}};
}

}  // namespace

OrMonitor::OrMonitor(const OrDisplaySettings& settings, const core::Clock& clock,
                     std::function<void(double x, double y)> on_touch,
                     std::function<void(const std::string&)> on_key)
    : clock_(clock), video_sink_(settings.video_sink) {
  const bool asked = settings.window.has_value();
  if (!settings.window.value_or(has_display())) {
    spdlog::info("OR window: off ({})",
                 asked ? "[or_display] window = false or --no-or-window" : "no display");
    return;
  }
  media::OrMonitorWindowSettings window;
  window.video_sink = settings.video_sink;
  window.on_touch = std::move(on_touch);
  window.on_key = std::move(on_key);
  window.full_screen = settings.full_screen;
  window.screen = settings.screen;
  window.on_shown = [this](core::CaptureTime capture, core::CaptureTime shown) {
    times_.shown(capture, shown);
  };
  try {
    window_ = std::make_unique<media::OrMonitorWindow>(std::move(window), clock);
    spdlog::info("OR window: open on {}, {}, drawn by {} (F11: full screen / window)",
                 window_->placed().empty() ? std::string("the OR monitor") : window_->placed(),
                 window_->full_screen() ? "full screen" : "windowed", video_sink_);
  } catch (const std::exception& e) {
    if (asked) throw std::runtime_error(std::string("the OR window cannot open: ") + e.what());
    spdlog::warn("OR window: cannot open ({}); the OR display goes on without it", e.what());
  }
}

void OrMonitor::picture(const std::shared_ptr<const media::VideoFrame>& picture) {
  times_.composed(picture->capture_time(), clock_.now());
  if (window_) window_->show(picture);
}

void OrMonitor::check() {
  if (!window_ || failure_logged_) return;
  if (const auto error = window_->error()) {
    failure_logged_ = true;
    spdlog::error("OR window: {} (the stream to the mentors and the recording go on)", *error);
  }
}

nlohmann::json OrMonitor::report() const {
  return {{"window", window_open()},
          {"video_sink", window_open() ? nlohmann::json(video_sink_) : nlohmann::json(nullptr)},
          {"full_screen", full_screen()},
          {"pictures_shown", window_ ? window_->pictures_shown() : 0},
          {"pictures_skipped", window_ ? window_->pictures_skipped() : 0},
          {"branch_ms", summary_json(times_.branch())},
          {"window_ms", summary_json(times_.window())}};
}

}  // namespace surgilink::sender
