#include "surgilink/vitals/vitals_receiver.hpp"

#include <algorithm>

namespace surgilink::vitals {

VitalsUpdate VitalsReceiver::accept(const VitalsPacket& packet) {
  ++counters_.packets;
  VitalsUpdate update;
  for (const auto& s : packet.numerics) {
    auto& latest = latest_[static_cast<std::size_t>(s.parameter)];
    if (latest && latest->captured >= s.captured) {
      ++counters_.numerics_repeated;
      continue;
    }
    latest = s;
    ++counters_.numerics_new;
    update.numerics.push_back(s);
  }
  for (const auto& chunk : packet.waveforms) {
    if (chunk.samples.empty()) continue;
    auto& until = received_until_[static_cast<std::size_t>(chunk.waveform)];
    const auto end = chunk.time_of(chunk.samples.size());
    if (until && end <= *until) continue;  // a repeat
    std::size_t first = 0;
    if (until) {
      // Half a period of tolerance: capture times round-trip through NTP-64 with sub-nanosecond error.
      const auto half = chunk.sample_period / 2;
      while (first < chunk.samples.size() && chunk.time_of(first) + half < *until) ++first;
      const auto missing = (chunk.time_of(first) - *until + half) / chunk.sample_period;
      if (missing > 0) counters_.waveform_samples_lost += static_cast<std::uint64_t>(missing);
    }
    WaveformChunk fresh = chunk;
    fresh.first_sample = chunk.time_of(first);
    fresh.samples.assign(chunk.samples.begin() + static_cast<std::ptrdiff_t>(first), chunk.samples.end());
    counters_.waveform_samples_new += fresh.samples.size();
    until = end;
    update.waveforms.push_back(std::move(fresh));
  }
  if (packet.carries_alarm_state && packet.alarms != alarms_) {
    alarms_ = packet.alarms;
    update.alarms_changed = true;
    update.alarms = alarms_;
  }
  return update;
}

bool VitalsReceiver::in_alarm(Parameter p) const {
  return std::any_of(alarms_.begin(), alarms_.end(), [p](const ActiveAlarm& a) { return a.parameter == p; });
}

}  // namespace surgilink::vitals
