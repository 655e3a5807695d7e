#pragma once
// Sender side of the vitals stream: turns samples from any source into RTP payloads — numerics when they
// change and all of them at least once per second, waveforms in short chunks — each payload repeating what
// the previous one carried, so that one lost packet leaves no gap at the console.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "surgilink/vitals/vitals_packet.hpp"

namespace surgilink::vitals {

// How payloads are cut. Plain value type; any thread.
struct VitalsPacketizerSettings {
  std::chrono::milliseconds max_chunk{40};       // longest waveform chunk in one record
  std::chrono::milliseconds full_refresh{1000};  // every numeric is sent at least this often
  std::size_t max_payload = 1100;                // bytes; SRTP and RTP headers must still fit in 1200
};

// Network thread only (not thread-safe).
class VitalsPacketizer {
 public:
  explicit VitalsPacketizer(VitalsPacketizerSettings settings = {});

  // New samples from a source; numerics equal to the last one sent (same value and capture time) are
  // ignored.
  void add(std::span<const NumericSample> numerics);
  void add(std::span<const WaveformChunk> waveforms);
  // The sender's active alarms; a change is sent with the next payloads.
  void set_alarms(std::vector<ActiveAlarm> alarms);

  // Payloads carrying everything new since the last call, what the last call carried (redundancy), and
  // every latest numeric when the last full refresh is `full_refresh` old. Empty when there is nothing.
  std::vector<std::vector<std::uint8_t>> take_payloads(core::CaptureTime now);

  // The latest sample of each numeric (for the recording, the OR badge and the status line).
  const std::optional<NumericSample>& latest(Parameter p) const {
    return latest_[static_cast<std::size_t>(p)];
  }

 private:
  VitalsPacketizerSettings settings_;
  std::array<std::optional<NumericSample>, static_cast<std::size_t>(Parameter::kCount)> latest_{};
  std::vector<NumericSample> new_numerics_;
  std::vector<WaveformChunk> new_chunks_;
  std::vector<NumericSample> previous_numerics_;  // what the last call carried, sent again once
  std::vector<WaveformChunk> previous_chunks_;
  std::vector<ActiveAlarm> alarms_;
  bool alarms_changed_ = true;
  std::optional<core::CaptureTime> last_full_refresh_;
};

}  // namespace surgilink::vitals
