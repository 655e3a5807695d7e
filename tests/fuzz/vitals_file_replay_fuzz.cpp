// libFuzzer target: replaying a recorded vitals file (vitals/vitals_file_replay.hpp), the `file:PATH`
// source an OR team points the sender at. Input: one byte (bit 0: JSON lines instead of CSV; bit 1: play
// once instead of looping; the rest: where the time line is cut), then the file. Reading either succeeds or
// throws core::ConfigError; a replay has samples and a positive period, produces samples in time order
// within the span asked for, and the same samples however the time line is cut into spans.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "fuzz_support.hpp"
#include "surgilink/core/config.hpp"
#include "surgilink/vitals/vitals_file_replay.hpp"

namespace {

using surgilink::core::CaptureTime;
using surgilink::vitals::NumericSample;
using surgilink::vitals::VitalsFileReplay;

// Enough to cover several passes without asking a pathological file for millions of samples.
constexpr std::size_t kMaxSamples = 20'000;

std::optional<VitalsFileReplay> open(const std::filesystem::path& file, CaptureTime start, bool loop) {
  try {
    return VitalsFileReplay(file, start, loop);
  } catch (const surgilink::core::ConfigError& e) {
    SURGILINK_FUZZ_CHECK(std::string(e.what()).starts_with(file.string()));
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const surgilink::fuzz::ScratchFile scratch;
  surgilink::fuzz::FuzzInput input(data, size);
  const std::uint8_t mode = input.byte();
  const bool json = (mode & 1) != 0;
  const bool loop = (mode & 2) == 0;
  const auto file =
      scratch.write(json ? "vitals.jsonl" : "vitals.csv", surgilink::fuzz::text_of(input.rest()));

  const CaptureTime start = CaptureTime{} + std::chrono::hours(1);
  auto whole = open(file, start, loop);
  if (!whole) return 0;
  SURGILINK_FUZZ_CHECK(whole->samples_per_pass() > 0);
  SURGILINK_FUZZ_CHECK(whole->period() > CaptureTime::duration::zero());

  // From a second before the start over up to three passes (at most 10 s, at most kMaxSamples samples).
  const auto period = whole->period();
  std::int64_t passes = std::clamp<std::int64_t>(std::chrono::seconds(10) / period, 1, 3);
  passes = std::min<std::int64_t>(passes, kMaxSamples / whole->samples_per_pass());
  if (passes == 0) return 0;
  const CaptureTime from = start - std::chrono::seconds(1);
  const CaptureTime to = start + period * passes;
  const CaptureTime cut = from + (to - from) * (mode >> 2) / 63;

  const std::vector<NumericSample> at_once = whole->due(from, to);
  auto pieces = open(file, start, loop);
  SURGILINK_FUZZ_CHECK(pieces.has_value());
  std::vector<NumericSample> in_two = pieces->due(from, cut);
  const std::vector<NumericSample> second = pieces->due(cut, to);
  in_two.insert(in_two.end(), second.begin(), second.end());
  SURGILINK_FUZZ_CHECK(at_once == in_two);

  for (std::size_t i = 0; i < at_once.size(); ++i) {
    SURGILINK_FUZZ_CHECK(at_once[i].captured >= start && at_once[i].captured < to);
    if (i > 0) SURGILINK_FUZZ_CHECK(at_once[i - 1].captured <= at_once[i].captured);
  }
  if (!loop) SURGILINK_FUZZ_CHECK(at_once.size() <= whole->samples_per_pass());
  return 0;
}
