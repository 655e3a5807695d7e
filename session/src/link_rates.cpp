#include "surgilink/session/link_rates.hpp"

#include <algorithm>

namespace surgilink::session {

using std::chrono::milliseconds;

void LinkRates::note(core::CaptureTime now, const LinkTotals& totals) {
  latest_ = Sample{now, totals};
  if (!samples_.empty() && now - samples_.back().at < milliseconds{100}) return;
  samples_.push_back({now, totals});
  // Keep the newest sample that is at least 2 s old, and everything after it.
  while (samples_.size() > 2 && now - samples_[1].at >= std::chrono::seconds{2}) samples_.pop_front();
}

LinkRateFigures LinkRates::rates(core::CaptureTime now, const LinkTotals& current) const {
  if (samples_.empty()) return {};
  const Sample* from = &samples_.front();
  for (const auto& s : samples_) {
    if (now - s.at >= std::chrono::seconds{1}) from = &s;
  }
  // Nothing noted for a second or more (a dead link): the last note is the start of an idle second.
  if (latest_ && now - latest_->at >= std::chrono::seconds{1}) from = &*latest_;
  const double seconds = std::max(1e-3, std::chrono::duration<double>(now - from->at).count());
  LinkRateFigures r;
  r.fps = static_cast<double>(current.frames - from->totals.frames) / seconds;
  r.bitrate_kbps = static_cast<double>(current.bytes - from->totals.bytes) * 8 / 1000 / seconds;
  const auto packets = current.packets - from->totals.packets;
  const auto lost = current.lost - from->totals.lost;
  r.loss_pct =
      packets + lost == 0 ? 0 : 100.0 * static_cast<double>(lost) / static_cast<double>(packets + lost);
  return r;
}

}  // namespace surgilink::session
