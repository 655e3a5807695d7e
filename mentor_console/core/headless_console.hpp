#pragma once
// The console without a window: connects, receives, prints one status line per second, and writes a JSON
// report at exit. Used by the demo, the benchmark and on machines without a display.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "console_settings.hpp"

namespace surgilink::console {

// "green", "amber" or "red" for a latency against the HUD thresholds (the console's one colour rule).
const char* latency_colour(double ms, const LatencyThresholds& thresholds);

// One status line (human or JSON, the keys documented in README.md).
std::string format_status(const session::ConsoleStatus& status, bool json,
                          const LatencyThresholds& thresholds);

// Writes the whole-run report (keys documented in README.md).
void write_console_report(const std::filesystem::path& path, const session::ConsoleReport& report,
                          std::uint64_t packets_rejected, std::chrono::milliseconds warmup);

// Runs on the calling thread (the process's network thread).
class HeadlessConsole {
 public:
  explicit HeadlessConsole(ConsoleSettings settings);
  ~HeadlessConsole();
  // Blocks until stopped (signal, --seconds, or refusal); returns the exit code.
  int run();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace surgilink::console
