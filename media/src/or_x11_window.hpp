#pragma once
// The OR window's own X11 window (issue 13): the video sink draws into it, so SurgiLink decides where it is
// and how big: full screen on the chosen monitor, or half of it, toggled by F11. Private to media/.

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace surgilink::media {

// Any thread (one mutex around the X connection).
class OrX11Window {
 public:
  // Opens a connection and maps a black window on monitor `screen` (RandR order); throws std::runtime_error
  // without an X display. `chosen` tells what was picked, for the log.
  OrX11Window(bool full_screen, int screen, std::string& chosen);
  ~OrX11Window();
  OrX11Window(const OrX11Window&) = delete;
  OrX11Window& operator=(const OrX11Window&) = delete;

  // The X window id for GstVideoOverlay.
  std::uintptr_t handle() const { return window_; }
  bool full_screen() const;
  void set_full_screen(bool full);
  std::array<int, 4> geometry() const;  // x, y, width, height

  struct Connection;

 private:
  void place(bool full);  // with mutex_ held

  mutable std::mutex mutex_;
  std::unique_ptr<Connection> x_;
  std::uintptr_t window_ = 0;
  std::array<int, 4> monitor_{};  // x, y, width, height
  bool full_ = true;
};

}  // namespace surgilink::media
