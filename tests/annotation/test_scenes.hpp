#pragma once
// Small builders shared by the annotation tests.

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "surgilink/annotation/annotation.hpp"
#include "surgilink/annotation/operation.hpp"
#include "surgilink/annotation/scene.hpp"
#include "surgilink/core/capture_clock.hpp"

namespace surgilink::annotation::testing {

inline const core::CaptureTime kStart{std::chrono::seconds{1'700'000'000}};

inline Annotation stroke(std::string id, std::vector<NormalisedPoint> points) {
  Annotation a;
  a.id = std::move(id);
  a.kind = AnnotationKind::kStroke;
  a.points = std::move(points);
  a.colour_rgba = 0x20E040FF;
  a.width = 0.005F;
  a.reference_capture = kStart - std::chrono::milliseconds{200};
  return a;
}

inline Annotation shape(std::string id, AnnotationKind kind, NormalisedPoint a, NormalisedPoint b) {
  Annotation out = stroke(std::move(id), {a, b});
  out.kind = kind;
  return out;
}

inline Annotation label(std::string id, NormalisedPoint at, std::string text) {
  Annotation out = stroke(std::move(id), {at});
  out.kind = AnnotationKind::kLabel;
  out.text = std::move(text);
  return out;
}

}  // namespace surgilink::annotation::testing

namespace surgilink::annotation {

// Readable failure messages for scene comparisons (GoogleTest finds these by argument-dependent lookup).
inline void PrintTo(const Annotation& a, std::ostream* os) {
  *os << a.id << " (" << describe(a.kind) << ", " << a.points.size() << " points"
      << (a.committed ? ", committed" : "") << ")";
}

inline void PrintTo(const Scene& scene, std::ostream* os) {
  *os << "scene v" << scene.version << " [";
  for (const auto& a : scene.annotations) {
    PrintTo(*a, os);
    *os << "; ";
  }
  *os << "]";
}

}  // namespace surgilink::annotation
