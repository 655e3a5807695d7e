#include "surgilink/vitals/vitals_simulator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numbers>

namespace surgilink::vitals {

namespace {

constexpr double kTwoPi = 2 * std::numbers::pi;

// Offsets within a heartbeat, in seconds from its R peak.
constexpr double kAbpDelay = 0.08;    // aortic valve opening to the arterial line
constexpr double kPlethDelay = 0.22;  // pulse transit time to the finger
constexpr double kFirstRPeak = 0.25;  // the first R peak after the scenario start

// SplitMix64: a small, portable, well-mixed hash, so output is the same on every platform and compiler.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Uniform in (0, 1].
double unit_interval(std::uint64_t h) { return (static_cast<double>(h >> 11) + 1.0) * 0x1.0p-53; }

double clamp01(double x) { return std::clamp(x, 0.0, 1.0); }
double smoothstep(double x) {
  x = clamp01(x);
  return x * x * (3 - 2 * x);
}
double gauss(double x, double centre, double sigma) {
  const double d = (x - centre) / sigma;
  return std::exp(-0.5 * d * d);
}
double round_to(double v, double step) { return std::round(v / step) * step; }

// The physiology of a scenario at `s` seconds, before the small variations.
struct Trend {
  double hr = 72;
  double map = 93;  // mean arterial pressure
  double pp = 44;   // pulse pressure (sys - dia)
  double spo2 = 98;
  double etco2 = 37;
  double rr = 14;
  double temp = 36.8;
  double bis = 45;
};

Trend trend(Scenario scenario, double s) {
  Trend t;
  switch (scenario) {
    case Scenario::kStable:
      break;
    case Scenario::kHypotension: {
      const double f = clamp01(s / 120.0);
      t.map = 93 - 38 * f;  // 55 mmHg at 120 s
      t.pp = 44 - 14 * f;
      t.hr = 72 + 28 * f;  // baroreflex
      break;
    }
    case Scenario::kDesaturation: {
      const double f = clamp01((s - 10.0) / 90.0);
      t.spo2 = 98 - 16 * smoothstep(f);
      t.hr = 72 + 23 * f;
      t.rr = 14 + 6 * f;
      t.etco2 = 37 + 3 * f;
      break;
    }
    case Scenario::kTachycardia: {
      const double f = clamp01(s / 60.0);
      t.hr = 72 + 78 * smoothstep(f);
      t.map = 93 - 10 * f;
      t.pp = 44 - 6 * f;
      break;
    }
  }
  // Slow cooling under anaesthesia: -0.3 °C over the first hours.
  t.temp -= 0.3 * (1 - std::exp(-s / 3600.0));
  return t;
}

// Streams of the slow variations and the waveform noise (any distinct numbers).
enum Stream : std::uint64_t {
  kHrWobble = 1,
  kPrWobble,
  kSpo2Wobble,
  kMapWobble,
  kSysWobble,
  kDiaWobble,
  kNibpWobble,
  kEtco2Wobble,
  kRrWobble,
  kTempWobble,
  kBisWobble,
  kEcgNoise = 100,
  kPlethNoise,
  kCo2Noise,
  kAbpNoise,
};

}  // namespace

std::string_view scenario_name(Scenario scenario) {
  switch (scenario) {
    case Scenario::kStable:
      return "stable";
    case Scenario::kHypotension:
      return "hypotension";
    case Scenario::kDesaturation:
      return "desaturation";
    case Scenario::kTachycardia:
      return "tachycardia";
  }
  return "stable";
}

std::optional<Scenario> scenario_from_name(std::string_view name) {
  for (Scenario s :
       {Scenario::kStable, Scenario::kHypotension, Scenario::kDesaturation, Scenario::kTachycardia}) {
    if (scenario_name(s) == name) return s;
  }
  return std::nullopt;
}

struct VitalsSimulator::Second {
  std::array<double, static_cast<std::size_t>(Parameter::kCount)> value{};
  double nibp_measured_at = 0;  // seconds since start

