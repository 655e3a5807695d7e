#include "patient_monitor_feed.hpp"

#include <stdexcept>

#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>

#include "surgilink/vitals/alarm_monitor.hpp"
#include "surgilink/vitals/vitals_file_replay.hpp"
#include "surgilink/vitals/vitals_packetizer.hpp"

namespace surgilink::sender {

namespace asio = boost::asio;
using Source = VitalsFeedSettings::Source;

void apply_vitals_source(const std::string& text, VitalsFeedSettings& settings) {
  if (text == "simulator") {
    settings.source = Source::kSimulator;
  } else if (text == "none") {
    settings.source = Source::kNone;
  } else if (text == "hl7") {
    settings.source = Source::kHl7;
  } else if (text.starts_with("hl7:")) {
    int port = -1;
    try {
      std::size_t used = 0;
      port = std::stoi(text.substr(4), &used);
      if (used != text.size() - 4) port = -1;
    } catch (const std::exception&) {
    }
    if (port < 0 || port > 65535) {
      throw std::invalid_argument("'" + text + "': the MLLP port must be a number 0..65535");
    }
    settings.source = Source::kHl7;
    settings.mllp.port = static_cast<std::uint16_t>(port);
  } else if (text.starts_with("file:") && text.size() > 5) {
    settings.source = Source::kFile;
    settings.file = text.substr(5);
  } else {
    throw std::invalid_argument("'" + text +
                                "' is not a vitals source: simulator | hl7 | hl7:PORT | file:PATH | none");
  }
}

std::string describe(const VitalsFeedSettings& s) {
  switch (s.source) {
    case Source::kNone:
      return "none";
    case Source::kSimulator:
      return "simulator (" + std::string(vitals::scenario_name(s.scenario)) + ", seed " +
             std::to_string(s.seed) + ")";
    case Source::kHl7: {
      std::string text = "HL7 v2 over MLLP on " + s.mllp.bind_address + ":" + std::to_string(s.mllp.port) +
                         " from " + (s.mllp.allow.allows_any() ? "any address" : s.mllp.allow.describe());
      if (!s.mllp.sending_application.empty()) text += ", MSH-3 " + s.mllp.sending_application;
      if (!s.mllp.sending_facility.empty()) text += ", MSH-4 " + s.mllp.sending_facility;
      return text;
    }
    case Source::kFile:
      return "file " + s.file.string();
  }
  return "?";
}

struct PatientMonitorFeed::Impl : std::enable_shared_from_this<PatientMonitorFeed::Impl>,
                                  vitals::VitalsListener {
  Impl(asio::io_context& io_context, VitalsFeedSettings s, const core::Clock& c, session::SenderSession& sess)
      : io(io_context),
        settings(std::move(s)),
        clock(c),
        session(sess),
        monitor(settings.alarms),
        timer(io),
        started(clock.now()) {
    if (settings.source == Source::kSimulator) {
      vitals::SimulatorSettings sim;
      sim.scenario = settings.scenario;
      sim.seed = settings.seed;
      sim.start = started;
      simulator.emplace(sim);
    } else if (settings.source == Source::kFile) {
      replay = std::make_unique<vitals::VitalsFileReplay>(settings.file, started, true);
    } else if (settings.source == Source::kHl7) {
      mllp = std::make_unique<vitals::MllpListener>(io, settings.mllp, settings.codes, clock, *this);
      settings.mllp.port = mllp->port();  // port 0 asked for any free one: log and report the real one
    }
  }

  asio::io_context& io;
  VitalsFeedSettings settings;
  const core::Clock& clock;
  session::SenderSession& session;
  vitals::AlarmMonitor monitor;
  vitals::VitalsPacketizer packetizer;
  asio::steady_timer timer;
  core::CaptureTime started;
  core::CaptureTime replayed_until = started;
  std::optional<vitals::VitalsSimulator> simulator;
  std::unique_ptr<vitals::VitalsFileReplay> replay;
  std::unique_ptr<vitals::MllpListener> mllp;
  VitalsFeedCounters counters;
  bool stopped = false;

  // HL7 messages: sent at once, not at the next tick, so a monitor's numbers reach the mentor as fast as
  // the network allows.
  void on_vitals(std::vector<vitals::NumericSample> samples) override {
    if (stopped) return;
    take_numerics(samples);
    send(clock.now());
  }

  void take_numerics(const std::vector<vitals::NumericSample>& samples) {
    counters.numerics += samples.size();
    for (const auto& event : monitor.feed(samples)) {
      ++counters.alarm_events;
      const auto& p = vitals::info(event.parameter);
      if (event.transition == vitals::AlarmEvent::Transition::kStart) {
        spdlog::warn("ALARM {} {}: {} {} (limit {})", p.short_name,
                     event.condition == vitals::AlarmCondition::kLow ? "low" : "high", event.value,
                     vitals::info(p.unit).symbol, event.limit);
      } else {
        spdlog::info("alarm {} {} ended: {} {}", p.short_name,
                     event.condition == vitals::AlarmCondition::kLow ? "low" : "high", event.value,
                     vitals::info(p.unit).symbol);
      }
    }
    packetizer.add(samples);
    packetizer.set_alarms(monitor.active());
  }

  void send(core::CaptureTime now) { session.send_vitals(packetizer.take_payloads(now), now); }

  void tick() {
    timer.expires_after(settings.chunk);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopped) return;
      self->on_tick();
      self->tick();
    });
  }

  void on_tick() {
    const core::CaptureTime now = clock.now();
    if (simulator) {
      auto batch = simulator->generate(simulator->produced_until(), now);
      for (const auto& c : batch.waveforms) counters.waveform_samples += c.samples.size();
      take_numerics(batch.numerics);
      packetizer.add(batch.waveforms);
    } else if (replay) {
      take_numerics(replay->due(replayed_until, now));
      replayed_until = now;
    }
    send(now);
  }
};

