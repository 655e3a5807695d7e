#pragma once
// Reads the pixel timestamp code back from a grab of a window: glass-to-glass through Qt's renderer.

#include <QImage>
#include <QRectF>
#include <cstdint>
#include <optional>

namespace surgilink::console {

// The capture time (µs since the Unix epoch) carried by the picture drawn at `video` (window coordinates)
// in `grab`, scaled back to the stream's `width` x `height`; nullopt when unreadable.
std::optional<std::int64_t> pixel_code_in_grab(const QImage& grab, const QRectF& video, int width,
                                               int height);

// Where a `width` x `height` picture is drawn when fitted, centred, into `area` (letterbox).
QRectF letterboxed(const QSizeF& area, int width, int height);

}  // namespace surgilink::console