  double operator[](Parameter p) const { return value[static_cast<std::size_t>(p)]; }
  double& operator[](Parameter p) { return value[static_cast<std::size_t>(p)]; }
};

VitalsSimulator::VitalsSimulator(SimulatorSettings settings)
    : settings_(settings), produced_until_(settings.start) {
  if (settings_.waveform_period <= std::chrono::nanoseconds::zero()) {
    settings_.waveform_period = std::chrono::milliseconds{2};
  }
  if (settings_.nibp_interval <= std::chrono::seconds::zero())
    settings_.nibp_interval = std::chrono::seconds{60};
  // Two beats before the first R peak, so that pulses and T waves are continuous from time 0.
  Beat first = beat_at(kFirstRPeak);
  beats_.push_back(first);
  beats_.insert(beats_.begin(), Beat{first.r_peak - first.rr, first.rr, first.abp_sys, first.abp_dia});
  beats_.insert(beats_.begin(), Beat{first.r_peak - 2 * first.rr, first.rr, first.abp_sys, first.abp_dia});
  breaths_.push_back(breath_at(0));
}

double VitalsSimulator::noise(std::uint64_t stream, std::int64_t index) const {
  // Box-Muller from two hashed uniforms: a standard normal value that depends only on (seed, stream, index).
  const std::uint64_t h = mix(settings_.seed ^ mix(stream ^ mix(static_cast<std::uint64_t>(index))));
  const double u1 = unit_interval(h);
  const double u2 = unit_interval(mix(h));
  return std::sqrt(-2 * std::log(u1)) * std::cos(kTwoPi * u2);
}

double VitalsSimulator::wobble(std::uint64_t stream, double seconds) const {
  // Two slow sines with seed-derived phases: within -1..1, changing by at most ~0.3 per second, like the
  // beat-to-beat averaged readings of a monitor.
  const double p1 = kTwoPi * unit_interval(mix(settings_.seed ^ mix(2 * stream)));
  const double p2 = kTwoPi * unit_interval(mix(settings_.seed ^ mix(2 * stream + 1)));
  return 0.6 * std::sin(kTwoPi * seconds / 41.0 + p1) + 0.4 * std::sin(kTwoPi * seconds / 13.0 + p2);
}

VitalsSimulator::Second VitalsSimulator::second_at(std::int64_t k) const {
  const double s = static_cast<double>(k);
  const Trend t = trend(settings_.scenario, s);
  Second out;
  const double hr = t.hr + 1.5 * wobble(kHrWobble, s);
  out[Parameter::kHr] = std::round(hr);
  out[Parameter::kPr] = std::round(hr + 0.8 * wobble(kPrWobble, s));
  out[Parameter::kSpo2] = std::min(100.0, std::round(t.spo2 + 0.6 * wobble(kSpo2Wobble, s)));
  const double map = t.map + 0.9 * wobble(kMapWobble, s);
  out[Parameter::kAbpMean] = std::round(map);
  out[Parameter::kAbpSys] = std::round(map + 2 * t.pp / 3 + 0.8 * wobble(kSysWobble, s));
  out[Parameter::kAbpDia] = std::round(map - t.pp / 3 + 0.5 * wobble(kDiaWobble, s));

  // The cuff measured at the start of this NIBP interval and the value is held until the next measurement.
  const std::int64_t interval = settings_.nibp_interval.count();
  const std::int64_t m = (k / interval) * interval;
  const double sm = static_cast<double>(m);
  const Trend tm = trend(settings_.scenario, sm);
  const double nibp_map = tm.map + 1.5 * wobble(kNibpWobble, sm) + 1;  // cuff reads a little higher
  out[Parameter::kNibpMean] = std::round(nibp_map);
  out[Parameter::kNibpSys] = std::round(nibp_map + 2 * tm.pp / 3 - 2);
  out[Parameter::kNibpDia] = std::round(nibp_map - tm.pp / 3 + 1);
  out.nibp_measured_at = sm;

  out[Parameter::kEtco2] = std::round(t.etco2 + 0.8 * wobble(kEtco2Wobble, s));
  out[Parameter::kRr] = std::round(t.rr + 0.6 * wobble(kRrWobble, s));
  out[Parameter::kTemp] = round_to(t.temp + 0.05 * wobble(kTempWobble, s), 0.1);
  out[Parameter::kBis] = std::round(t.bis + 4 * wobble(kBisWobble, s));
  return out;
}

VitalsSimulator::Beat VitalsSimulator::beat_at(double r_peak) const {
  const Second sec = second_at(static_cast<std::int64_t>(std::floor(std::max(0.0, r_peak))));
  Beat b;
  b.r_peak = r_peak;
  b.rr = 60.0 / std::max(20.0, sec[Parameter::kHr]);
  b.abp_sys = sec[Parameter::kAbpSys];
  b.abp_dia = sec[Parameter::kAbpDia];
  return b;
}

VitalsSimulator::Breath VitalsSimulator::breath_at(double start) const {
  const Second sec = second_at(static_cast<std::int64_t>(std::floor(std::max(0.0, start))));
  Breath b;
  b.start = start;
  b.length = 60.0 / std::max(4.0, sec[Parameter::kRr]);
  b.etco2 = sec[Parameter::kEtco2];
  return b;
}

void VitalsSimulator::extend_schedules(double t) {
  // Know every beat that can shape time t (the P wave starts ~0.2 s before its R peak) and forget those
  // that no longer can (a T wave or a pulse lasts well under 2 s after its R peak).
  while (beats_.back().r_peak < t + 0.5) beats_.push_back(beat_at(beats_.back().r_peak + beats_.back().rr));
  while (beats_.size() > 3 && beats_[1].r_peak + 2.0 < t) beats_.erase(beats_.begin());
  while (breaths_.back().start + breaths_.back().length <= t) {
    breaths_.push_back(breath_at(breaths_.back().start + breaths_.back().length));
  }
  while (breaths_.size() > 1 && breaths_.front().start + breaths_.front().length <= t) {
    breaths_.erase(breaths_.begin());
  }
}

float VitalsSimulator::ecg_at(double t) const {
  // Lead II as a sum of Gaussian P, Q, R, S and T waves per beat; the QT interval follows Bazett.
  double v = 0;
  for (const Beat& b : beats_) {
    const double u = t - b.r_peak;
    if (u < -0.35 || u > 1.2) continue;
    const double t_wave = 0.3 * std::sqrt(b.rr) - 0.03;  // T peak after R
    v += 0.12 * gauss(u, -0.13, 0.022);                  // P
    v += -0.12 * gauss(u, -0.018, 0.007);                // Q
    v += 1.2 * gauss(u, 0.0, 0.0085);                    // R
    v += -0.28 * gauss(u, 0.02, 0.008);                  // S
    v += 0.3 * gauss(u, t_wave, 0.045);                  // T
  }
  // Baseline wander with respiration.
  const Breath& br = breaths_.front();
  v += 0.03 * std::sin(kTwoPi * (t - br.start) / br.length);
  return static_cast<float>(v);
}

float VitalsSimulator::arterial_at(double t, double delay, bool pressure) const {
  // The pulse of the latest beat that has reached this site; x is the fraction of that beat.
  const Beat* beat = &beats_.front();
  for (const Beat& b : beats_) {
    if (b.r_peak + delay <= t) beat = &b;
  }
  const double x = (t - beat->r_peak - delay) / beat->rr;
  double g = 0;  // 0 at end-diastole, 1 at the systolic peak
  if (x >= 0 && x < 0.12) {
    const double s = std::sin(std::numbers::pi / 2 * x / 0.12);
    g = s * s;
  } else if (x >= 0.12 && x <= 1.0) {
    const double end = std::exp(-0.88 / 0.3);
    g = (std::exp(-(x - 0.12) / 0.3) - end) / (1 - end);
    const double notch = pressure ? 1.0 : 0.5;  // the dicrotic notch is damped at the finger
    g += notch * (-0.10 * gauss(x, 0.36, 0.025) + 0.07 * gauss(x, 0.42, 0.04));
    g = clamp01(g);
  }
  if (!pressure) return static_cast<float>(g);
  return static_cast<float>(beat->abp_dia + (beat->abp_sys - beat->abp_dia) * g);
}

float VitalsSimulator::co2_at(double t) const {
  // Inspiration (baseline 0), then expiration: a steep rise (phase II), the alveolar plateau rising to the
  // end-tidal value (phase III), and the inspiratory down-stroke.
  const Breath* breath = &breaths_.front();
  for (const Breath& b : breaths_) {
    if (b.start <= t) breath = &b;
  }
  const double x = std::clamp((t - breath->start) / breath->length, 0.0, 1.0);
  double c = 0;
  if (x >= 0.40 && x < 0.46) {
    c = 0.9 * smoothstep((x - 0.40) / 0.06);
  } else if (x >= 0.46 && x < 0.95) {
    c = 0.9 + 0.1 * (x - 0.46) / 0.49;
  } else if (x >= 0.95) {
    c = 1.0 - smoothstep((x - 0.95) / 0.05);
  }
  return static_cast<float>(breath->etco2 * c);
}

VitalsBatch VitalsSimulator::generate(core::CaptureTime from, core::CaptureTime to) {
  using std::chrono::nanoseconds;
  VitalsBatch out;
  if (to <= settings_.start || to <= from) return out;
  const core::CaptureTime start = settings_.start;

  // Index of the first item at or after `at`, for items every `step` from the start.
  auto first_index = [&](core::CaptureTime at, nanoseconds step) -> std::int64_t {
    const std::int64_t d = (at - start).count();
    if (d <= 0) return 0;
    return (d + step.count() - 1) / step.count();
  };

  // Numerics: one of each parameter per whole second.
  const nanoseconds second{std::chrono::seconds{1}};
  const std::int64_t numeric_begin = std::max(next_second_, first_index(from, second));
  const std::int64_t numeric_end = std::max(next_second_, first_index(to, second));
  for (std::int64_t k = numeric_begin; k < numeric_end; ++k) {
    const Second sec = second_at(k);
    const core::CaptureTime at = start + second * k;
    for (const ParameterInfo& p : all_parameters()) {
      std::optional<core::CaptureTime> source_time;
      if (p.parameter == Parameter::kNibpSys || p.parameter == Parameter::kNibpDia ||
          p.parameter == Parameter::kNibpMean) {
        source_time = start + std::chrono::duration_cast<nanoseconds>(
                                  std::chrono::duration<double>(sec.nibp_measured_at));
      }
      out.numerics.push_back(make_numeric_sample(p.parameter, sec[p.parameter], at, source_time));
    }
  }
  next_second_ = numeric_end;

  // Waveforms: every period, computed in order from where the last span ended.
  const nanoseconds period = settings_.waveform_period;
  const std::int64_t wave_begin = std::max(next_sample_, first_index(from, period));
  const std::int64_t wave_end = std::max(next_sample_, first_index(to, period));
  if (wave_end > wave_begin) {
    for (const WaveformInfo& w : all_waveforms()) {
      WaveformChunk chunk;
      chunk.waveform = w.waveform;
      chunk.unit = w.unit;
      chunk.first_sample = start + period * wave_begin;
      chunk.sample_period = period;
      chunk.samples.reserve(static_cast<std::size_t>(wave_end - wave_begin));
      out.waveforms.push_back(std::move(chunk));
    }
  }
  const double period_s = std::chrono::duration<double>(period).count();
  for (std::int64_t n = next_sample_; n < wave_end; ++n) {
    const double t = static_cast<double>(n) * period_s;
    extend_schedules(t);
    if (n < wave_begin) continue;  // a gap between spans: keep the rhythm, return nothing
    auto& ecg = out.waveforms[static_cast<std::size_t>(Waveform::kEcgII)].samples;
    auto& pleth = out.waveforms[static_cast<std::size_t>(Waveform::kPleth)].samples;
    auto& co2 = out.waveforms[static_cast<std::size_t>(Waveform::kCapnogram)].samples;
    auto& abp = out.waveforms[static_cast<std::size_t>(Waveform::kAbp)].samples;
    ecg.push_back(ecg_at(t) + static_cast<float>(0.008 * noise(kEcgNoise, n)));
    pleth.push_back(arterial_at(t, kPlethDelay, false) + static_cast<float>(0.004 * noise(kPlethNoise, n)));
    co2.push_back(std::max(0.0f, co2_at(t) + static_cast<float>(0.1 * noise(kCo2Noise, n))));
    abp.push_back(arterial_at(t, kAbpDelay, true));
  }
  next_sample_ = wave_end;
  produced_until_ = std::max(produced_until_, to);
  return out;
}

}  // namespace surgilink::vitals
