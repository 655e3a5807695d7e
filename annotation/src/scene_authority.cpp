#include "surgilink/annotation/scene_authority.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "text.hpp"

namespace surgilink::annotation {

namespace {

using core::Fault;
using detail::quoted;

constexpr std::size_t kMaxAuthorBytes = 32;

bool is_author_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxAuthorBytes) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// Code points as a lenient count (continuation bytes skipped); validity is the scene rules' business.
std::size_t lenient_chars(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string limit_text(std::size_t value) { return std::to_string(value); }

}  // namespace

SceneAuthority::SceneAuthority(AnnotationLimits limits)
    : limits_(limits), scene_(std::make_shared<const Scene>()), published_(scene_) {
  if (limits_.max_points_per_stroke == 0 || limits_.max_label_chars == 0 ||
      limits_.max_live_annotations == 0) {
    throw std::invalid_argument("annotation limits must not be zero");
  }
  if (!std::isfinite(limits_.max_ops_per_second) || limits_.max_ops_per_second <= 0.0) {
    throw std::invalid_argument("annotation max_ops_per_second must be a positive number");
  }
}

Checked<SequencedOperation> SceneAuthority::apply(const Author& author, const AnnotationOperation& op,
                                                  core::CaptureTime now) {
  auto result = check_and_apply(author, op, now);
  if (result.has_error()) {
    faults_.add(result.error().fault);
  } else {
    ++accepted_;
  }
  return result;
}

Checked<SequencedOperation> SceneAuthority::check_and_apply(const Author& author,
                                                            const AnnotationOperation& op,
                                                            core::CaptureTime now) {
  const std::string what = describe(op);
  if (!is_author_name(author.name)) {
    return refuse(Fault::kMalformed, what + ": author name " + quoted(author.name) +
                                         " is not 1 to 32 letters, digits, '_' or '-'");
  }
  const auto* clear = std::get_if<Clear>(&op);
  if (clear != nullptr && clear->scope == ClearScope::kAll) {
    if (!author.may_clear_all) {
      return refuse(Fault::kNotAuthorised, "clear all: " + author.name + " is not on the surgeon side");
    }
  } else if (!author.may_draw && !(clear != nullptr && author.may_clear_all)) {
    return refuse(Fault::kNotAuthorised, what + ": " + author.name + " does not hold the pen");
  }
  if (!take_token(author.name, now)) {
    return refuse(Fault::kRateLimited, what + ": " + author.name + " sent more than " +
                                           std::to_string(static_cast<long>(limits_.max_ops_per_second)) +
                                           " operations per second");
  }
  if (auto within = check_limits(*scene_, author.name, op); within.has_error()) return within.error();

  SequencedOperation sequenced{scene_->version + 1, author.name, now, op};
  auto next = apply_operation(*scene_, sequenced);
  if (next.has_error()) return next.error();
  if (auto* begin = std::get_if<Begin>(&sequenced.op)) {
    // What is recorded and broadcast is what the sender decided, not what the console claimed.
    begin->draft.author = author.name;
    begin->draft.created_at = now;
    begin->draft.committed = false;
  }
  scene_ = std::make_shared<const Scene>(std::move(next).value());
  published_.store(scene_, std::memory_order_release);
  return sequenced;
}

Checked<void> SceneAuthority::check_limits(const Scene& scene, const std::string& author,
                                           const AnnotationOperation& op) const {
  const std::size_t max_points = limits_.max_points_per_stroke;
  const bool scene_full = scene.annotations.size() >= limits_.max_live_annotations;
  if (const auto* begin = std::get_if<Begin>(&op)) {
    if (begin->draft.points.size() > max_points) {
      return refuse(Fault::kTooLarge, "begin: " + limit_text(begin->draft.points.size()) +
                                          " points, the limit is " + limit_text(max_points));
    }
    const std::size_t chars = lenient_chars(begin->draft.text);
    if (chars > limits_.max_label_chars) {
      return refuse(Fault::kTooLarge, "begin: label of " + limit_text(chars) + " characters, the limit is " +
                                          limit_text(limits_.max_label_chars));
    }
    if (scene_full) {
      return refuse(Fault::kTooLarge, "begin: the scene already holds " +
                                          limit_text(scene.annotations.size()) + " annotations, the limit");
    }
  } else if (const auto* extend = std::get_if<Extend>(&op)) {
    const Annotation* target = scene.find(extend->id);
    const std::size_t existing =
        target != nullptr && target->kind == AnnotationKind::kStroke ? target->points.size() : 0;
    if (extend->points.size() > max_points || existing + extend->points.size() > max_points) {
      return refuse(Fault::kTooLarge, "extend: " + quoted(extend->id) + " would have " +
                                          limit_text(existing + extend->points.size()) +
                                          " points, the limit is " + limit_text(max_points));
    }
  } else if (std::holds_alternative<Pointer>(op)) {
    if (scene_full && scene.find(pointer_id(author)) == nullptr) {
      return refuse(Fault::kTooLarge, "pointer: the scene already holds " +
                                          limit_text(scene.annotations.size()) + " annotations, the limit");
    }
  }
  return boost::outcome_v2::success();
}

bool SceneAuthority::take_token(const std::string& author, core::CaptureTime now) {
  const double capacity = std::max(1.0, limits_.max_ops_per_second);
  auto [it, inserted] = buckets_.try_emplace(author, Bucket{capacity, now});
  Bucket& bucket = it->second;
  if (!inserted && now > bucket.refilled_at) {
    const double elapsed_s = std::chrono::duration<double>(now - bucket.refilled_at).count();
    bucket.tokens = std::min(capacity, bucket.tokens + elapsed_s * limits_.max_ops_per_second);
    bucket.refilled_at = now;
  }
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

bool SceneAuthority::expire(core::CaptureTime now) {
  auto next = without_expired(*scene_, now);
  if (!next) return false;
  scene_ = std::make_shared<const Scene>(std::move(*next));
  published_.store(scene_, std::memory_order_release);
  return true;
}

void SceneAuthority::forget(std::string_view author) {
  if (const auto it = buckets_.find(author); it != buckets_.end()) buckets_.erase(it);
}

}  // namespace surgilink::annotation
