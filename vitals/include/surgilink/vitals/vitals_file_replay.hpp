#pragma once
// The `file:PATH` vitals source: a recorded numerics file (CSV or JSON lines) replayed at real speed on the
// capture clock. Like VitalsSimulator it produces exactly the samples of a requested time span (no threads,
// no sleeps): the caller decides what "now" is.
//
// File formats (canonical units unless a unit is given; lines starting with '#' are comments):
//   CSV         header "t,hr,spo2,temp[degF],etco2[kPa],..." then one row per instant; t = seconds since
//               the recording start (non-decreasing); an empty cell means no sample of that parameter there.
//   JSON lines  one object per line (.jsonl, .ndjson, .json): {"t": 1.0, "hr": 72, "spo2": null,
//               "etco2": {"value": 5.1, "unit": "kPa"}}; null (also as "value") means "not available";
//               an absent key means no sample.
// Column names and keys are the parameters' short names (vital_sign.hpp); units as UnitConversion knows them.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/vitals/numeric_sample.hpp"
#include "surgilink/vitals/vital_sign.hpp"

namespace surgilink::vitals {

// Replays a recorded vitals file, optionally looping. Not thread-safe: one thread. The constructor reads the
// whole file (blocking I/O), so build it at start-up, not on an io thread.
// Output depends only on the file, the start and the sample times, never on how the time line is cut into
// spans: due(a, c) == due(a, b) + due(b, c).
class VitalsFileReplay {
 public:
  // Reads and validates all of `file`; recording time 0 is `start` on the capture clock. Throws
  // core::ConfigError (a std::runtime_error) naming "file:line" and the problem for anything it cannot
  // replay exactly: unknown column or key, a value that is not a number, time going backwards, a unit that
  // does not fit the parameter, a value outside the parameter's plausible range, a file without samples.
  // An unreadable file or an unknown extension is named without a line.
  VitalsFileReplay(const std::filesystem::path& file, core::CaptureTime start, bool loop = true);

  // Every sample whose time (start + t, plus k * period() on the k-th repetition when looping) lies in
  // [from, to), in time order, then parameter order; captured = that time, source_time = nullopt. Spans move
  // forward only: the part of [from, to) before the end of the previous span is not produced again, and a
  // gap between spans is skipped. Without looping, nothing is due after the last row.
  std::vector<NumericSample> due(core::CaptureTime from, core::CaptureTime to);

  // Length of one pass: the last t plus the median spacing between rows with different t (1 s when the file
  // holds only one instant), so the first row of the next pass follows the last row as the rows follow one
  // another.
  core::CaptureTime::duration period() const { return period_; }
  // Samples (including "not available" ones) in one pass of the file.
  std::size_t samples_per_pass() const { return entries_.size(); }
  // End of everything produced so far (start before the first call).
  core::CaptureTime produced_until() const { return produced_until_; }
  bool loops() const { return loop_; }

 private:
  // One sample of the recording, its time relative to the recording start.
  struct Entry {
    core::CaptureTime::duration offset{};
    Parameter parameter = Parameter::kHr;
    std::optional<double> value;  // canonical unit; nullopt = not available
  };

  std::vector<Entry> entries_;  // sorted by offset, then parameter
  core::CaptureTime start_;
  core::CaptureTime::duration period_{};
  bool loop_;
  core::CaptureTime produced_until_;
};

}  // namespace surgilink::vitals
