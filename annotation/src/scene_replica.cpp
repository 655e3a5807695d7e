#include "surgilink/annotation/scene_replica.hpp"

#include <utility>

namespace surgilink::annotation {

SceneReplica::SceneReplica(std::string self)
    : self_(std::move(self)), confirmed_(std::make_shared<const Scene>()), view_(confirmed_) {}

Checked<bool> SceneReplica::apply(const SequencedOperation& op) {
  const std::uint64_t version = confirmed_->version;
  if (op.sequence <= version) return false;  // already in the scene (sent again around a resync)
  if (needs_resync_) {
    return diverged(core::Fault::kMalformed,
                    "operation " + std::to_string(op.sequence) + " dropped: waiting for a scene snapshot");
  }
  if (op.sequence != version + 1) {
    return diverged(core::Fault::kMalformed, "gap: expected operation " + std::to_string(version + 1) +
                                                 ", got " + std::to_string(op.sequence) +
                                                 "; a scene snapshot is needed");
  }
  auto next = apply_operation(*confirmed_, op);
  if (next.has_error()) {
    return diverged(next.error().fault, "operation " + std::to_string(op.sequence) +
                                            " does not fit the replica (" + next.error().reason +
                                            "); a scene snapshot is needed");
  }
  confirmed_ = std::make_shared<const Scene>(std::move(next).value());
  if (op.author == self_ && !std::holds_alternative<Pointer>(op.op)) confirm_own(op.op);
  rebuild_view();
  return true;
}

Checked<bool> SceneReplica::diverged(core::Fault fault, std::string reason) {
  needs_resync_ = true;
  faults_.add(fault);
  return refuse(fault, std::move(reason));
}

void SceneReplica::reset(Scene confirmed) {
  confirmed_ = std::make_shared<const Scene>(std::move(confirmed));
  pending_.clear();
  needs_resync_ = false;
  rebuild_view();
}

void SceneReplica::propose(const AnnotationOperation& op, core::CaptureTime now) {
  if (std::holds_alternative<Pointer>(op)) return;
  pending_.push_back(Proposal{op, now});
  rebuild_view();
}

void SceneReplica::refused() {
  if (pending_.empty()) return;
  pending_.pop_front();
  rebuild_view();
}

bool SceneReplica::expire(core::CaptureTime now) {
  auto next = without_expired(*confirmed_, now);
  if (!next) return false;
  confirmed_ = std::make_shared<const Scene>(std::move(*next));
  rebuild_view();
  return true;
}

void SceneReplica::confirm_own(const AnnotationOperation& op) {
  if (pending_.empty()) return;
  // The control channel is ordered and the sender answers each proposal in turn, so the confirmation is for
  // the oldest proposal; if it is not even the same kind of operation, the echo is out of step and dropped.
  if (pending_.front().op.index() == op.index()) {
    pending_.pop_front();
  } else {
    pending_.clear();
  }
}

void SceneReplica::rebuild_view() {
  if (pending_.empty()) {
    view_ = confirmed_;
    return;
  }
  Scene echo = *confirmed_;
  for (const Proposal& p : pending_) {
    // The confirmed version is kept: the echo is not a state the sender has numbered.
    auto next = apply_operation(echo, SequencedOperation{echo.version, self_, p.proposed_at, p.op});
    if (next.has_value()) echo = std::move(next).value();
  }
  view_ = std::make_shared<const Scene>(std::move(echo));
}

}  // namespace surgilink::annotation
