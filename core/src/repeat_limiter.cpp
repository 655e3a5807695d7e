#include "surgilink/core/repeat_limiter.hpp"

namespace surgilink::core {

RepeatLimiter::RepeatLimiter(std::chrono::nanoseconds interval, std::size_t max_keys)
    : interval_(interval), max_keys_(max_keys) {}

bool RepeatLimiter::first(const std::string& key, CaptureTime now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= max_keys_) {
      // A flood of new keys (many addresses) must not grow this map: they share one entry.
      auto [overflow, inserted] = entries_.try_emplace(kOverflowKey, Entry{now, 0});
      if (inserted) return true;
      ++overflow->second.repeats;
      return false;
    }
    entries_.emplace(key, Entry{now, 0});
    return true;
  }
  ++it->second.repeats;
  return false;
}

std::vector<RepeatLimiter::Repeats> RepeatLimiter::ended(CaptureTime now) {
  std::vector<Repeats> out;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now - it->second.since < interval_) {
      ++it;
      continue;
    }
    if (it->second.repeats > 0) out.push_back({it->first, it->second.repeats});
    it = entries_.erase(it);
  }
  return out;
}

}  // namespace surgilink::core
