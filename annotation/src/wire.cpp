#include "surgilink/annotation/wire.hpp"

#include <cmath>
#include <set>
#include <string>
#include <utility>

#include "annotation.pb.h"
#include "text.hpp"

namespace surgilink::annotation {

namespace {

namespace pb = surgilink::annotation::v1;
using core::Fault;

Refusal malformed(std::string reason) { return refuse(Fault::kMalformed, std::move(reason)); }

std::int64_t to_wire(core::CaptureTime t) { return t.time_since_epoch().count(); }
core::CaptureTime time_from_wire(std::int64_t ns) { return core::CaptureTime{std::chrono::nanoseconds{ns}}; }

template <typename Message>
std::vector<std::uint8_t> serialise(const Message& message) {
  std::vector<std::uint8_t> bytes(message.ByteSizeLong());
  message.SerializeToArray(bytes.data(), static_cast<int>(bytes.size()));
  return bytes;
}

template <typename Message>
Checked<void> parse(std::span<const std::uint8_t> bytes, std::size_t limit, const char* what,
                    Message& message) {
  if (bytes.size() > limit) {
    return refuse(Fault::kTooLarge, std::string(what) + " of " + std::to_string(bytes.size()) +
                                        " bytes, the limit is " + std::to_string(limit));
  }
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return malformed(std::string(what) + " of " + std::to_string(bytes.size()) + " bytes does not parse");
  }
  if (message.version() != kWireVersion) {
    return refuse(Fault::kUnsupportedVersion, std::string(what) + " version " +
                                                  std::to_string(message.version()) + ", this side speaks " +
                                                  std::to_string(kWireVersion));
  }
  return boost::outcome_v2::success();
}

// ---- model -> wire ----

void put_points(const std::vector<NormalisedPoint>& points, google::protobuf::RepeatedField<float>& xy) {
  xy.Reserve(static_cast<int>(points.size() * 2));
  for (const NormalisedPoint& p : points) {
    xy.Add(p.x);
    xy.Add(p.y);
  }
}

void put_annotation(const Annotation& a, pb::Annotation& out) {
  out.set_id(a.id);
  out.set_author(a.author);
  out.set_kind(static_cast<pb::Kind>(a.kind));
  put_points(a.points, *out.mutable_xy());
  out.set_colour_rgba(a.colour_rgba);
  out.set_width(a.width);
  out.set_text(a.text);
  out.set_created_at_ns(to_wire(a.created_at));
  out.set_reference_capture_ns(to_wire(a.reference_capture));
  if (a.time_to_live) out.set_time_to_live_ns(a.time_to_live->count());
  out.set_committed(a.committed);
}

struct OperationToWire {
  pb::Operation& out;
  void operator()(const Begin& o) const { put_annotation(o.draft, *out.mutable_begin()->mutable_draft()); }
  void operator()(const Extend& o) const {
    out.mutable_extend()->set_id(o.id);
    put_points(o.points, *out.mutable_extend()->mutable_xy());
  }
  void operator()(const Commit& o) const { out.mutable_commit()->set_id(o.id); }
  void operator()(const Delete& o) const { out.mutable_delete_()->set_id(o.id); }
  void operator()(const Undo&) const { out.mutable_undo(); }
  void operator()(const Clear& o) const {
    out.mutable_clear()->set_scope(static_cast<pb::ClearScope>(o.scope));
  }
  void operator()(const Pointer& o) const {
    pb::Pointer& p = *out.mutable_pointer();
    p.set_x(o.position.x);
    p.set_y(o.position.y);
    p.set_colour_rgba(o.colour_rgba);
    p.set_reference_capture_ns(to_wire(o.reference_capture));
  }
};

// ---- wire -> model, checking every field ----

Checked<std::string> text_from(const std::string& text, const char* field) {
  if (text.size() > kMaxWireTextBytes) {
    return refuse(Fault::kTooLarge, std::string(field) + " of " + std::to_string(text.size()) +
                                        " bytes, the limit is " + std::to_string(kMaxWireTextBytes));
  }
  return text;
}

Checked<NormalisedPoint> point_from(float x, float y, const char* what, std::size_t index) {
  const NormalisedPoint p{x, y};
  if (!is_on_frame(p)) {
    return malformed(std::string(what) + ": point " + std::to_string(index) + " (" + std::to_string(x) +
                     ", " + std::to_string(y) + ") is not on the frame [0, 1]");
  }
  return p;
}

Checked<std::vector<NormalisedPoint>> points_from(const google::protobuf::RepeatedField<float>& xy,
                                                  const char* what) {
  if (xy.size() % 2 != 0) {
    return malformed(std::string(what) + ": " + std::to_string(xy.size()) + " coordinates, not x/y pairs");
  }
  std::vector<NormalisedPoint> points;
  points.reserve(static_cast<std::size_t>(xy.size() / 2));
  for (int i = 0; i < xy.size(); i += 2) {
    auto p = point_from(xy.Get(i), xy.Get(i + 1), what, static_cast<std::size_t>(i / 2));
    if (p.has_error()) return p.error();
    points.push_back(p.value());
  }
  return points;
}

Checked<AnnotationKind> kind_from(int kind) {
  switch (kind) {
    case pb::KIND_STROKE:
    case pb::KIND_ARROW:
    case pb::KIND_ELLIPSE:
    case pb::KIND_LABEL:
    case pb::KIND_POINTER:
      return static_cast<AnnotationKind>(kind);
    default:
      return malformed("unknown annotation kind " + std::to_string(kind));
  }
}

Checked<Annotation> annotation_from(const pb::Annotation& in) {
  Annotation a;
  auto id = text_from(in.id(), "annotation id");
  if (id.has_error()) return id.error();
  a.id = std::move(id).value();
  auto author = text_from(in.author(), "annotation author");
  if (author.has_error()) return author.error();
  a.author = std::move(author).value();
  auto kind = kind_from(in.kind());
  if (kind.has_error()) return kind.error();
  a.kind = kind.value();
  auto points = points_from(in.xy(), "annotation");
  if (points.has_error()) return points.error();
  a.points = std::move(points).value();
  a.colour_rgba = in.colour_rgba();
  if (!std::isfinite(in.width()) || in.width() < 0.0F) {
    return malformed("annotation width " + std::to_string(in.width()) + " is not a non-negative number");
  }
  a.width = in.width();
  auto text = text_from(in.text(), "annotation text");
  if (text.has_error()) return text.error();
  a.text = std::move(text).value();
  a.created_at = time_from_wire(in.created_at_ns());
  a.reference_capture = time_from_wire(in.reference_capture_ns());
  if (in.has_time_to_live_ns()) {
    if (in.time_to_live_ns() <= 0) {
      return malformed("annotation time to live " + std::to_string(in.time_to_live_ns()) +
                       " ns is not positive");
    }
    a.time_to_live = std::chrono::nanoseconds{in.time_to_live_ns()};
  }
  a.committed = in.committed();
  return a;
}

Checked<AnnotationOperation> operation_from(const pb::Operation& in) {
  switch (in.op_case()) {
    case pb::Operation::kBegin: {
      auto draft = annotation_from(in.begin().draft());
      if (draft.has_error()) return draft.error();
      return AnnotationOperation{Begin{std::move(draft).value()}};
    }
    case pb::Operation::kExtend: {
      auto id = text_from(in.extend().id(), "extend id");
      if (id.has_error()) return id.error();
      auto points = points_from(in.extend().xy(), "extend");
      if (points.has_error()) return points.error();
      return AnnotationOperation{Extend{std::move(id).value(), std::move(points).value()}};
    }
    case pb::Operation::kCommit: {
      auto id = text_from(in.commit().id(), "commit id");
      if (id.has_error()) return id.error();
      return AnnotationOperation{Commit{std::move(id).value()}};
    }
    case pb::Operation::kDelete: {
      auto id = text_from(in.delete_().id(), "delete id");
      if (id.has_error()) return id.error();
      return AnnotationOperation{Delete{std::move(id).value()}};
    }
    case pb::Operation::kUndo:
      return AnnotationOperation{Undo{}};
    case pb::Operation::kClear:
      switch (in.clear().scope()) {
        case pb::CLEAR_SCOPE_MINE:
          return AnnotationOperation{Clear{ClearScope::kMine}};
        case pb::CLEAR_SCOPE_ALL:
          return AnnotationOperation{Clear{ClearScope::kAll}};
        default:
          return malformed("clear: unknown scope " + std::to_string(static_cast<int>(in.clear().scope())));
      }
    case pb::Operation::kPointer: {
      const pb::Pointer& p = in.pointer();
      auto position = point_from(p.x(), p.y(), "pointer", 0);
      if (position.has_error()) return position.error();
      return AnnotationOperation{
          Pointer{position.value(), p.colour_rgba(), time_from_wire(p.reference_capture_ns())}};
    }
    case pb::Operation::OP_NOT_SET:
      break;
  }
  return malformed("no operation, or one this side does not know");
}

}  // namespace

