#pragma once
// The OR window's own X11 window (issue 13): the video sink draws into it, so SurgiLink decides where it is
// and how big: full screen on the chosen monitor, or half of it, toggled by F11. Private to media/.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace surgilink::media {

// Any thread (one mutex around the X connection).
class OrX11Window {
 public:
  // A button press in the window at (x, y) of a window `width` x `height`, on the window's event thread.
  using Press = std::function<void(int x, int y, int width, int height)>;
  // Opens a connection and maps a black window on monitor `screen` (RandR order); throws std::runtime_error
  // without an X display. `chosen` tells what was picked, for the log. Presses on the window itself (a sink
  // drawing into it cannot select them: X gives button presses on a window to one client only) go to
  // `on_press`, from a thread of its own ("or-window-x11").
  OrX11Window(bool full_screen, int screen, std::string& chosen, Press on_press);
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
  void read_events();     // the event thread

  mutable std::mutex mutex_;
  std::unique_ptr<Connection> x_;
  std::uintptr_t window_ = 0;
  std::array<int, 4> monitor_{};  // x, y, width, height
  bool full_ = true;
  Press on_press_;
  int stop_fd_ = -1;  // an eventfd: the destructor wakes the event thread with it
  std::thread events_;
};

}  // namespace surgilink::media
