#include "surgilink/vitals/vitals_playout.hpp"

#include <algorithm>

namespace surgilink::vitals {

namespace {
core::CaptureTime due_of(const NumericSample& s) { return s.captured; }
core::CaptureTime due_of(const WaveformChunk& c) {
  return c.samples.empty() ? c.first_sample : c.time_of(c.samples.size() - 1);
}
}  // namespace

void VitalsPlayout::push(const VitalsUpdate& update) {
  numerics_.insert(numerics_.end(), update.numerics.begin(), update.numerics.end());
  waveforms_.insert(waveforms_.end(), update.waveforms.begin(), update.waveforms.end());
}

VitalsUpdate VitalsPlayout::release(core::CaptureTime until) {
  VitalsUpdate out;
  // Over the bound: the oldest go now, whatever their time.
  while (held() > max_held_) {
    if (!numerics_.empty() &&
        (waveforms_.empty() || due_of(numerics_.front()) <= due_of(waveforms_.front()))) {
      out.numerics.push_back(numerics_.front());
      numerics_.pop_front();
    } else {
      out.waveforms.push_back(std::move(waveforms_.front()));
      waveforms_.pop_front();
    }
  }
  // Sources deliver in time order per stream, so the due ones are at the front; a late straggler behind a
  // newer one waits for it, which keeps the order the mentor sees.
  while (!numerics_.empty() && due_of(numerics_.front()) <= until) {
    out.numerics.push_back(numerics_.front());
    numerics_.pop_front();
  }
  while (!waveforms_.empty() && due_of(waveforms_.front()) <= until) {
    out.waveforms.push_back(std::move(waveforms_.front()));
    waveforms_.pop_front();
  }
  return out;
}

std::optional<core::CaptureTime> VitalsPlayout::next_due() const {
  std::optional<core::CaptureTime> due;
  if (!numerics_.empty()) due = due_of(numerics_.front());
  if (!waveforms_.empty()) {
    const auto w = due_of(waveforms_.front());
    if (!due || w < *due) due = w;
  }
  return due;
}

}  // namespace surgilink::vitals
