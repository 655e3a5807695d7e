#include "surgilink/session/preflight.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace surgilink::session {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

namespace {

void put16(std::span<std::uint8_t> out, std::size_t at, std::uint16_t v) {
  out[at] = static_cast<std::uint8_t>(v >> 8);
  out[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::span<std::uint8_t> out, std::size_t at, std::uint32_t v) {
  put16(out, at, static_cast<std::uint16_t>(v >> 16));
  put16(out, at + 2, static_cast<std::uint16_t>(v));
}
void put64(std::span<std::uint8_t> out, std::size_t at, std::uint64_t v) {
  put32(out, at, static_cast<std::uint32_t>(v >> 32));
  put32(out, at + 4, static_cast<std::uint32_t>(v));
}
std::uint32_t get32(std::span<const std::uint8_t> in, std::size_t at) {
  return (static_cast<std::uint32_t>(in[at]) << 24) | (static_cast<std::uint32_t>(in[at + 1]) << 16) |
         (static_cast<std::uint32_t>(in[at + 2]) << 8) | in[at + 3];
}
std::uint64_t get64(std::span<const std::uint8_t> in, std::size_t at) {
  return (static_cast<std::uint64_t>(get32(in, at)) << 32) | get32(in, at + 4);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}
double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto at = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
  return v[std::min(at, v.size() - 1)];
}
double median_ns(const std::vector<std::int64_t>& v) {
  return median(std::vector<double>(v.begin(), v.end()));
}

// IPv4 + UDP headers: the ramp's rate is what the link carries, not just the payload.
constexpr std::size_t kIpUdpBytes = 28;

}  // namespace

std::size_t write_probe(std::span<std::uint8_t> out, const ProbePacket& p) {
  std::fill(out.begin(), out.end(), std::uint8_t{0});
  out[0] = kProbeVersion;
  out[1] = static_cast<std::uint8_t>(p.kind);
  put16(out, 2, p.flags);
  put32(out, 4, p.sequence);
  put64(out, 8, p.sent_ntp);
  put64(out, 16, p.ping_sent_ntp);
  put64(out, 24, p.held_ns);
  put32(out, 32, p.pings_received);
  put32(out, 36, p.highest_ping);
  put32(out, 40, p.ping_jitter_us);
  put32(out, 44, p.step);
  put32(out, 48, p.step_packets);
  return out.size();
}

