#include "surgilink/session/annotation_client.hpp"

#include <spdlog/spdlog.h>

#include "surgilink/annotation/wire.hpp"

namespace surgilink::session {

void AnnotationClient::connect(const std::string& author) {
  author_ = author;
  replica_ = std::make_unique<annotation::SceneReplica>(author);
  pending_.clear();
}

void AnnotationClient::disconnect() {
  replica_.reset();
  pending_.clear();
}

std::shared_ptr<const annotation::Scene> AnnotationClient::view() const {
  static const auto kEmpty = std::make_shared<const annotation::Scene>();
  return replica_ ? replica_->view() : kEmpty;
}

annotation::Checked<void> AnnotationClient::on_scene(std::span<const std::uint8_t> bytes) {
  if (!replica_) return boost::outcome_v2::success();
  auto scene = annotation::decode_scene(bytes);
  if (!scene) return scene.error();
  replica_->reset(std::move(scene.value()));
  pending_.clear();
  return boost::outcome_v2::success();
}

annotation::Checked<bool> AnnotationClient::on_operation(std::span<const std::uint8_t> bytes,
                                                         core::CaptureTime now, const ClockSync& sync) {
  if (!replica_) return false;
  auto op = annotation::decode_operation(bytes);
  if (!op) return op.error();
  const bool own = op.value().author == author_;
  auto applied = replica_->apply(op.value());
  if (!applied) {
    // Out of step with the sender (a gap, or a scene too large to be sent on join): follow from here with
    // what is new rather than draw a scene that differs from the surgeon's.
    spdlog::warn("annotation scene out of step with the sender ({}); showing new annotations from #{} on",
                 applied.error().reason, op.value().sequence);
    ++counters_.resyncs;
    annotation::Scene fresh;
    fresh.version = op.value().sequence;
    replica_->reset(std::move(fresh));
    pending_.clear();
    return true;
  }
  if (!applied.value()) return false;
  ++counters_.operations;
  if (own && !pending_.empty()) {
    const core::CaptureTime input = pending_.front();
    pending_.pop_front();
    ++counters_.confirmed;
    echo_.add(now - input);
    if (sync.synced() && inputs_.size() < kMaxInputs)
      inputs_.push_back({op.value().sequence, input + sync.offset()});
  }
  return true;
}

void AnnotationClient::on_refused() {
  ++counters_.refused;
  if (replica_) replica_->refused();
  if (!pending_.empty()) pending_.pop_front();
}

std::vector<std::uint8_t> AnnotationClient::propose(const annotation::AnnotationOperation& op,
                                                    core::CaptureTime now, const ClockSync& sync) {
  ++counters_.proposed;
  // Pointers are confirmed like any operation but not echoed; all wait for their confirmation in order.
  pending_.push_back(now);
  if (replica_) replica_->propose(op, sync.synced() ? now + sync.offset() : now);
  return annotation::encode_proposal(op);
}

bool AnnotationClient::expire(core::CaptureTime now, const ClockSync& sync) {
  return replica_ && sync.synced() && replica_->expire(now + sync.offset());
}

}  // namespace surgilink::session
