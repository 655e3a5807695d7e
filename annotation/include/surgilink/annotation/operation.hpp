#pragma once
// What a mentor (or the surgeon) does to the annotation scene, and the sender's numbered record of it.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "surgilink/annotation/annotation.hpp"
#include "surgilink/core/capture_clock.hpp"

namespace surgilink::annotation {

// Starts an annotation. The console proposes the id with its own author prefix ("m1-7") so it can draw the
// stroke at once (local echo); the sender checks the prefix, the shape and the limits. created_at and
// committed are set by the sender; time_to_live defaults to kPointerTimeToLive only for pointers.
struct Begin {
  Annotation draft;
  bool operator==(const Begin&) const = default;
};

// More points while the mentor drags, batched (about every 16 ms). A stroke appends them; an arrow or ellipse
// moves its second point (the head, the far corner) to the batch's last point. Labels take no points.
struct Extend {
  std::string id;
  std::vector<NormalisedPoint> points;
  bool operator==(const Extend&) const = default;
};

// The mentor let go: the annotation takes no more points.
struct Commit {
  std::string id;
  bool operator==(const Commit&) const = default;
};

// Removes one of the author's own annotations.
struct Delete {
  std::string id;
  bool operator==(const Delete&) const = default;
};

// Removes the author's most recently begun annotation (pointer excluded).
struct Undo {
  bool operator==(const Undo&) const = default;
};

enum class ClearScope : std::uint8_t {
  kMine = 1,  // the author's own annotations
  kAll = 2,   // everything: the surgeon side only
};

// Removes several annotations at once.
struct Clear {
  ClearScope scope = ClearScope::kMine;
  bool operator==(const Clear&) const = default;
};

// Shows (or moves) the author's transient pointer; it expires kPointerTimeToLive after its last move.
struct Pointer {
  NormalisedPoint position;
  std::uint32_t colour_rgba = 0xFF3030FF;
  core::CaptureTime reference_capture{};
  bool operator==(const Pointer&) const = default;
};

using AnnotationOperation = std::variant<Begin, Extend, Commit, Delete, Undo, Clear, Pointer>;

// Name of an operation's kind, for reasons and logs ("begin", "extend", ...).
const char* describe(const AnnotationOperation& op);

// An operation as the sender applied it: numbered (1, 2, 3, ... per session, no gaps), with its author and
// the sender's capture-clock time. Consoles apply these in sequence order. Plain value type; any thread.
struct SequencedOperation {
  std::uint64_t sequence = 0;
  std::string author;
  core::CaptureTime applied_at{};
  AnnotationOperation op;
  bool operator==(const SequencedOperation&) const = default;
};

}  // namespace surgilink::annotation
