#pragma once
// Touches and keys on the OR window of the X server, as a touch screen or a foot pedal gives them (Xlib kept
// out of the tests' own headers: its macros clash with Qt's and GoogleTest's names).

#include <array>
#include <optional>
#include <string>

namespace surgilink::testing {

// The mapped top-level window called `title`: x, y, width, height on the screen; none when there is none.
std::optional<std::array<int, 4>> window_geometry(const std::string& title);

// A left button press and release on the picture of `picture_width` x `picture_height` shown, shape kept,
// in the window called `title`, at (x, y) in the picture's pixels. Sent to the innermost window there (the
// video sink's own), as a touch screen's pointer would reach it. False without such a window.
bool touch_picture(const std::string& title, int picture_width, int picture_height, int x, int y);

// A key press and release (`key`: an X key name, "F11", "i") in the window called `title`.
bool press_key(const std::string& title, const std::string& key);

}  // namespace surgilink::testing
