#pragma once
// A touch on a window of the X server, as a touch screen's pointer gives it (Xlib kept out of the tests'
// own headers: its macros clash with Qt's and GoogleTest's names).

namespace surgilink::testing {

// Sends a left button press and release at (x, y) of the mapped top-level window that is `width` x
// `height`, to the program that made it. False when there is no display or no such window.
bool touch_window_of_size(int width, int height, int x, int y);

}  // namespace surgilink::testing
