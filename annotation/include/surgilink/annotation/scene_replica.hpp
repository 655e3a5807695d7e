#pragma once
// A console's copy of the sender's scene: confirmed operations in sequence order, plus the console's own
// operations not yet confirmed, so the mentor sees their stroke at once.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "surgilink/annotation/operation.hpp"
#include "surgilink/annotation/refusal.hpp"
#include "surgilink/annotation/scene.hpp"
#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"

namespace surgilink::annotation {

// Console side. Network thread only; the GUI reads view() snapshots handed over by the caller.
class SceneReplica {
 public:
  // `self` is this console's author name ("m1"); an observer passes its own name and never proposes.
  explicit SceneReplica(std::string self);

  // Applies the sender's next operation. Returns true when the confirmed scene changed, false for an
  // operation already applied (sequence <= version, e.g. after a resync). Refuses, counts, and sets
  // needs_resync() on a gap in the sequence (kMalformed: an operation was lost) or an operation that does not
  // fit the scene (the replica has diverged); the scene stays as it was until reset(). An operation of this
  // console confirms its oldest pending proposal.
  Checked<bool> apply(const SequencedOperation& op);

  // Replaces the confirmed scene with the sender's snapshot (join or resync); drops pending proposals, which
  // the lost connection or the gap has made stale.
  void reset(Scene confirmed);

  // Local echo: an operation this console has just sent, shown in view() until the sender confirms or refuses
  // it. Pointers are not echoed (the console draws its own cursor).
  void propose(const AnnotationOperation& op, core::CaptureTime now);

  // The sender refused this console's oldest pending proposal.
  void refused();

  // Drops expired annotations from the confirmed scene (the console's clock mapped to the capture clock);
  // true when the view changed.
  bool expire(core::CaptureTime now);

  std::shared_ptr<const Scene> confirmed() const { return confirmed_; }
  // Confirmed scene with the pending proposals applied on top (those that still fit it).
  std::shared_ptr<const Scene> view() const { return view_; }
  bool needs_resync() const { return needs_resync_; }
  std::size_t pending() const { return pending_.size(); }
  const core::FaultCounters& faults() const { return faults_; }

 private:
  struct Proposal {
    AnnotationOperation op;
    core::CaptureTime proposed_at;
  };

  Checked<bool> diverged(core::Fault fault, std::string reason);
  void confirm_own(const AnnotationOperation& op);
  void rebuild_view();

  const std::string self_;
  std::shared_ptr<const Scene> confirmed_;
  std::shared_ptr<const Scene> view_;
  std::deque<Proposal> pending_;
  bool needs_resync_ = false;
  core::FaultCounters faults_;
};

}  // namespace surgilink::annotation
