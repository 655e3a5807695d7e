#include "stale_annotations.hpp"

#include <algorithm>

namespace surgilink::sender {

std::vector<std::string> StaleAnnotations::update(const std::set<std::string>& present,
                                                  const std::set<std::string>& drawn, core::CaptureTime now) {
  std::vector<std::string> expired;
  std::lock_guard lock(mutex_);
  // Back in time, or nothing left to fade: forgotten (a later departure starts a new fade).
  std::erase_if(departed_,
                [&](const auto& d) { return present.contains(d.first) || !drawn.contains(d.first); });
  std::erase_if(kept_, [&](const std::string& a) { return present.contains(a) || !drawn.contains(a); });
  for (const std::string& author : drawn) {
    // The surgeon side's own annotations ("or") have no console to leave.
    if (author == "or" || present.contains(author) || kept_.contains(author)) continue;
    const auto [at, started] = departed_.try_emplace(author, now);
    if (now - at->second >= fade_) expired.push_back(author);
  }
  for (const auto& author : expired) departed_.erase(author);
  return expired;
}

bool StaleAnnotations::keep() {
  std::lock_guard lock(mutex_);
  if (departed_.empty()) return false;
  for (const auto& [author, at] : departed_) kept_.insert(author);
  departed_.clear();
  return true;
}

bool StaleAnnotations::fading() const {
  std::lock_guard lock(mutex_);
  return !departed_.empty();
}

float StaleAnnotations::opacity(const std::string& author, core::CaptureTime now) const {
  std::lock_guard lock(mutex_);
  const auto it = departed_.find(author);
  if (it == departed_.end() || fade_.count() == 0) return it == departed_.end() ? 1.0F : 0.0F;
  const double left = 1.0 - std::chrono::duration<double>(now - it->second) / fade_;
  return static_cast<float>(std::clamp(left, 0.0, 1.0));
}

}  // namespace surgilink::sender
