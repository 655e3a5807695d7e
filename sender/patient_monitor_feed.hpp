#pragma once
// The OR sender's vitals: one source (simulator, HL7 MLLP listener, file replay) feeding the alarm monitor
// and the vitals RTP stream to every console, on the network thread.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/session/sender_session.hpp"
#include "surgilink/vitals/alarm_limits.hpp"
#include "surgilink/vitals/mllp_listener.hpp"
#include "surgilink/vitals/observation_code_map.hpp"
#include "surgilink/vitals/vitals_simulator.hpp"

namespace surgilink::sender {

// Where the patient's vital signs come from ([vitals] of configs/sender.toml).
struct VitalsFeedSettings {
  enum class Source { kNone, kSimulator, kHl7, kFile };
  Source source = Source::kSimulator;
  vitals::Scenario scenario = vitals::Scenario::kStable;
  std::uint64_t seed = 1;
  std::filesystem::path file;  // kFile
  vitals::MllpSettings mllp;   // kHl7
  vitals::ObservationCodeMap codes = vitals::ObservationCodeMap::defaults();
  vitals::AlarmLimits alarms = vitals::AlarmLimits::defaults();
  std::chrono::milliseconds chunk{20};  // waveform chunk and send period
};

// Parses "simulator", "hl7", "hl7:PORT", "file:PATH", "none"; throws std::invalid_argument naming the forms.
void apply_vitals_source(const std::string& text, VitalsFeedSettings& settings);
std::string describe(const VitalsFeedSettings& settings);

// Counters for the status line. Network thread.
struct VitalsFeedCounters {
  std::uint64_t numerics = 0;
  std::uint64_t waveform_samples = 0;
  std::uint64_t alarm_events = 0;
  std::uint64_t mllp_accepted = 0;
  std::uint64_t mllp_rejected = 0;
};

// Construct, start(), stop() on the network thread (or before it runs).
class PatientMonitorFeed {
 public:
  // Throws std::runtime_error when the MLLP port cannot be bound or the replay file is unusable.
  PatientMonitorFeed(boost::asio::io_context& io, VitalsFeedSettings settings, const core::Clock& clock,
                     session::SenderSession& session);
  ~PatientMonitorFeed();

  void start();
  void stop();
  VitalsFeedCounters counters() const;
  std::uint16_t mllp_port() const;  // 0 unless the source is hl7
  // Short names of parameters in alarm now, for the status line and the OR badge.
  std::string alarms_text() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace surgilink::sender
