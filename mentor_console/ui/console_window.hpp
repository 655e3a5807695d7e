#pragma once
// The mentor console as a Qt Quick window: start screen, live operative field, latency HUD, session bar,
// drawing-tools strip and vitals panel.

#include <filesystem>
#include <optional>
#include <string>

#include "core/console_settings.hpp"

namespace surgilink::console {

// How the window is run (from the command line).
struct WindowOptions {
  bool connect_at_start = false;                    // --connect / --host: skip the start screen
  std::optional<std::filesystem::path> screenshot;  // saved when the run ends (--seconds) or at Ctrl-C
  bool fullscreen = false;
};

// Registers the C++ items of the QML (SurgiLink.Console 1.0). GUI thread, once, before loading Main.qml.
void register_console_qml_types();

// Chooses what draws every Qt Quick window of this process and returns why, for the log. Call after the
// QGuiApplication exists and before the first window is created; a QT_QUICK_BACKEND in the environment wins.
std::string use_window_renderer(WindowRenderer renderer);

// Runs Qt's event loop on the calling (main) thread until the window closes or --seconds pass; returns the
// exit code. Call after logging is set up.
int run_console_window(int& argc, char** argv, ConsoleSettings settings, const WindowOptions& options);

}  // namespace surgilink::console
