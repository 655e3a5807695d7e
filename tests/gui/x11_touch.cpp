#include "x11_touch.hpp"

#include <X11/Xlib.h>

namespace surgilink::testing {

bool touch_window_of_size(int width, int height, int x, int y) {
  Display* display = XOpenDisplay(nullptr);
  if (display == nullptr) return false;
  Window root = DefaultRootWindow(display), parent = 0;
  Window* children = nullptr;
  unsigned count = 0;
  bool sent = false;
  if (XQueryTree(display, root, &root, &parent, &children, &count) != 0) {
    for (unsigned i = 0; i < count && !sent; ++i) {
      XWindowAttributes a;
      if (XGetWindowAttributes(display, children[i], &a) == 0 || a.map_state != IsViewable ||
          a.width != width || a.height != height)
        continue;
      // An empty event mask: the event goes to the client that made the window, whatever it selected.
      XEvent event{};
      event.xbutton.type = ButtonPress;
      event.xbutton.display = display;
      event.xbutton.window = children[i];
      event.xbutton.root = root;
      event.xbutton.x = x;
      event.xbutton.y = y;
      event.xbutton.x_root = a.x + x;
      event.xbutton.y_root = a.y + y;
      event.xbutton.button = Button1;
      event.xbutton.same_screen = True;
      sent = XSendEvent(display, children[i], False, 0, &event) != 0;
      event.xbutton.type = ButtonRelease;
      event.xbutton.state = Button1Mask;
      XSendEvent(display, children[i], False, 0, &event);
    }
  }
  if (children != nullptr) XFree(children);
  XFlush(display);
  XCloseDisplay(display);
  return sent;
}

}  // namespace surgilink::testing