core::Result<ProbePacket> parse_probe(std::span<const std::uint8_t> in) {
  if (in.size() < kProbeHeaderSize) return core::Fault::kTruncated;
  if (in[0] != kProbeVersion) return core::Fault::kUnsupportedVersion;
  ProbePacket p;
  if (in[1] < 1 || in[1] > 3) return core::Fault::kMalformed;
  p.kind = static_cast<ProbePacket::Kind>(in[1]);
  p.flags = static_cast<std::uint16_t>((in[2] << 8) | in[3]);
  if ((p.flags & ~(ProbePacket::kStopRamp | ProbePacket::kRampHeld)) != 0) return core::Fault::kMalformed;
  p.sequence = get32(in, 4);
  p.sent_ntp = get64(in, 8);
  p.ping_sent_ntp = get64(in, 16);
  p.held_ns = get64(in, 24);
  p.pings_received = get32(in, 32);
  p.highest_ping = get32(in, 36);
  p.ping_jitter_us = get32(in, 40);
  p.step = get32(in, 44);
  p.step_packets = get32(in, 48);
  // An echo held over a minute, a ramp step of more packets than any cap allows: not a probe of ours.
  if (p.kind == ProbePacket::Kind::kEcho && p.held_ns > 60'000'000'000ULL) return core::Fault::kMalformed;
  if (p.kind == ProbePacket::Kind::kRamp &&
      (p.step_packets == 0 || p.step_packets > 100'000 || p.sequence >= p.step_packets || p.step > 1000))
    return core::Fault::kMalformed;
  return p;
}

milliseconds PreflightPlan::quiet() const { return std::min(milliseconds{3000}, duration * 3 / 10); }

std::size_t PreflightPlan::steps() const {
  const auto room = duration - quiet() - kTail;
  const std::size_t fit = room.count() > 0 ? static_cast<std::size_t>(room / kStep) : 0;
  for (std::size_t k = 0; k < fit; ++k) {
    if (step_rate(k) >= max_bps) return k + 1;  // one step at the cap is enough
  }
  return fit;
}

std::uint64_t PreflightPlan::step_rate(std::size_t k) const {
  const double rate = static_cast<double>(kStartBps) * std::pow(kGrowth, static_cast<double>(k));
  return std::min<std::uint64_t>(max_bps, static_cast<std::uint64_t>(rate));
}

std::string check_preflight_duration(milliseconds duration) {
  if (duration >= kPreflightShortest && duration <= kPreflightLongest) return {};
  return "pre-flight duration " + std::to_string(duration.count()) + " ms: use " +
         std::to_string(kPreflightShortest.count() / 1000) + " to " +
         std::to_string(kPreflightLongest.count() / 1000) + " s";
}

std::uint64_t preflight_rate_cap(std::uint32_t profile_kbps) {
  return static_cast<std::uint64_t>(profile_kbps) * 1000 * 3 / 2;
}

void InterarrivalJitter::add(core::CaptureTime sent, core::CaptureTime arrived) {
  const nanoseconds transit = arrived - sent;
  if (last_transit_) {
    const double d = std::abs(static_cast<double>((transit - *last_transit_).count()));
    jitter_ns_ += (d - jitter_ns_) / 16.0;
  }
  last_transit_ = transit;
}

const std::vector<VerdictStep>& verdict_steps() {
  // The sender's profile rates (media/video_profile.cpp) for 1080p30 and 720p30; half the frames half the
  // rate below them. The ladder's floors (media/video_ladder.cpp) are where a running stream gives up a
  // step; a pre-flight promises the step at its full rate.
  static const std::vector<VerdictStep> steps{
      {"1080p30", 6000}, {"720p30", 3000}, {"720p15", 1500}, {"540p15", 750}};
  return steps;
}

std::uint64_t preflight_need_bps(std::uint32_t video_kbps, double loss) {
  // As the sender chooses its forward error correction (sender/or_sender.cpp): one parity packet per K
  // video packets, K about 1/(5 x loss), from 0.5 % loss.
  double parity = 0;
  if (loss >= 0.005) parity = 1.0 / std::clamp(std::round(0.2 / loss), 4.0, 20.0);
  constexpr double kReservedKbps = 150;  // voice both ways, vitals, annotations
  return static_cast<std::uint64_t>((video_kbps * (1 + parity) + kReservedKbps) * 1000);
}

namespace {
std::string mbit(std::uint64_t bps) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f Mbit/s", static_cast<double>(bps) / 1e6);
  return text;
}
std::string percent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %%", 100 * share);
  return text;
}
}  // namespace

LinkVerdict judge_link(const PreflightFigures& f, const std::string& top) {
  constexpr double kMostLoss = 0.10;   // beyond parity's and retransmission's reach: the picture breaks up
  constexpr double kLongestRtt = 500;  // ms: guidance a mentor gives would come half a second late
  if (f.rtt_samples == 0) return {"none", "Not enough for video: no probe came back from the OR."};
  const double loss = std::max(f.loss_to_mentor, f.loss_to_or);
  if (loss > kMostLoss)
    return {"none", "Not enough for video: the link loses " + percent(loss) + " of packets (at most " +
                        percent(kMostLoss) + " can be repaired)."};
  if (f.rtt_p95_ms > kLongestRtt) {
    return {"none", "Not enough for video: the round trip is " + std::to_string(std::lround(f.rtt_p95_ms)) +
                        " ms (95th percentile; at most " + std::to_string(std::lround(kLongestRtt)) +
                        " ms)."};
  }
  const auto& steps = verdict_steps();
  auto first = std::find_if(steps.begin(), steps.end(), [&](const VerdictStep& s) { return top == s.name; });
  if (first == steps.end()) first = steps.begin();  // a profile above 1080p30 (1080p60): judged up to 1080p30
  const bool held = f.rate_limited_by == "held";
  const std::string carried = (f.rate_capped || held ? "at least " : "") + mbit(f.achievable_bps);
  const std::string why_held =
      held ? " The OR stopped the rate test when a case started there: check again before the next case."
           : "";
  for (auto s = first; s != steps.end(); ++s) {
    const std::uint64_t need = preflight_need_bps(s->kbps, f.loss_to_mentor);
    if (f.achievable_bps < need) continue;
    std::string sentence = "This link carries " + std::string(s->name) + " (it carries " + carried;
    if (s != first) {
      sentence += "; " + std::string(first->name) + " needs " +
                  mbit(preflight_need_bps(first->kbps, f.loss_to_mentor));
    }
    if (f.loss_to_mentor >= 0.005) sentence += ", with repair for " + percent(f.loss_to_mentor) + " loss";
    return {s->name, sentence + ")." + why_held};
  }
  if (held) {
    return {"none",
            "Not known: the OR stopped the rate test when a case started there, after the link had "
            "carried " +
                carried + "; check again before the next case."};
  }
  return {"none", "Not enough for video: the link carries " + carried + ", " + steps.back().name + " needs " +
                      mbit(preflight_need_bps(steps.back().kbps, f.loss_to_mentor)) + "."};
}

std::string describe(const PreflightFigures& f) {
  char text[320];
  std::snprintf(
      text, sizeof text,
      "rtt p50 %.1f ms, p95 %.1f ms; jitter OR->mentor %.1f ms, mentor->OR %.1f ms; loss OR->mentor "
      "%.2f %%, mentor->OR %.2f %%; rate OR->mentor %s%.2f Mbit/s (%s)",
      f.rtt_p50_ms, f.rtt_p95_ms, f.jitter_to_mentor_ms, f.jitter_to_or_ms, 100 * f.loss_to_mentor,
      100 * f.loss_to_or, f.rate_capped ? ">= " : "", static_cast<double>(f.achievable_bps) / 1e6,
      f.rate_limited_by.empty() ? "no ramp" : ("limited by " + f.rate_limited_by).c_str());
  return text;
}

PreflightEstimator::PreflightEstimator(PreflightPlan plan) : plan_(plan) { steps_.resize(plan_.steps()); }

void PreflightEstimator::on_echo(const ProbePacket& echo, core::CaptureTime arrived, std::size_t /*wire*/) {
  ++echoes_;
  if ((echo.flags & ProbePacket::kRampHeld) != 0) held_ = true;
  // The far end's view of our pings: the latest echo knows the most.
  far_pings_received_ = std::max(far_pings_received_, echo.pings_received);
  far_highest_ping_ = std::max(far_highest_ping_, echo.highest_ping);
  far_jitter_ms_ = echo.ping_jitter_us / 1000.0;
  if (ramp_seen_) return;  // the ramp's queueing is not the idle link's round trip
  ++idle_echoes_;
  idle_pings_at_far_ = echo.pings_received;
  const auto sent = core::from_ntp64(echo.ping_sent_ntp);
  const auto rtt = arrived - sent - nanoseconds{static_cast<std::int64_t>(echo.held_ns)};
  if (rtt.count() >= 0) rtt_ms_.push_back(core::to_ms(rtt));
  const auto echo_sent = core::from_ntp64(echo.sent_ntp);
  idle_transits_.push_back((arrived - echo_sent).count());
  to_mentor_.add(echo_sent, arrived);
}

void PreflightEstimator::on_ramp(const ProbePacket& ramp, core::CaptureTime arrived, std::size_t wire_bytes) {
  ramp_seen_ = true;
  if (ramp.step >= steps_.size()) return;  // beyond the plan: the sender was told a different one
  for (std::uint32_t k = 0; k < ramp.step; ++k) judge(k);  // a later step arrived: the earlier are complete
  Step& s = steps_[ramp.step];
  if (s.judged) return;
  s.expected = ramp.step_packets;
  ++s.received;
  s.bytes += wire_bytes + kIpUdpBytes;
  if (ramp.sequence >= ramp.step_packets / 2)
    s.late_transits.push_back((arrived - core::from_ntp64(ramp.sent_ntp)).count());
}

void PreflightEstimator::judge(std::uint32_t k) {
  Step& s = steps_[k];
  if (s.judged || done_) {
    s.judged = true;
    return;
  }
  s.judged = true;
  const double loss = s.expected == 0 ? 1.0 : 1.0 - static_cast<double>(s.received) / s.expected;
  // Random loss the idle link had anyway is not the ramp's doing, nor is chance in a step of a few dozen
  // packets: allowed are three standard deviations of the idle link's loss over the step's packets, and
  // 3 % more. The idle loss is an upper guess (its estimate comes from a few dozen pings: one more lost).
  // A step beyond the link's rate loses far more once the queue is full. With only 2/n for chance, 12 of
  // 400 simulated rural pre-flights (2 % random loss) ended early and named 720p15 or less.
  const double n = s.expected;
  const double p =
      std::min(0.5, idle_loss_to_mentor() + 1.0 / std::max(1.0, static_cast<double>(idle_pings_at_far_)));
  const double allowed = n == 0 ? 0 : (n * p + 3 * std::sqrt(n * p * (1 - p)) + 2) / n + 0.03;
  double queueing = 0;
  if (!s.late_transits.empty()) {
    const double base =
        idle_transits_.empty()
            ? static_cast<double>(*std::min_element(s.late_transits.begin(), s.late_transits.end()))
            : median_ns(idle_transits_);
    queueing = (median_ns(s.late_transits) - base) / 1e6;
  }
  const double allowed_queueing = 30 + 3 * to_mentor_.ms();
  if (s.received == 0 || loss > allowed || queueing > allowed_queueing) {
    failed_ = k;
    limited_by_ = (s.received == 0 || loss > allowed) ? "loss" : "queueing";
    queueing_ms_ = queueing;
    done_ = true;
    return;
  }
  ++clean_;
  // What the step delivered: its bytes over its planned length (a queue that stretches it is not clean).
  achievable_bps_ = std::max<std::uint64_t>(
      achievable_bps_, s.bytes * 8 * 1000 / static_cast<std::uint64_t>(PreflightPlan::kStep.count()));
  ramp_lost_ += s.expected - std::min(s.expected, s.received);
  ramp_expected_ += s.expected;
  if (k + 1 == steps_.size()) {
    done_ = true;
    limited_by_ = plan_.step_rate(k) >= plan_.max_bps ? "cap" : "time";
  }
}

double PreflightEstimator::idle_loss_to_mentor() const {
  if (idle_pings_at_far_ == 0) return 0;
  const double lost = static_cast<double>(idle_pings_at_far_) - std::min(idle_pings_at_far_, idle_echoes_);
  return lost / idle_pings_at_far_;
}

PreflightFigures PreflightEstimator::finish() {
  for (std::uint32_t k = 0; k < steps_.size(); ++k) judge(k);
  PreflightFigures f;
  f.rtt_samples = rtt_ms_.size();
  f.rtt_p50_ms = median(rtt_ms_);
  f.rtt_p95_ms = percentile(rtt_ms_, 0.95);
  f.jitter_to_mentor_ms = to_mentor_.ms();
  f.jitter_to_or_ms = far_jitter_ms_;
  // OR->mentor: the idle link's echoes and the clean ramp steps' packets; mentor->OR: the pings as the sender
  // counted them.
  const double idle_expected = idle_pings_at_far_;
  const double idle_lost = idle_expected - std::min<double>(idle_expected, idle_echoes_);
  const double expected = idle_expected + static_cast<double>(ramp_expected_);
  f.loss_to_mentor = expected > 0 ? (idle_lost + static_cast<double>(ramp_lost_)) / expected : 0;
  if (far_highest_ping_ > 0 || far_pings_received_ > 0) {
    const double sent = static_cast<double>(far_highest_ping_) + 1;
    f.loss_to_or = std::max(0.0, 1.0 - far_pings_received_ / sent);
  }
  f.achievable_bps = achievable_bps_;
  f.rate_limited_by = limited_by_.empty() ? (steps_.empty() ? "" : "time") : limited_by_;
  f.rate_capped = limited_by_ == "cap";
  if (held_ && !f.rate_capped) f.rate_limited_by = "held";  // what the ramp did not reach was not measured
  f.queueing_ms = queueing_ms_;
  f.steps_clean = clean_;
  f.steps_sent = static_cast<std::uint32_t>(std::count_if(
      steps_.begin(), steps_.end(), [](const Step& s) { return s.expected > 0 || s.received > 0; }));
  return f;
}

}  // namespace surgilink::session
