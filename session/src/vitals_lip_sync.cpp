#include "surgilink/session/vitals_lip_sync.hpp"

#include <algorithm>

#include "surgilink/vitals/vitals_packet.hpp"

namespace surgilink::session {

using std::chrono::nanoseconds;

core::Result<std::optional<vitals::VitalsUpdate>> VitalsLipSync::accept(
    std::span<const std::uint8_t> payload) {
  auto packet = vitals::decode_vitals_packet(payload);
  if (!packet) return packet.error();
  const vitals::VitalsUpdate update = receiver_.accept(packet.value());
  playout_.push(update);
  if (!update.alarms_changed) return std::optional<vitals::VitalsUpdate>{};
  vitals::VitalsUpdate alarms_only;
  alarms_only.alarms_changed = true;
  alarms_only.alarms = update.alarms;
  return std::optional<vitals::VitalsUpdate>{std::move(alarms_only)};
}

nanoseconds VitalsLipSync::delay(nanoseconds video_delay) const {
  return std::clamp(video_delay, nanoseconds{0}, max_delay_);
}

vitals::VitalsUpdate VitalsLipSync::release(core::CaptureTime now, const ClockSync& sync,
                                            nanoseconds video_delay, core::CaptureTime joined_at,
                                            bool in_report) {
  // Without clock sync there is no common time line yet: show at once.
  const core::CaptureTime until =
      sync.synced() ? now + sync.offset() - delay(video_delay) : core::CaptureTime::max();
  vitals::VitalsUpdate shown = playout_.release(until);
  auto measure = [&](core::CaptureTime acquired) {
    if (!sync.synced()) return;
    const core::CaptureTime acquired_local = sync.to_local(acquired);
    if (acquired_local < joined_at) return;
    window_.add(now, now - acquired_local);
    if (in_report) run_.add(now - acquired_local);
  };
  for (const auto& s : shown.numerics) {
    measure(s.captured);
    shown_[static_cast<std::size_t>(s.parameter)] = s;
    if (!newest_ || s.captured > *newest_) newest_ = s.captured;
  }
  for (const auto& c : shown.waveforms) {
    if (!c.samples.empty()) measure(c.time_of(c.samples.size() - 1));
  }
  return shown;
}

std::optional<core::CaptureTime> VitalsLipSync::next_release_at(const ClockSync& sync,
                                                                nanoseconds video_delay) const {
  const auto due = playout_.next_due();
  if (!due || !sync.synced()) return std::nullopt;
  return sync.to_local(*due) + delay(video_delay);
}

std::optional<double> VitalsLipSync::age_ms(core::CaptureTime now, const ClockSync& sync) const {
  if (!newest_ || !sync.synced()) return std::nullopt;
  return core::to_ms(now - sync.to_local(*newest_));
}

}  // namespace surgilink::session
