#pragma once
// Pre-flight (issue 15): before a case, a console measures its link to the OR sender over the real session's
// channels — round trip, interarrival jitter (RFC 3550 §6.4.1) and loss per direction from timestamped probes
// both ways, and the rate OR→mentor by a paced ramp of probe traffic that stops when loss or queueing delay
// rises — and says which video profile the link carries. No I/O here: the probes' wire form, the ramp's
// schedule, the estimator (fed probe timings, so tests use synthetic ones) and the verdict.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"

namespace surgilink::session {

// The probes' RTP payload type on the realtime channel (their SSRCs come in PreflightGranted).
inline constexpr std::uint8_t kProbePayloadType = 101;
inline constexpr std::uint8_t kProbeVersion = 1;

// One probe packet's payload (big-endian, kProbeHeaderSize bytes, then zero padding up to the packet's size).
//   0 version (1)  1 kind  2-3 flags  4-7 sequence  8-15 sent (NTP-64, the sending end's clock)
//   16-23 echoed ping's sent time (NTP-64)  24-31 held (ns, ping received -> echo sent)
//   32-35 pings received  36-39 highest ping sequence  40-43 jitter of the pings (µs)
//   44-47 ramp step  48-51 packets in that step
struct ProbePacket {
  enum class Kind : std::uint8_t { kPing = 1, kEcho = 2, kRamp = 3 };
  static constexpr std::uint16_t kStopRamp = 1;  // ping flag: the console has seen enough, stop the ramp
  static constexpr std::uint16_t kRampHeld = 2;  // echo flag: the sender stopped the ramp (a case started)
  Kind kind = Kind::kPing;
  std::uint16_t flags = 0;
  std::uint32_t sequence = 0;  // ping: its number; echo: the ping's; ramp: the packet's index in its step
  std::uint64_t sent_ntp = 0;
  // Echo only: the sender's view of the console's pings.
  std::uint64_t ping_sent_ntp = 0;
  std::uint64_t held_ns = 0;
  std::uint32_t pings_received = 0;
  std::uint32_t highest_ping = 0;
  std::uint32_t ping_jitter_us = 0;
  // Ramp only.
  std::uint32_t step = 0;
  std::uint32_t step_packets = 0;
};
inline constexpr std::size_t kProbeHeaderSize = 52;
// Writes the payload into `out` (at least kProbeHeaderSize bytes; the rest is zeroed); returns out.size().
std::size_t write_probe(std::span<std::uint8_t> out, const ProbePacket& probe);
// Rejects a payload that is short, of another version or kind, or has impossible fields.
core::Result<ProbePacket> parse_probe(std::span<const std::uint8_t> payload);

// The ramp: after a quiet part (pings only: the round trip and loss of an idle link), OR→mentor probe traffic
// at a rate growing by `growth` each step up to `max_bps`, held one step there, ending `tail` before the
// end. Both ends compute it from the granted duration and cap. Plain value type.
struct PreflightPlan {
  std::chrono::milliseconds duration{10000};
  std::uint64_t max_bps = 9'000'000;
  static constexpr std::chrono::milliseconds kStep{500};
  static constexpr std::chrono::milliseconds kTail{1000};
  static constexpr std::uint64_t kStartBps = 400'000;
  static constexpr double kGrowth = 1.4;
  static constexpr std::chrono::milliseconds kPingInterval{10};
  static constexpr std::size_t kRampPacketBytes = 1200;  // RTP payload; the rate counts IP/UDP/SRTP too
  std::chrono::milliseconds quiet() const;
  // How many steps fit (the last at the cap).
  std::size_t steps() const;
  // The rate of step `k` (0-based), at most max_bps.
  std::uint64_t step_rate(std::size_t k) const;
};
inline constexpr std::chrono::milliseconds kPreflightShortest{5000}, kPreflightLongest{60000};
// Empty when usable, else why not ("pre-flight duration 2 s: use 5 to 60 s").
std::string check_preflight_duration(std::chrono::milliseconds duration);
// The most a pre-flight may send: 1.5 times the sender profile's rate (never a flood of a hospital link).
std::uint64_t preflight_rate_cap(std::uint32_t profile_kbps);

// RFC 3550 §6.4.1: J += (|D| - J) / 16 over the transit times of consecutive packets. `sent` is on the far
// end's clock, `arrived` on ours: the clocks' offset cancels. Plain value type.
class InterarrivalJitter {
 public:
  void add(core::CaptureTime sent, core::CaptureTime arrived);
  double ms() const { return jitter_ns_ / 1e6; }

