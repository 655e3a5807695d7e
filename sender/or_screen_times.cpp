#include "or_screen_times.hpp"

namespace surgilink::sender {

void OrScreenTimes::composed(core::CaptureTime capture, core::CaptureTime at) {
  std::lock_guard lock(mutex_);
  branch_.add(at - capture);
}

void OrScreenTimes::shown(core::CaptureTime capture, core::CaptureTime at) {
  std::lock_guard lock(mutex_);
  window_.add(at - capture);
}

core::LatencySummary OrScreenTimes::branch() const {
  std::lock_guard lock(mutex_);
  return branch_.summary();
}

core::LatencySummary OrScreenTimes::window() const {
  std::lock_guard lock(mutex_);
  return window_.summary();
}

}  // namespace surgilink::sender
