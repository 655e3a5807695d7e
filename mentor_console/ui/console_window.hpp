#pragma once
// The mentor console as a Qt Quick window: start screen, live operative field, latency HUD, session bar,
// drawing-tools strip and vitals panel.

#include <filesystem>
#include <optional>
#include <string>

#include "core/console_settings.hpp"

class QQmlApplicationEngine;
class QQuickWindow;

namespace surgilink::console {

class CaseReview;
class MentorSession;

// How the window is run (from the command line).
struct WindowOptions {
  bool connect_at_start = false;                    // --connect / --host: skip the start screen
  std::optional<std::filesystem::path> screenshot;  // saved when the run ends (--seconds) or at Ctrl-C
  bool fullscreen = false;
  std::optional<std::filesystem::path> review;  // --review: open this recording at start
};

// Loads the console's Main.qml from the SurgiLink.Console module's resources (its C++ types come with the
// module) with `mentor` as the window's session and `review` (optional) as its review mode; returns the
// window, or nullptr when the QML did not load (the engine has logged why). GUI thread; both must outlive the
// engine's objects.
QQuickWindow* load_console_window(QQmlApplicationEngine& engine, MentorSession& mentor,
                                  CaseReview* review = nullptr);

// Chooses what draws every Qt Quick window of this process and returns why, for the log. Call after the
// QGuiApplication exists and before the first window is created; a QT_QUICK_BACKEND in the environment wins.
std::string use_window_renderer(WindowRenderer renderer);

// Runs Qt's event loop on the calling (main) thread until the window closes or --seconds pass; returns the
// exit code. Call after logging is set up.
int run_console_window(int& argc, char** argv, ConsoleSettings settings, const WindowOptions& options);

}  // namespace surgilink::console
