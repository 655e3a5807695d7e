#pragma once
// Console side of the vitals stream: merges packets (which repeat each other) into the latest value of each
// numeric, gap-free waveforms and the sender's alarm state.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "surgilink/vitals/vitals_packet.hpp"

namespace surgilink::vitals {

// What one packet added that was not known before. Plain value type; any thread.
struct VitalsUpdate {
  std::vector<NumericSample> numerics;   // newer than the latest known sample of their parameter
  std::vector<WaveformChunk> waveforms;  // only samples after what was already received
  bool alarms_changed = false;
  std::vector<ActiveAlarm> alarms;  // when alarms_changed: every alarm active now (maybe none)
};

// Counters of the receiver. Network thread.
struct VitalsReceiverCounters {
  std::uint64_t packets = 0;
  std::uint64_t numerics_new = 0;
  std::uint64_t numerics_repeated = 0;  // already known (the redundancy at work)
  std::uint64_t waveform_samples_new = 0;
  std::uint64_t waveform_samples_lost = 0;  // gaps no packet filled
};

// Network thread only (not thread-safe).
class VitalsReceiver {
 public:
  VitalsUpdate accept(const VitalsPacket& packet);

  const std::optional<NumericSample>& latest(Parameter p) const {
    return latest_[static_cast<std::size_t>(p)];
  }
  const std::vector<ActiveAlarm>& alarms() const { return alarms_; }
  bool in_alarm(Parameter p) const;
  const VitalsReceiverCounters& counters() const { return counters_; }

 private:
  std::array<std::optional<NumericSample>, static_cast<std::size_t>(Parameter::kCount)> latest_{};
  // Capture time just after the last sample received, per waveform.
  std::array<std::optional<core::CaptureTime>, static_cast<std::size_t>(Waveform::kCount)> received_until_{};
  std::vector<ActiveAlarm> alarms_;
  VitalsReceiverCounters counters_;
};

}  // namespace surgilink::vitals
