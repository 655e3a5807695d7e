#pragma once
// The mentor's drawing gestures turned into annotation operations, without a window: presses, drags and
// releases on the picture (normalised coordinates, event times) in; Begin, Extend batches at most every
// 16 ms, Commit, Pointer moves and labels out. The console's canvas feeds it from Qt's mouse events.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "surgilink/annotation/annotation.hpp"
#include "surgilink/annotation/operation.hpp"
#include "surgilink/annotation/scene.hpp"
#include "surgilink/core/capture_clock.hpp"

namespace surgilink::console {

// The tools of the drawing strip.
enum class DrawingTool : std::uint8_t { kPen, kArrow, kCircle, kLabel, kPointer };

// Where the gestures' results go; implemented by their owner (the canvas, a test).
class DrawingGestureListener {
 public:
  virtual ~DrawingGestureListener() = default;
  // An operation for the sender.
  virtual void send(annotation::AnnotationOperation op) = 0;
  // Capture time of the picture on screen now, for anchoring.
  virtual core::CaptureTime shown_capture() = 0;
  // pending_label() changed.
  virtual void label_pending_changed() {}
  // own_pointer() appeared, moved or went.
  virtual void own_pointer_changed() {}
};

// One console's gestures, one at a time. GUI thread only (any one thread; no locks).
class DrawingGestures {
 public:
  // Extend batches and pointer moves are sent at most this often (the sender's rate limit is per author).
  static constexpr std::chrono::milliseconds kBatchInterval{16};
  // A stroke takes a new point only this far (in screen pixels) from the last one: a drag reports a move for
  // every pixel, and the sender bounds a stroke's points.
  static constexpr double kMinStepPx = 1.0;
  // An arrow or ellipse whose drag stayed within this many screen pixels is a stray click: it is withdrawn.
  static constexpr double kStrayClickPx = 3.0;

  explicit DrawingGestures(DrawingGestureListener& listener) : listener_(listener) {}

  // What and how the mentor draws. Another tool than the label drops a pending label.
  void set_tool(DrawingTool tool);
  DrawingTool tool() const { return tool_; }
  void set_colour(std::uint32_t rgba) { colour_rgba_ = rgba; }
  void set_width(float width) { width_ = width; }
  // This console's author name ("c2"), the prefix of the ids it proposes; empty until the sender names it.
  void set_author(std::string author) { author_ = std::move(author); }
  // False drops the gesture going on (nothing more of it can reach the sender), the own pointer and a
  // pending label.
  void set_may_draw(bool may);
  // The picture's size on screen in pixels: steps and stray clicks are measured in what the mentor sees.
  void set_view_size(double width, double height);
  // The scene as the sender has it: its ids are not proposed again.
  void set_scene(std::shared_ptr<const annotation::Scene> scene);

  // A press on the picture. False when it is not a gesture's (no pen, no name for this console yet, a
  // gesture already going on): it belongs to whatever is below.
  bool press(annotation::NormalisedPoint at, std::chrono::milliseconds when);
  // The drag reached `at` (held on the frame by the caller). False when no gesture is going on.
  bool move(annotation::NormalisedPoint at, std::chrono::milliseconds when);
  // The button went up at `at` (nullopt: the position cannot be placed on the picture). False when no
  // gesture was going on.
  bool release(std::optional<annotation::NormalisedPoint> at, std::chrono::milliseconds when);
  // The gesture was taken away (a popup, the window lost the pointer): it ends where it is.
  void interrupt();
  bool gesture_going_on() const { return gesture_ != Gesture::kNone; }

  // Points taken but not sent yet: send_waiting_batch() sends them when the drag pauses, as soon as no more
  // moves came for kBatchInterval.
  bool batch_waiting() const { return !pending_.empty(); }
  void send_waiting_batch();

  // Where the label tool was clicked, while its text is being typed.
  std::optional<annotation::NormalisedPoint> pending_label() const { return label_point_; }
  // Sends the pending label with `line` (Begin with the text, then Commit); empty text drops it.
  void place_label(std::string line);
  void cancel_label();

  // Undo and clear take the drawing going on with them: nothing more is sent for it.
  void undo();
  void clear_mine();

  // This console's pointer while pointing, drawn where the hand is rather than where the sender's echo says.
  const std::optional<annotation::Annotation>& own_pointer() const { return own_pointer_; }

 private:
  enum class Gesture { kNone, kDrawing, kPointing };

  std::string next_id();
  annotation::Annotation draft(annotation::AnnotationKind kind, std::vector<annotation::NormalisedPoint> at);
  // Takes a drag point and sends the batch when it is due.
  void add_point(annotation::NormalisedPoint p, std::chrono::milliseconds at);
  // Takes a drag point into the pending batch; false when it adds nothing (no move, stroke full).
  bool take_point(annotation::NormalisedPoint p, std::chrono::milliseconds at);
  void flush(std::chrono::milliseconds at);
  void finish_gesture();
  void drop_drawing();
  double screen_distance(annotation::NormalisedPoint a, annotation::NormalisedPoint b) const;

  DrawingGestureListener& listener_;
  DrawingTool tool_ = DrawingTool::kPen;
  std::uint32_t colour_rgba_ = 0xFFEB3BFF;
  float width_ = 0.004F;
  std::string author_;
  bool may_draw_ = false;
  double view_width_ = 0.0;
  double view_height_ = 0.0;
  std::shared_ptr<const annotation::Scene> scene_ = std::make_shared<const annotation::Scene>();
  std::uint64_t counter_ = 0;  // last drawing counter proposed by this console

  Gesture gesture_ = Gesture::kNone;
  std::string drawing_id_;
  annotation::AnnotationKind drawing_kind_ = annotation::AnnotationKind::kStroke;
  std::size_t drawing_points_ = 0;                     // points proposed so far (stroke limit)
  annotation::NormalisedPoint last_point_;             // newest point taken
  annotation::NormalisedPoint first_point_;            // where the press was (arrow tail, ellipse corner)
  std::vector<annotation::NormalisedPoint> pending_;   // points not sent yet
  std::chrono::milliseconds last_sent_{0};             // event time of the last Begin/Extend/Pointer
  std::chrono::milliseconds last_event_{0};            // event time of the newest point
  std::optional<annotation::Annotation> own_pointer_;  // while pointing
  std::optional<annotation::NormalisedPoint> label_point_;
};

}  // namespace surgilink::console
