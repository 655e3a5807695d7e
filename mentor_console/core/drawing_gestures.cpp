#include "drawing_gestures.hpp"

#include <algorithm>
#include <cmath>

#include "surgilink/annotation/scene_authority.hpp"

namespace surgilink::console {

using annotation::Annotation;
using annotation::AnnotationKind;
using annotation::NormalisedPoint;
using std::chrono::milliseconds;

void DrawingGestures::set_tool(DrawingTool tool) {
  tool_ = tool;
  if (tool_ != DrawingTool::kLabel) cancel_label();
}

void DrawingGestures::set_may_draw(bool may) {
  may_draw_ = may;
  if (may_draw_) return;
  // The link or the pen went away mid-gesture: nothing more of it can reach the sender.
  pending_.clear();
  gesture_ = Gesture::kNone;
  if (own_pointer_) {
    own_pointer_.reset();
    listener_.own_pointer_changed();
  }
  cancel_label();
}

void DrawingGestures::set_view_size(double width, double height) {
  view_width_ = std::isfinite(width) ? width : 0.0;
  view_height_ = std::isfinite(height) ? height : 0.0;
}

void DrawingGestures::set_scene(std::shared_ptr<const annotation::Scene> scene) {
  scene_ = scene ? std::move(scene) : std::make_shared<const annotation::Scene>();
}

bool DrawingGestures::press(NormalisedPoint at, milliseconds when) {
  if (!may_draw_ || gesture_ != Gesture::kNone) return false;
  if (tool_ == DrawingTool::kPointer) {
    gesture_ = Gesture::kPointing;
    Annotation shown;
    shown.id = annotation::pointer_id(author_);
    shown.author = author_;
    shown.kind = AnnotationKind::kPointer;
    shown.points = {at};
    shown.colour_rgba = colour_rgba_;
    shown.width = annotation::kPointerWidth;
    own_pointer_ = std::move(shown);
    listener_.send(annotation::Pointer{at, colour_rgba_, listener_.shown_capture()});
    last_sent_ = last_event_ = when;
    last_point_ = first_point_ = at;
    listener_.own_pointer_changed();
    return true;
  }
  if (author_.empty()) return false;  // no id can be proposed before the sender has named this console
  if (tool_ == DrawingTool::kLabel) {
    label_point_ = at;
    listener_.label_pending_changed();
    return true;
  }
  const AnnotationKind kind = tool_ == DrawingTool::kArrow    ? AnnotationKind::kArrow
                              : tool_ == DrawingTool::kCircle ? AnnotationKind::kEllipse
                                                              : AnnotationKind::kStroke;
  cancel_label();
  // An arrow or ellipse starts as a point (both ends at the press); the drag moves its second point.
  annotation::Begin begin{draft(kind, kind == AnnotationKind::kStroke
                                          ? std::vector<NormalisedPoint>{at}
                                          : std::vector<NormalisedPoint>{at, at})};
  gesture_ = Gesture::kDrawing;
  drawing_id_ = begin.draft.id;
  drawing_kind_ = kind;
  drawing_points_ = begin.draft.points.size();
  last_point_ = first_point_ = at;
  pending_.clear();
  last_sent_ = last_event_ = when;
  listener_.send(std::move(begin));
  return true;
}

bool DrawingGestures::move(NormalisedPoint at, milliseconds when) {
  if (gesture_ == Gesture::kNone) return false;
  add_point(at, when);
  return true;
}

bool DrawingGestures::release(std::optional<NormalisedPoint> at, milliseconds when) {
  if (gesture_ == Gesture::kNone) return false;
  // The release point is taken, and whatever is pending goes before the Commit.
  if (at) take_point(*at, when);
  finish_gesture();
  return true;
}

void DrawingGestures::interrupt() {
  if (gesture_ != Gesture::kNone) finish_gesture();
}

void DrawingGestures::send_waiting_batch() {
  // Sent at least a batch interval after the last send, so the send clock moves on by one.
  flush(std::max(last_event_, last_sent_ + kBatchInterval));
}

void DrawingGestures::place_label(std::string line) {
  if (!label_point_) return;
  const NormalisedPoint at = *label_point_;
  cancel_label();
  if (line.empty() || !may_draw_ || author_.empty()) return;
  annotation::Begin begin{draft(AnnotationKind::kLabel, {at})};
  begin.draft.text = std::move(line);
  const std::string id = begin.draft.id;
  listener_.send(std::move(begin));
  listener_.send(annotation::Commit{id});
}

void DrawingGestures::cancel_label() {
  if (!label_point_) return;
  label_point_.reset();
  listener_.label_pending_changed();
}

void DrawingGestures::undo() {
  if (!may_draw_) return;
  drop_drawing();
  listener_.send(annotation::Undo{});
}

void DrawingGestures::clear_mine() {
  if (!may_draw_) return;
  drop_drawing();
  listener_.send(annotation::Clear{annotation::ClearScope::kMine});
}

void DrawingGestures::drop_drawing() {
  if (gesture_ != Gesture::kDrawing) return;
  pending_.clear();
  gesture_ = Gesture::kNone;
}

std::string DrawingGestures::next_id() {
  // Skip every counter already in the scene: after a restart of the console the sender still holds the
  // drawings of the previous run under the same author.
  for (const auto& a : scene_->annotations) {
    if (!a || !annotation::is_drawing_id_of(a->id, author_)) continue;
    counter_ = std::max<std::uint64_t>(counter_, std::stoull(a->id.substr(author_.size() + 1)));
  }
  return author_ + "-" + std::to_string(++counter_);
}

Annotation DrawingGestures::draft(AnnotationKind kind, std::vector<NormalisedPoint> at) {
  Annotation a;
  a.id = next_id();
  a.author = author_;
  a.kind = kind;
  a.points = std::move(at);
  a.colour_rgba = colour_rgba_;
  a.width = width_;
  a.reference_capture = listener_.shown_capture();
  return a;
}

double DrawingGestures::screen_distance(NormalisedPoint a, NormalisedPoint b) const {
  return std::hypot((a.x - b.x) * view_width_, (a.y - b.y) * view_height_);
}

void DrawingGestures::add_point(NormalisedPoint p, milliseconds at) {
  if (take_point(p, at) && at - last_sent_ >= kBatchInterval) flush(at);
}

bool DrawingGestures::take_point(NormalisedPoint p, milliseconds at) {
  last_event_ = at;
  const double step = screen_distance(p, last_point_);
  if (gesture_ == Gesture::kPointing) {
    own_pointer_->points = {p};
    listener_.own_pointer_changed();
    pending_ = {p};
  } else if (drawing_kind_ == AnnotationKind::kStroke) {
    if (step < kMinStepPx) return false;
    if (drawing_points_ + pending_.size() >= annotation::AnnotationLimits{}.max_points_per_stroke)
      return false;
    pending_.push_back(p);
  } else {
    if (step <= 0.0) return false;
    pending_ = {p};  // only the drag end counts for an arrow's head or an ellipse's far corner
  }
  last_point_ = p;
  return true;
}

void DrawingGestures::flush(milliseconds at) {
  if (pending_.empty()) return;
  if (gesture_ == Gesture::kDrawing) {
    drawing_points_ += pending_.size();
    listener_.send(annotation::Extend{drawing_id_, std::move(pending_)});
  } else if (gesture_ == Gesture::kPointing) {
    listener_.send(annotation::Pointer{pending_.back(), colour_rgba_, listener_.shown_capture()});
  }
  pending_.clear();
  last_sent_ = at;
}

void DrawingGestures::finish_gesture() {
  flush(std::max(last_event_, last_sent_));
  if (gesture_ == Gesture::kDrawing) {
    listener_.send(annotation::Commit{drawing_id_});
    if (drawing_kind_ != AnnotationKind::kStroke &&
        screen_distance(last_point_, first_point_) < kStrayClickPx)
      listener_.send(annotation::Delete{drawing_id_});
  } else if (gesture_ == Gesture::kPointing) {
    // From now on the sender's pointer shows until it expires, as on the OR display.
    own_pointer_.reset();
    listener_.own_pointer_changed();
  }
  gesture_ = Gesture::kNone;
}

}  // namespace surgilink::console
