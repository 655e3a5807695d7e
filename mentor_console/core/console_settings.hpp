#pragma once
// Everything surgilink-console needs, from configs/console.toml and the command line.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "surgilink/session/console_session.hpp"

namespace surgilink::console {

// An OR site the console may connect to.
struct SiteEntry {
  std::string name;
  std::string host;
  std::uint16_t control_port = 7400;
  // "sha256:...": the site's sender must present exactly this certificate; empty: any our CA signed.
  std::string fingerprint = {};
};

// HUD colour thresholds for glass-to-glass latency.
struct LatencyThresholds {
  std::chrono::milliseconds green{150};
  std::chrono::milliseconds amber{300};
};

// What draws the window: the GPU through OpenGL, or Qt's software renderer, which repaints only the parts
// that changed. `automatic` takes the GPU unless OpenGL here is itself a CPU rasterizer (llvmpipe).
enum class WindowRenderer { automatic, gpu, software };

// Settings of the console program.
struct ConsoleSettings {
  std::string log_level = "info";
  std::vector<SiteEntry> sites;
  SiteEntry site;  // the one chosen
  session::ConsoleSessionSettings session;
  LatencyThresholds thresholds;
  WindowRenderer renderer = WindowRenderer::automatic;
  // The window's language: "ja", "en", or "system" (QLocale::system(); English where there is no catalogue).
  // Status lines, logs and --help stay English.
  std::string language = "system";
  // [review] library: the folder whose sub-folders are recordings, listed on the start screen.
  std::filesystem::path review_library;
  std::optional<double> seconds;
  bool status_json = false;
  std::optional<std::filesystem::path> report;
  // Headless only: a scripted mentor draws, keeping this many annotations on screen (benchmark, tests).
  std::optional<std::size_t> scripted_mentor;
};

// Command-line overrides.
struct ConsoleOverrides {
  std::optional<std::string> connect;  // site name
  std::optional<std::string> host;
  std::optional<int> control_port;
  std::optional<std::string> certificate, private_key;  // another identity (tests, shared workstations)
  std::optional<int> protocol_version;                  // what hello announces (interop tests)
  std::optional<std::string> audio_in, audio_out;       // --audio-in / --audio-out
  bool audio_markers = false;                           // --audio-markers (bench)
  std::optional<std::string> language;                  // --language, over [ui] language
};

// Loads and validates, the TLS files included (session::check_tls_files); throws core::ConfigError naming
// file, line and key.
ConsoleSettings load_console_settings(const std::filesystem::path& file, const ConsoleOverrides& overrides);

// Makes `site` the one the session connects to: its address and its pinned certificate.
void select_site(ConsoleSettings& settings, const SiteEntry& site);

}  // namespace surgilink::console
