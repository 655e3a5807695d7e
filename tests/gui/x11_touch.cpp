#include "x11_touch.hpp"

#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include <algorithm>
#include <utility>

namespace surgilink::testing {

namespace {

// One connection per call: tests touch rarely, and the program under test has its own.
struct Connection {
  Display* display = XOpenDisplay(nullptr);
  ~Connection() {
    if (display != nullptr) XCloseDisplay(display);
  }
};

std::optional<Window> find_window(Display* d, const std::string& title) {
  Window root = DefaultRootWindow(d), parent = 0, found = 0;
  Window* children = nullptr;
  unsigned count = 0;
  if (XQueryTree(d, root, &root, &parent, &children, &count) == 0) return std::nullopt;
  for (unsigned i = 0; i < count && found == 0; ++i) {
    XWindowAttributes a;
    char* name = nullptr;
    if (XGetWindowAttributes(d, children[i], &a) != 0 && a.map_state == IsViewable &&
        XFetchName(d, children[i], &name) != 0 && name != nullptr) {
      if (title == name) found = children[i];
    }
    if (name != nullptr) XFree(name);
  }
  if (children != nullptr) XFree(children);
  if (found == 0) return std::nullopt;
  return found;
}

// The innermost window at (x, y) of `top`, and the point in its coordinates.
Window innermost(Display* d, Window top, int& x, int& y) {
  Window at = top;
  for (;;) {
    Window child = 0, unused = 0;
    int cx = 0, cy = 0;
    if (XTranslateCoordinates(d, at, at, x, y, &cx, &cy, &child) == 0 || child == 0) return at;
    XTranslateCoordinates(d, at, child, x, y, &cx, &cy, &unused);
    at = child;
    x = cx;
    y = cy;
  }
}

// The window called `title` and its attributes, on `x`'s connection.
std::optional<std::pair<Window, XWindowAttributes>> mapped(const Connection& x, const std::string& title) {
  if (x.display == nullptr) return std::nullopt;
  const auto w = find_window(x.display, title);
  XWindowAttributes a;
  if (!w || XGetWindowAttributes(x.display, *w, &a) == 0) return std::nullopt;
  return std::pair{*w, a};
}

}  // namespace

std::optional<std::array<int, 4>> window_geometry(const std::string& title) {
  Connection x;
  const auto w = mapped(x, title);
  if (!w) return std::nullopt;
  return std::array<int, 4>{w->second.x, w->second.y, w->second.width, w->second.height};
}

bool touch_picture(const std::string& title, int picture_width, int picture_height, int px, int py) {
  Connection x;
  const auto w = mapped(x, title);
  if (!w) return false;
  const XWindowAttributes& a = w->second;
  // The picture fills the window with its shape kept (black borders): where the touched pixel is shown.
  const double scale =
      std::min(static_cast<double>(a.width) / picture_width, static_cast<double>(a.height) / picture_height);
  int wx = static_cast<int>((a.width - picture_width * scale) / 2 + px * scale);
  int wy = static_cast<int>((a.height - picture_height * scale) / 2 + py * scale);
  const int root_x = a.x + wx, root_y = a.y + wy;
  const Window target = innermost(x.display, w->first, wx, wy);
  // With the button masks, the event reaches every client that selected it on that window, as a real touch
  // does: the video sink's connection, whichever made the window.
  XEvent event{};
  event.xbutton.type = ButtonPress;
  event.xbutton.display = x.display;
  event.xbutton.window = target;
  event.xbutton.root = DefaultRootWindow(x.display);
  event.xbutton.x = wx;
  event.xbutton.y = wy;
  event.xbutton.x_root = root_x;
  event.xbutton.y_root = root_y;
  event.xbutton.button = Button1;
  event.xbutton.same_screen = True;
  const bool sent = XSendEvent(x.display, target, False, ButtonPressMask, &event) != 0;
  event.xbutton.type = ButtonRelease;
  event.xbutton.state = Button1Mask;
  XSendEvent(x.display, target, False, ButtonReleaseMask, &event);
  XFlush(x.display);
  return sent;
}

bool press_key(const std::string& title, const std::string& key) {
  Connection x;
  const auto w = mapped(x, title);
  if (!w) return false;
  int wx = w->second.width / 2, wy = w->second.height / 2;
  const Window target = innermost(x.display, w->first, wx, wy);
  const KeySym sym = XStringToKeysym(key.c_str());
  if (sym == NoSymbol) return false;
  XEvent event{};
  event.xkey.type = KeyPress;
  event.xkey.display = x.display;
  event.xkey.window = target;
  event.xkey.root = DefaultRootWindow(x.display);
  event.xkey.x = wx;
  event.xkey.y = wy;
  event.xkey.keycode = XKeysymToKeycode(x.display, sym);
  event.xkey.same_screen = True;
  const bool sent = XSendEvent(x.display, target, False, KeyPressMask, &event) != 0;
  event.xkey.type = KeyRelease;
  XSendEvent(x.display, target, False, KeyReleaseMask, &event);
  XFlush(x.display);
  return sent;
}

}  // namespace surgilink::testing
