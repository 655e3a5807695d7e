#include "surgilink/annotation/annotation.hpp"

#include <cmath>

namespace surgilink::annotation {

const char* describe(AnnotationKind kind) {
  switch (kind) {
    case AnnotationKind::kStroke:
      return "stroke";
    case AnnotationKind::kArrow:
      return "arrow";
    case AnnotationKind::kEllipse:
      return "ellipse";
    case AnnotationKind::kLabel:
      return "label";
    case AnnotationKind::kPointer:
      return "pointer";
  }
  return "unknown kind";
}

bool is_on_frame(NormalisedPoint p) {
  // NaN fails every comparison, so it is refused here too.
  return p.x >= 0.0F && p.x <= 1.0F && p.y >= 0.0F && p.y <= 1.0F;
}

bool Annotation::expired_at(core::CaptureTime now) const {
  if (!time_to_live) return false;
  // created_at and time_to_live may come off the wire: add without overflowing.
  std::int64_t expiry = 0;
  if (__builtin_add_overflow(created_at.time_since_epoch().count(), time_to_live->count(), &expiry)) {
    return time_to_live->count() < 0;
  }
  return now.time_since_epoch().count() >= expiry;
}

std::string pointer_id(std::string_view author) {
  std::string id(author);
  id += "-pointer";
  return id;
}

bool is_drawing_id_of(std::string_view id, std::string_view author) {
  constexpr std::size_t kMaxCounterDigits = 9;
  if (author.empty() || id.size() <= author.size() + 1) return false;
  if (id.substr(0, author.size()) != author || id[author.size()] != '-') return false;
  const std::string_view counter = id.substr(author.size() + 1);
  if (counter.size() > kMaxCounterDigits) return false;
  for (const char c : counter) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace surgilink::annotation
