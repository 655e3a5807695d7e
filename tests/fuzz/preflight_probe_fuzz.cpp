// libFuzzer target: the pre-flight's probe payload (session/preflight.hpp), as the other end of a granted
// pre-flight (or a bug in one) might send it, and the console's estimator fed with what parses. A payload
// that parses writes back to the same 52 bytes; the estimator and the verdict stay finite and name a known
// profile whatever the probes claim.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "surgilink/session/preflight.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace surgilink;
  using namespace surgilink::session;
  PreflightPlan plan;
  PreflightEstimator estimator(plan);
  const core::CaptureTime start = core::from_ntp64(0xe8a1b2c3d4e5f607ULL);
  std::span<const std::uint8_t> rest(data, size);
  std::size_t n = 0;
  while (rest.size() >= kProbeHeaderSize) {
    const auto payload = rest.first(kProbeHeaderSize);
    rest = rest.subspan(kProbeHeaderSize);
    auto probe = parse_probe(payload);
    if (!probe) continue;
    std::vector<std::uint8_t> wire(kProbeHeaderSize);
    write_probe(wire, probe.value());
    SURGILINK_FUZZ_CHECK(std::equal(wire.begin(), wire.end(), payload.begin()));
    const auto arrived = start + std::chrono::milliseconds{10} * static_cast<long>(n++);
    if (probe.value().kind == ProbePacket::Kind::kEcho) estimator.on_echo(probe.value(), arrived, 64);
    if (probe.value().kind == ProbePacket::Kind::kRamp) estimator.on_ramp(probe.value(), arrived, 1228);
  }
  const PreflightFigures f = estimator.finish();
  for (const double v : {f.rtt_p50_ms, f.rtt_p95_ms, f.jitter_to_mentor_ms, f.jitter_to_or_ms,
                         f.loss_to_mentor, f.loss_to_or, f.queueing_ms})
    SURGILINK_FUZZ_CHECK(std::isfinite(v));
  SURGILINK_FUZZ_CHECK(f.loss_to_mentor >= 0 && f.loss_to_mentor <= 1 && f.loss_to_or >= 0 &&
                       f.loss_to_or <= 1);
  const LinkVerdict verdict = judge_link(f, "1080p30");
  bool known = verdict.profile == "none";
  for (const auto& step : verdict_steps()) known = known || verdict.profile == step.name;
  SURGILINK_FUZZ_CHECK(known);
  return 0;
}
