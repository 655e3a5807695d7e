#pragma once
// How one annotation is drawn on a picture of a given size, toolkit-neutral: the OR display's OpenCV renderer
// and the console's QPainter both draw from it, so an arrow head, a pointer ring or a label's backing is
// computed once and looks the same on both screens. Glyphs stay each toolkit's own; their size, the box
// around them and where they start come from here.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "surgilink/annotation/annotation.hpp"

namespace surgilink::annotation {

// A position in pixels of the picture drawn on: (0, 0) its top-left corner, (width, height) its bottom-right
// corner, so pixel (i, j) spans [i, i + 1) x [j, j + 1) and its centre is (i + 0.5, j + 0.5). Plain value.
struct PixelPoint {
  double x = 0.0;
  double y = 0.0;
  bool operator==(const PixelPoint&) const = default;
};

// Size of the picture drawn on, in pixels (fractional for a scaled picture on a screen). Plain value.
struct FrameSize {
  double width = 0.0;
  double height = 0.0;
};

// Row-major 3x3 matrix that moves pixels of the frame an annotation was drawn on to the picture now, pixel
// centres on integer coordinates (Placement::homography's convention).
using Homography = std::array<double, 9>;
inline constexpr Homography kNoMove{1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0};

// A line through points, with round caps and joins. Plain value.
struct ShapeLine {
  std::vector<PixelPoint> points;
  bool closed = false;  // the last point joins the first (an ellipse)
};

// A disc (filled) or a ring drawn with the shape's line width (not filled). Plain value.
struct ShapeDot {
  PixelPoint centre;
  double radius = 1.0;
  bool filled = true;
};

// Whole pixels: columns left .. left + width - 1, rows top .. top + height - 1. Plain value.
struct PixelBox {
  int left = 0;
  int top = 0;
  int width = 0;
  int height = 0;
  bool operator==(const PixelBox&) const = default;
};

// A label's backing: black at this alpha (0..255), dark enough for any text colour over any tissue.
inline constexpr std::uint8_t kLabelBackingAlpha = 160;

// A label's text on its dark backing. Plain value.
struct ShapeLabel {
  std::string text;       // UTF-8, one line
  int text_size = 8;      // the font's pixel size (its em height)
  PixelPoint text_start;  // where the baseline starts (whole pixels)
  PixelBox backing;       // the dark box behind the text, padding included, kept on the picture
  int padding = 2;        // between the box's edge and the text, on each side
  std::uint8_t backing_alpha = kLabelBackingAlpha;
};

// Extent of a line of text set in some font at some pixel size, in pixels. Plain value.
struct TextExtent {
  double width = 0.0;    // advance of the whole line
  double ascent = 0.0;   // above the baseline
  double descent = 0.0;  // below it
};
// Measures `utf8` at `text_size` pixels in the font the caller will draw it with.
using MeasureText = std::function<TextExtent(std::string_view utf8, int text_size)>;

// One annotation reduced to what a 2-D painter draws, in pixels of the picture: first the backing, then
// every line, fill and dot widened by the outline in the outline colour, then again in the annotation's
// colour at the line width, then the text. Drawn opaque, then faded as a whole by `opacity`, so that the
// outline does not show through the line. Plain value type; any thread.
struct AnnotationShape {
  std::vector<ShapeLine> lines;
  std::vector<std::vector<PixelPoint>> fills;  // convex polygons (arrow heads)
  std::vector<ShapeDot> dots;
  std::optional<ShapeLabel> label;
  // Widths in whole odd pixels, the steps OpenCV draws anti-aliased lines in, so the console shows the OR
  // display's line: a 4.2 px request is a 5 px line on both.
  int line_width = 1;      // the coloured line and ring
  int outlined_width = 3;  // the outline under it: the line plus the outline on both sides
  int edge_width = 3;      // the outline along a fill's edges, centred on them: both outlines and the edge
  int outline_grow = 1;    // what the outline adds to a filled dot's radius: one side's outline
  std::uint32_t colour_rgba = 0xFFD800FF;   // 0xRRGGBBAA; the alpha is in `opacity`
  std::uint32_t outline_rgba = 0x141414FF;  // near-black: visible on red tissue, instruments, highlights
  double opacity = 1.0;                     // colour alpha x placement opacity, 0..1

  // Drawn straight onto the picture, without fading.
  bool opaque() const { return opacity >= 0.995; }
};

// How the annotation sits on the picture: its size, the motion anchoring found, the placement's fading.
struct ShapeFraming {
  FrameSize frame;
  Homography homography = kNoMove;
  float opacity = 1.0F;  // multiplies the colour's alpha
};

// The shape of `a` on a picture, or nullopt when nothing of it can be drawn: bad or too few points, a
// placement that puts it behind the camera, a frame under 1 or over 100 000 px a side, nothing visible (zero
// opacity), a label without `measure` (which other kinds do not need). Points beyond 100 000 px from the
// picture are held there. Any thread.
std::optional<AnnotationShape> shape_of(const Annotation& a, const ShapeFraming& framing,
                                        const MeasureText& measure);

}  // namespace surgilink::annotation
