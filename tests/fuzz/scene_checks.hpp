#pragma once
// What must hold of the sender's annotation scene whatever consoles send (DESIGN.md §5), shared by the fuzz
// targets that drive a SceneAuthority: the scene stays within its limits, and every accepted operation, sent
// over the wire to a console, rebuilds exactly the sender's scene there. One thread.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "fuzz_support.hpp"
#include "surgilink/annotation/scene_authority.hpp"
#include "surgilink/annotation/scene_replica.hpp"
#include "surgilink/annotation/wire.hpp"

namespace surgilink::fuzz {

// Limits small enough for a fuzzer to reach them in a few operations.
inline annotation::AnnotationLimits small_annotation_limits() {
  annotation::AnnotationLimits limits;
  limits.max_points_per_stroke = 64;
  limits.max_label_chars = 16;
  limits.max_ops_per_second = 50.0;
  limits.max_live_annotations = 8;
  return limits;
}

inline void check_scene_within(const annotation::Scene& scene, const annotation::AnnotationLimits& limits) {
  using annotation::AnnotationKind;
  SURGILINK_FUZZ_CHECK(scene.annotations.size() <= limits.max_live_annotations);
  std::set<std::string> ids;
  for (const auto& a : scene.annotations) {
    SURGILINK_FUZZ_CHECK(a != nullptr);
    SURGILINK_FUZZ_CHECK(ids.insert(a->id).second);
    SURGILINK_FUZZ_CHECK(a->kind == AnnotationKind::kPointer
                             ? a->id == annotation::pointer_id(a->author)
                             : annotation::is_drawing_id_of(a->id, a->author));
    SURGILINK_FUZZ_CHECK(!a->points.empty() && a->points.size() <= limits.max_points_per_stroke);
    SURGILINK_FUZZ_CHECK(std::all_of(a->points.begin(), a->points.end(), annotation::is_on_frame));
    SURGILINK_FUZZ_CHECK(a->width >= annotation::kMinWidth && a->width <= annotation::kMaxWidth);
    const auto chars = std::count_if(a->text.begin(), a->text.end(),
                                     [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
    SURGILINK_FUZZ_CHECK(static_cast<std::size_t>(chars) <= limits.max_label_chars);
    SURGILINK_FUZZ_CHECK(a->kind == AnnotationKind::kLabel || a->text.empty());
    if (a->time_to_live) SURGILINK_FUZZ_CHECK(*a->time_to_live <= annotation::kMaxTimeToLive);
  }
}

// A console that has seen every operation the sender accepted, through the wire form.
class SceneMirror {
 public:
  // An operation the authority accepted and the scene it published with it.
  void accepted(const annotation::SequencedOperation& op, const annotation::Scene& sender_scene) {
    SURGILINK_FUZZ_CHECK(op.sequence == ++last_sequence_);
    SURGILINK_FUZZ_CHECK(sender_scene.version == op.sequence);
    const auto wire = annotation::encode(op);
    SURGILINK_FUZZ_CHECK(wire.size() <= annotation::kMaxOperationBytes);
    auto received = annotation::decode_operation(wire);
    SURGILINK_FUZZ_CHECK(received && received.value() == op);
    auto applied = console_.apply(received.value());
    SURGILINK_FUZZ_CHECK(applied && applied.value());
    SURGILINK_FUZZ_CHECK(*console_.confirmed() == sender_scene);
  }
  // Both sides expire annotations at `now`.
  void expired(core::CaptureTime now, const annotation::Scene& sender_scene) {
    console_.expire(now);
    SURGILINK_FUZZ_CHECK(*console_.confirmed() == sender_scene);
  }
  // A console that joins now receives the scene snapshot and must see the same scene.
  static void check_snapshot(const annotation::Scene& sender_scene) {
    auto received = annotation::decode_scene(annotation::encode_scene(sender_scene));
    SURGILINK_FUZZ_CHECK(received && received.value() == sender_scene);
  }

 private:
  annotation::SceneReplica console_{"fuzz-observer"};
  std::uint64_t last_sequence_ = 0;
};

}  // namespace surgilink::fuzz
