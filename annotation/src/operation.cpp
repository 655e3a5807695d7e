#include "surgilink/annotation/operation.hpp"

namespace surgilink::annotation {

namespace {

struct OperationName {
  const char* operator()(const Begin&) const { return "begin"; }
  const char* operator()(const Extend&) const { return "extend"; }
  const char* operator()(const Commit&) const { return "commit"; }
  const char* operator()(const Delete&) const { return "delete"; }
  const char* operator()(const Undo&) const { return "undo"; }
  const char* operator()(const Clear&) const { return "clear"; }
  const char* operator()(const Pointer&) const { return "pointer"; }
};

}  // namespace

const char* describe(const AnnotationOperation& op) { return std::visit(OperationName{}, op); }

}  // namespace surgilink::annotation