PatientMonitorFeed::PatientMonitorFeed(asio::io_context& io, VitalsFeedSettings settings,
                                       const core::Clock& clock, session::SenderSession& session)
    : impl_(std::make_shared<Impl>(io, std::move(settings), clock, session)) {}

PatientMonitorFeed::~PatientMonitorFeed() = default;

void PatientMonitorFeed::start() {
  if (impl_->settings.source == Source::kNone) return;
  spdlog::info("vitals from {}", describe(impl_->settings));
  if (impl_->mllp && impl_->settings.mllp.allow.allows_any()) {
    spdlog::warn(
        "vitals.hl7.allow is empty: any host that reaches port {} may send vitals; list the monitor "
        "gateways' addresses there",
        impl_->settings.mllp.port);
  }
  if (impl_->mllp) impl_->mllp->start();
  // Even an HL7 source ticks: the packetizer repeats numerics and the alarm state every second.
  impl_->tick();
}

void PatientMonitorFeed::stop() {
  impl_->stopped = true;
  impl_->timer.cancel();
  if (impl_->mllp) impl_->mllp->stop();
}

VitalsFeedCounters PatientMonitorFeed::counters() const {
  VitalsFeedCounters c = impl_->counters;
  if (impl_->mllp) {
    c.mllp_accepted = impl_->mllp->counters().messages_accepted.load();
    c.mllp_rejected = impl_->mllp->counters().messages_rejected.load();
  }
  return c;
}

std::uint16_t PatientMonitorFeed::mllp_port() const { return impl_->mllp ? impl_->mllp->port() : 0; }

std::string PatientMonitorFeed::alarms_text() const {
  std::string text;
  for (const auto& a : impl_->monitor.active()) {
    if (!text.empty()) text += ",";
    text += std::string(vitals::info(a.parameter).short_name) +
            (a.condition == vitals::AlarmCondition::kLow ? " low" : " high");
  }
  return text;
}

}  // namespace surgilink::sender
