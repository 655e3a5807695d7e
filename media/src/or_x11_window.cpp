#include "or_x11_window.hpp"

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/extensions/Xrandr.h>

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace surgilink::media {

struct OrX11Window::Connection {
  Display* display = nullptr;
  ~Connection() {
    if (display != nullptr) XCloseDisplay(display);
  }
};

OrX11Window::OrX11Window(bool full_screen, int screen, std::string& chosen, Press on_press)
    : x_(std::make_unique<Connection>()), full_(full_screen), on_press_(std::move(on_press)) {
  x_->display = XOpenDisplay(nullptr);
  if (x_->display == nullptr) throw std::runtime_error("no X display to open the OR window on");
  Display* d = x_->display;
  const int number = DefaultScreen(d);
  const Window root = RootWindow(d, number);
  monitor_ = {0, 0, DisplayWidth(d, number), DisplayHeight(d, number)};
  int count = 0;
  if (XRRMonitorInfo* monitors = XRRGetMonitors(d, root, True, &count); monitors != nullptr) {
    if (count > 0) {
      const int pick = screen < count ? screen : 0;
      const XRRMonitorInfo& m = monitors[pick];
      monitor_ = {m.x, m.y, m.width, m.height};
      chosen =
          "monitor " + std::to_string(pick) + " of " + std::to_string(count) +
          (screen < count ? std::string()
                          : " ([or_display] screen = " + std::to_string(screen) + " does not exist here)");
    }
    XRRFreeMonitors(monitors);
  }
  if (chosen.empty()) chosen = "the X screen (no RandR monitors)";
  chosen += ", " + std::to_string(monitor_[2]) + "x" + std::to_string(monitor_[3]) + "+" +
            std::to_string(monitor_[0]) + "+" + std::to_string(monitor_[1]);
  const unsigned long black = BlackPixel(d, number);
  const Window w = XCreateSimpleWindow(d, root, monitor_[0], monitor_[1], static_cast<unsigned>(monitor_[2]),
                                       static_cast<unsigned>(monitor_[3]), 0, black, black);
  window_ = w;
  XStoreName(d, w, "SurgiLink OR");
  // A window manager puts a full-screen window over its panels; without one, the size placed below holds.
  if (full_) {
    Atom state = XInternAtom(d, "_NET_WM_STATE", False);
    Atom full = XInternAtom(d, "_NET_WM_STATE_FULLSCREEN", False);
    XChangeProperty(d, w, state, XA_ATOM, 32, PropModeReplace, reinterpret_cast<unsigned char*>(&full), 1);
  }
  XSelectInput(d, w, ButtonPressMask);
  XMapWindow(d, w);
  {
    std::lock_guard lock(mutex_);
    place(full_);
  }
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  if (stop_fd_ < 0) throw std::runtime_error("the OR window's event thread: no eventfd");
  events_ = std::thread([this] { read_events(); });
  pthread_setname_np(events_.native_handle(), "or-window-x11");
}

OrX11Window::~OrX11Window() {
  const std::uint64_t one = 1;
  // Cannot fail for an eventfd below its maximum count.
  [[maybe_unused]] const ssize_t written = write(stop_fd_, &one, sizeof one);
  if (events_.joinable()) events_.join();
  close(stop_fd_);
  std::lock_guard lock(mutex_);
  XDestroyWindow(x_->display, static_cast<Window>(window_));
  XSync(x_->display, False);
}

void OrX11Window::read_events() {
  pollfd fds[2] = {{ConnectionNumber(x_->display), POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      while (XPending(x_->display) > 0) {
        XEvent e;
        XNextEvent(x_->display, &e);
        if (e.type != ButtonPress || e.xbutton.button != Button1) continue;
        XWindowAttributes a;
        XGetWindowAttributes(x_->display, static_cast<Window>(window_), &a);
        lock.unlock();  // the handler may toggle full screen, which takes the lock
        if (on_press_) on_press_(e.xbutton.x, e.xbutton.y, a.width, a.height);
        lock.lock();
      }
    }
    if (poll(fds, 2, -1) < 0) continue;  // EINTR
    if (fds[1].revents != 0) return;
  }
}

void OrX11Window::place(bool full) {
  Display* d = x_->display;
  const auto w = static_cast<Window>(window_);
  full_ = full;
  // Windowed: half the monitor's size, centred, so the picture stays in view while someone works beside it.
  const int width = full ? monitor_[2] : monitor_[2] / 2, height = full ? monitor_[3] : monitor_[3] / 2;
  const int x = monitor_[0] + (monitor_[2] - width) / 2, y = monitor_[1] + (monitor_[3] - height) / 2;
  XMoveResizeWindow(d, w, x, y, static_cast<unsigned>(width), static_cast<unsigned>(height));
  // And tell a window manager (EWMH), which may otherwise keep its own idea of the size.
  XEvent e{};
  e.xclient.type = ClientMessage;
  e.xclient.window = w;
  e.xclient.message_type = XInternAtom(d, "_NET_WM_STATE", False);
  e.xclient.format = 32;
  e.xclient.data.l[0] = full ? 1 : 0;  // _NET_WM_STATE_ADD / _REMOVE
  e.xclient.data.l[1] = static_cast<long>(XInternAtom(d, "_NET_WM_STATE_FULLSCREEN", False));
  e.xclient.data.l[3] = 1;
  XSendEvent(d, DefaultRootWindow(d), False, SubstructureRedirectMask | SubstructureNotifyMask, &e);
  XSync(d, False);
}

bool OrX11Window::full_screen() const {
  std::lock_guard lock(mutex_);
  return full_;
}

void OrX11Window::set_full_screen(bool full) {
  std::lock_guard lock(mutex_);
  place(full);
}

std::array<int, 4> OrX11Window::geometry() const {
  std::lock_guard lock(mutex_);
  Window root = 0, child = 0;
  int x = 0, y = 0;
  unsigned width = 0, height = 0, border = 0, depth = 0;
  XGetGeometry(x_->display, static_cast<Window>(window_), &root, &x, &y, &width, &height, &border, &depth);
  XTranslateCoordinates(x_->display, static_cast<Window>(window_), root, 0, 0, &x, &y, &child);
  return {x, y, static_cast<int>(width), static_cast<int>(height)};
}

}  // namespace surgilink::media