std::vector<std::uint8_t> encode_proposal(const AnnotationOperation& op) {
  pb::Proposal message;
  message.set_version(kWireVersion);
  std::visit(OperationToWire{*message.mutable_operation()}, op);
  return serialise(message);
}

Checked<AnnotationOperation> decode_proposal(std::span<const std::uint8_t> bytes) {
  pb::Proposal message;
  if (auto parsed = parse(bytes, kMaxOperationBytes, "proposal", message); parsed.has_error()) {
    return parsed.error();
  }
  return operation_from(message.operation());
}

std::vector<std::uint8_t> encode(const SequencedOperation& op) {
  pb::SequencedOperation message;
  message.set_version(kWireVersion);
  message.set_sequence(op.sequence);
  message.set_author(op.author);
  message.set_applied_at_ns(to_wire(op.applied_at));
  std::visit(OperationToWire{*message.mutable_operation()}, op.op);
  return serialise(message);
}

Checked<SequencedOperation> decode_operation(std::span<const std::uint8_t> bytes) {
  pb::SequencedOperation message;
  if (auto parsed = parse(bytes, kMaxOperationBytes, "operation", message); parsed.has_error()) {
    return parsed.error();
  }
  auto author = text_from(message.author(), "operation author");
  if (author.has_error()) return author.error();
  auto op = operation_from(message.operation());
  if (op.has_error()) return op.error();
  return SequencedOperation{message.sequence(), std::move(author).value(),
                            time_from_wire(message.applied_at_ns()), std::move(op).value()};
}

std::vector<std::uint8_t> encode_scene(const Scene& scene) {
  pb::SceneSnapshot message;
  message.set_version(kWireVersion);
  message.set_sequence(scene.version);
  message.mutable_annotations()->Reserve(static_cast<int>(scene.annotations.size()));
  for (const auto& a : scene.annotations) put_annotation(*a, *message.add_annotations());
  return serialise(message);
}

Checked<Scene> decode_scene(std::span<const std::uint8_t> bytes) {
  pb::SceneSnapshot message;
  if (auto parsed = parse(bytes, kMaxSceneBytes, "scene snapshot", message); parsed.has_error()) {
    return parsed.error();
  }
  Scene scene;
  scene.version = message.sequence();
  scene.annotations.reserve(static_cast<std::size_t>(message.annotations_size()));
  std::set<std::string, std::less<>> ids;
  for (const pb::Annotation& in : message.annotations()) {
    auto a = annotation_from(in);
    if (a.has_error()) return a.error();
    if (!ids.insert(a.value().id).second)
      return malformed("scene snapshot: duplicate id " + detail::quoted(a.value().id));
    scene.annotations.push_back(std::make_shared<const Annotation>(std::move(a).value()));
  }
  return scene;
}

}  // namespace surgilink::annotation
