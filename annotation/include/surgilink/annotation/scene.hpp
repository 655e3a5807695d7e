#pragma once
// One immutable state of the annotation scene, and the rules that turn one state into the next.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "surgilink/annotation/annotation.hpp"
#include "surgilink/annotation/operation.hpp"
#include "surgilink/annotation/refusal.hpp"
#include "surgilink/core/capture_clock.hpp"

namespace surgilink::annotation {

// Everything drawn on the video at one moment. Never modified once shared: threads pass it around as
// std::shared_ptr<const Scene>, and a new state shares the unchanged annotations with the old one, so an
// extend copies one annotation, not the scene. Any thread.
struct Scene {
  std::uint64_t version = 0;  // sequence number of the last operation applied (0: nothing applied yet)
  std::vector<std::shared_ptr<const Annotation>> annotations;  // drawing order: later ones on top

  // The annotation with this id, or nullptr.
  const Annotation* find(std::string_view id) const;
  // Same version and equal annotations (compared by value, not by pointer).
  bool operator==(const Scene& other) const;
};

// The scene after `op`, whose sequence becomes the version. Checks only what makes an operation impossible
// on this scene, so the sender and every console agree: ids (a Begin's id is the author's, unused), ownership
// (kNotAuthorised), shapes (point counts per kind, points on the frame, width, label text), an annotation
// that exists and is still open for extend/commit. Roles, size limits and rates are the SceneAuthority's.
// Undo with nothing to undo is refused (kMalformed); Clear always applies. Any thread.
Checked<Scene> apply_operation(const Scene& scene, const SequencedOperation& op);

// The scene without the annotations whose time to live has run out at `now` (same version), or nullopt when
// none has. Any thread.
std::optional<Scene> without_expired(const Scene& scene, core::CaptureTime now);

}  // namespace surgilink::annotation
