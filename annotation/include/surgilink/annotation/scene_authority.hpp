#pragma once
// The sender's canonical annotation scene: it checks who may do what, enforces the limits, numbers every
// accepted operation and publishes immutable snapshots.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "surgilink/annotation/operation.hpp"
#include "surgilink/annotation/refusal.hpp"
#include "surgilink/annotation/scene.hpp"
#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"

namespace surgilink::annotation {

// What the sender accepts from one author. Refusals name the limit. Plain value type; any thread.
struct AnnotationLimits {
  std::size_t max_points_per_stroke = 4096;  // also bounds one begin or extend batch
  std::size_t max_label_chars = 120;         // Unicode code points
  double max_ops_per_second = 120.0;       // per author: token bucket refilled at this rate, one second deep
  std::size_t max_live_annotations = 200;  // in the whole scene, pointers included
};

// Who is asking, as decided by the session from the console's role and the pen. Plain value type; any thread.
struct Author {
  std::string name;            // the session's short name for the console, also the id prefix ("m1")
  bool may_draw = false;       // holds the pen: begin, extend, commit, delete/undo/clear own, pointer
  bool may_clear_all = false;  // the surgeon side: Clear{kAll}
};

// Sender side. Network thread only, except snapshot() and faults(), which any thread may call.
class SceneAuthority {
 public:
  // Throws std::invalid_argument when a limit is zero (or the rate is not a positive finite number).
  explicit SceneAuthority(AnnotationLimits limits = {});

  // Checks and applies one operation at `now` (the sender's capture clock). On success the new scene is
  // published and the numbered operation is returned for broadcast, recording and audit. Refusals, each with
  // a reason, counted in faults(), the scene unchanged:
  //   kNotAuthorised  author may not draw (observer, pen revoked), Clear{kAll} without may_clear_all,
  //                   an id or annotation of another author;
  //   kRateLimited    more than max_ops_per_second from this author (every operation counts, refused ones
  //   too); kTooLarge       over max_points_per_stroke, max_label_chars or max_live_annotations; kMalformed
  //   points off the frame or not finite, an unknown kind, an unknown or committed id,
  //                   an empty label, a bad author name, nothing to undo.
  Checked<SequencedOperation> apply(const Author& author, const AnnotationOperation& op,
                                    core::CaptureTime now);

  // Removes annotations whose time to live ran out (pointers); true when the scene changed. The version does
  // not change: every console expires the same annotations on its own clock.
  bool expire(core::CaptureTime now);

  // The current scene. Any thread: the OR display reads it per frame without locking the network thread.
  std::shared_ptr<const Scene> snapshot() const { return published_.load(std::memory_order_acquire); }

  // Forgets an author's rate state (the console left).
  void forget(std::string_view author);

  const AnnotationLimits& limits() const { return limits_; }
  const core::FaultCounters& faults() const { return faults_; }
  std::uint64_t accepted() const { return accepted_; }

 private:
  // Token bucket of one author.
  struct Bucket {
    double tokens = 0.0;
    core::CaptureTime refilled_at{};
  };

  Checked<SequencedOperation> check_and_apply(const Author& author, const AnnotationOperation& op,
                                              core::CaptureTime now);
  bool take_token(const std::string& author, core::CaptureTime now);
  Checked<void> check_limits(const Scene& scene, const std::string& author,
                             const AnnotationOperation& op) const;

  const AnnotationLimits limits_;
  std::shared_ptr<const Scene> scene_;
  std::atomic<std::shared_ptr<const Scene>> published_;
  std::map<std::string, Bucket, std::less<>> buckets_;
  core::FaultCounters faults_;
  std::uint64_t accepted_ = 0;
};

}  // namespace surgilink::annotation