 private:
  std::optional<std::chrono::nanoseconds> last_transit_;
  double jitter_ns_ = 0;
};

// What a pre-flight measured. Plain value type. Shares are 0..1; rates are on the wire (IP packets).
struct PreflightFigures {
  double rtt_p50_ms = 0, rtt_p95_ms = 0;  // idle link (before the ramp)
  std::uint64_t rtt_samples = 0;
  double jitter_to_mentor_ms = 0, jitter_to_or_ms = 0;
  double loss_to_mentor = 0, loss_to_or = 0;
  std::uint64_t achievable_bps = 0;  // what the highest clean step of the ramp delivered
  bool rate_capped = false;          // the ramp reached its cap cleanly: the link may carry more
  // "loss", "queueing", "cap", "time" (the ramp ended first), "held" (the sender stopped it: a case started)
  std::string rate_limited_by;
  double queueing_ms = 0;  // added one-way delay at the first step that failed (0: none failed)
  std::uint32_t steps_clean = 0, steps_sent = 0;
};

// The highest video profile the link carries, in plain words. Plain value type.
struct LinkVerdict {
  std::string profile;   // "1080p30", "720p30", "720p15", "540p15" or "none"
  std::string sentence;  // "This link carries 720p30 (…)" / "Not enough for video: …"
};
// A console's link as the same person's pre-flight measured it, taken for its link from the join until its
// first report (issue 15): the joining keyframe is then paced at what the link carries instead of as on a
// wide link, so retransmissions of the first second do not queue behind it in the link's buffer. Plain value
// type.
struct LinkPrior {
  std::uint64_t bps = 0;
  double loss = 0;
  // A case starts within the hour after its pre-flight; an older one may describe another link (a shift
  // later, another LTE cell load).
  static constexpr std::chrono::minutes kTrustedFor{60};
};
// The profiles from the top down, each with the video rate it needs on a clean link (kbit/s).
struct VerdictStep {
  const char* name;
  std::uint32_t kbps;
};
const std::vector<VerdictStep>& verdict_steps();
// What a profile needs on this link: its video rate, plus parity as the sender adds it for this loss, plus
// voice, vitals and annotations (150 kbit/s), in bit/s.
std::uint64_t preflight_need_bps(std::uint32_t video_kbps, double loss);
// `top`: the sender's profile name ("1080p30"); the verdict names nothing above it.
LinkVerdict judge_link(const PreflightFigures& figures, const std::string& top);
// One line of figures: "rtt 50.2/53.1 ms, jitter 1.2/0.9 ms, loss 0.5/0.4 %, rate ≥ 9.0 Mbit/s".
std::string describe(const PreflightFigures& figures);

// The console's estimator: fed every probe it sends and receives, it keeps the figures and decides when the
// ramp has gone far enough. Plain value type; one thread.
class PreflightEstimator {
 public:
  explicit PreflightEstimator(PreflightPlan plan);
  void on_ping_sent() { ++pings_sent_; }
  // An echo of one of our pings (`arrived` on our clock; the echo's times as it carries them).
  void on_echo(const ProbePacket& echo, core::CaptureTime arrived, std::size_t wire_bytes);
  // One ramp packet (`wire_bytes`: its IP size).
  void on_ramp(const ProbePacket& ramp, core::CaptureTime arrived, std::size_t wire_bytes);
  // True once a step failed or the cap step was judged: the console asks the sender to stop.
  bool ramp_done() const { return done_; }
  // Judges what is still open (the ramp's last steps) and returns the figures.
  PreflightFigures finish();

 private:
  struct Step {
    std::uint32_t expected = 0, received = 0;
    std::uint64_t bytes = 0;
    std::vector<std::int64_t> late_transits;  // ns, packets in the step's second half
    bool judged = false;
  };
  void judge(std::uint32_t k);
  double idle_loss_to_mentor() const;

  PreflightPlan plan_;
  std::uint64_t pings_sent_ = 0;
  std::vector<double> rtt_ms_;
  std::vector<std::int64_t> idle_transits_;  // echo one-way transits before the ramp (ns, offset included)
  InterarrivalJitter to_mentor_;
  std::uint32_t echoes_ = 0, idle_echoes_ = 0, far_pings_received_ = 0, far_highest_ping_ = 0;
  std::uint32_t idle_pings_at_far_ = 0;              // pings the sender had received by the last idle echo
  std::uint64_t ramp_expected_ = 0, ramp_lost_ = 0;  // packets of the clean steps
  double far_jitter_ms_ = 0;
  bool ramp_seen_ = false, done_ = false, held_ = false;
  std::vector<Step> steps_;
  std::uint64_t achievable_bps_ = 0;
  std::uint32_t clean_ = 0;
  std::optional<std::uint32_t> failed_;
  std::string limited_by_;
  double queueing_ms_ = 0;
};

}  // namespace surgilink::session
