#include "surgilink/media/receive_rate_estimator.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace surgilink::media {

namespace {

using std::chrono::nanoseconds;

constexpr std::size_t kTrendWindow = 20;  // frames in the trend line (~0.7 s at 30 fps)
constexpr double kSmoothing = 0.9;        // of the accumulated delay
constexpr double kTrendGain = 4.0;
constexpr double kOverusingMs = 10;  // a trend over the threshold this long (and rising) is overuse
constexpr double kThresholdUp = 0.0087, kThresholdDown = 0.039;
constexpr double kBeta = 0.85;  // a decrease goes to this share of what arrived
constexpr auto kRateWindow = std::chrono::seconds{1};
constexpr auto kLossWindow = std::chrono::seconds{1};
constexpr double kPacketBits = 1200 * 8;
constexpr double kHoldAboveLoss = 0.05;
constexpr auto kOutage = std::chrono::milliseconds{500};
constexpr double kDelayFloorWindowMs = 10'000;
constexpr int kDeepQueueFrames = 2;  // frames in a row: one late frame is jitter, not a queue
constexpr auto kBreakWindow = std::chrono::milliseconds{100};
// A probe cluster that arrives at 80 % or more of the rate it left at met no queue that mattered: the link
// carried most of it with the video (and what the estimate takes is what arrived). On a full link a probe
// at the video's rate arrives at about half its rate; a few packets' timing wanders by a millisecond or two,
// which a 95 % bar took for a queue. Judged once the last has come, or when none has come for
// kProbeJudgeAfter.
constexpr double kProbeArrivedShare = 0.8;
constexpr auto kProbeJudgeAfter = std::chrono::milliseconds{100};
constexpr double kProbeShare = 0.9;                   // the estimate takes this share of what a probe showed
constexpr auto kProbeKept = std::chrono::seconds{3};  // … and may stay above 1.5 x incoming this long

double ms(nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

}  // namespace

const char* describe(LinkUsage usage) {
  switch (usage) {
    case LinkUsage::kNormal:
      return "normal";
    case LinkUsage::kOverusing:
      return "overusing";
    case LinkUsage::kUnderusing:
      return "underusing";
  }
  return "?";
}

ReceiveRateEstimator::ReceiveRateEstimator(Settings settings) : settings_(settings) {}

void ReceiveRateEstimator::on_packet(std::uint16_t sequence, std::uint32_t rtp_timestamp,
                                     std::optional<core::CaptureTime> send_time, core::CaptureTime arrival,
                                     std::size_t bytes) {
  // Sequence numbers extended across the 16-bit wrap, for the loss of each window.
  std::int64_t extended = sequence;
  if (last_sequence_) {
    extended =
        *last_sequence_ + static_cast<std::int16_t>(static_cast<std::uint16_t>(sequence - *last_sequence_));
  }
  last_sequence_ = std::max(last_sequence_.value_or(extended), extended);
  // After an outage (nothing arrived for half a second) the windows start again: the packets lost in the
  // dark say nothing about what the link carries now, and the rate before it is kept.
  ended_outage_ = last_arrival_ && arrival - *last_arrival_ > kOutage;
  if (ended_outage_) {
    window_started_.reset();
    arrivals_.clear();
    window_bytes_ = 0;
    first_arrival_ = arrival;
    last_frame_.reset();
  }
  last_arrival_ = arrival;
  if (!window_started_) {
    window_started_ = arrival;
    window_first_sequence_ = extended;
    window_received_ = 0;
  }
  ++window_received_;
  note_loss_window(arrival);

  arrivals_.emplace_back(arrival, bytes);
  window_bytes_ += bytes;
  while (!arrivals_.empty() && arrival - arrivals_.front().first > kRateWindow) {
    window_bytes_ -= arrivals_.front().second;
    arrivals_.pop_front();
  }
  if (!first_arrival_) first_arrival_ = arrival;

  // The delay gradient is taken between the first packets of frames, the ones that carry the send time:
  // each waited behind whatever queue the frames before it built, and a paced frame's later packets left
  // later on purpose. A frame older than the newest one seen is counted for the rate and the loss only.
  if (!send_time) return;
  if (last_frame_ && static_cast<std::int32_t>(rtp_timestamp - last_frame_->timestamp) <= 0) return;
  frame_sent(Frame{rtp_timestamp, *send_time, arrival});
}

void ReceiveRateEstimator::on_repair_bytes(core::CaptureTime arrival, std::size_t bytes) {
  arrivals_.emplace_back(arrival, bytes);
  window_bytes_ += bytes;
}

void ReceiveRateEstimator::on_probe(std::uint32_t cluster, std::uint32_t packets, core::CaptureTime send_time,
                                    core::CaptureTime arrival, std::size_t bytes) {
  arrivals_.emplace_back(arrival, bytes);
  window_bytes_ += bytes;
  if (probe_ && probe_->id != cluster) judge_probe(arrival);
  if (!probe_) {
    if (last_probe_id_ == cluster) return;  // a late packet of a cluster already judged
    probe_ = ProbeCluster{cluster, packets, 0, 0, send_time, send_time, arrival, arrival};
    last_probe_id_ = cluster;
  }
  ProbeCluster& p = *probe_;
  ++p.received;
  p.bytes += bytes;
  p.first_send = std::min(p.first_send, send_time);
  p.last_send = std::max(p.last_send, send_time);
  p.first_arrival = std::min(p.first_arrival, arrival);
  p.last_arrival = std::max(p.last_arrival, arrival);
  if (p.received >= p.expected) judge_probe(arrival);
}

void ReceiveRateEstimator::judge_probe(core::CaptureTime now) {
  const ProbeCluster p = *probe_;
  probe_.reset();
  // Packets lost, or too few to time: the link did not carry the cluster whole.
  if (p.expected < 3 || p.received < std::max<std::uint32_t>(3, p.expected * 8 / 10) ||
      p.last_send <= p.first_send) {
    ++probes_failed_;
    return;
  }
  // Rates over the intervals between the packets: n packets are n - 1 intervals.
  const double interval_bits =
      static_cast<double>(p.bytes) * 8 * (p.received - 1) / static_cast<double>(p.received);
  const double sent_bps = interval_bits / std::chrono::duration<double>(p.last_send - p.first_send).count();
  const double arrival_s = std::chrono::duration<double>(p.last_arrival - p.first_arrival).count();
  const double arrived_bps = arrival_s > 0 ? interval_bits / arrival_s : sent_bps;
  if (arrived_bps < kProbeArrivedShare * sent_bps) {
    ++probes_failed_;  // a queue spread it out: the link is full
    return;
  }
  ++probes_succeeded_;
  // The link carried the probe on top of the video.
  const double carried = static_cast<double>(incoming_bps_) + std::min(sent_bps, arrived_bps);
  probed_bps_ = carried;
  probed_at_ = now;
  if (estimate_ && kProbeShare * carried > static_cast<double>(*estimate_)) {
    estimate_ =
        std::clamp(static_cast<std::uint64_t>(kProbeShare * carried), settings_.min_bps, settings_.max_bps);
    average_max_kbps_.reset();  // the rate that last congested the link is not its limit any more
    control_ = Control::kIncrease;
    probe_raised_ = true;
  }
}

void ReceiveRateEstimator::frame_sent(const Frame& frame) {
  if (last_frame_) {
    const double send_delta = ms(frame.send - last_frame_->send);
    const double arrival_delta = ms(frame.arrival - last_frame_->arrival);
    if (send_delta > 1000 || arrival_delta > 1000 || send_delta < 0) {
      // The stream paused (an outage, a sender restart): what was queued before says nothing now.
      accumulated_ms_ = smoothed_ms_ = 0;
      trend_.clear();
      delay_floor_.clear();
      deep_queue_frames_ = 0;
      queue_break_ = false;
      deltas_ = 0;
      overusing_since_ms_.reset();
    } else {
      const double delta_ms = arrival_delta - send_delta;
      jitter_ms_ += (std::abs(delta_ms) - jitter_ms_) / 16;
      detect(ms(frame.arrival - *first_arrival_), delta_ms);
    }
  }
  last_frame_ = frame;
}

void ReceiveRateEstimator::detect(double arrival_ms, double delta_ms) {
  ++deltas_;
  accumulated_ms_ += delta_ms;
  smoothed_ms_ = kSmoothing * smoothed_ms_ + (1 - kSmoothing) * accumulated_ms_;
  while (!delay_floor_.empty() && delay_floor_.back().second >= accumulated_ms_) delay_floor_.pop_back();
  delay_floor_.emplace_back(arrival_ms, accumulated_ms_);
  while (delay_floor_.front().first < arrival_ms - kDelayFloorWindowMs) delay_floor_.pop_front();
  queueing_ms_ = accumulated_ms_ - delay_floor_.front().second;
  deep_queue_frames_ = queueing_ms_ > kQueueBreakMs ? deep_queue_frames_ + 1 : 0;
  if (deep_queue_frames_ >= kDeepQueueFrames) queue_break_ = true;
  trend_.emplace_back(arrival_ms, smoothed_ms_);
  if (trend_.size() > kTrendWindow) trend_.pop_front();
  const double since_last = std::max(0.0, arrival_ms - last_detect_ms_);
  last_detect_ms_ = arrival_ms;
  if (trend_.size() < kTrendWindow) return;

  // The slope of the smoothed delay over arrival time, least squares: > 0 while a queue grows.
  double mean_x = 0, mean_y = 0;
  for (const auto& [x, y] : trend_) {
    mean_x += x;
    mean_y += y;
  }
  mean_x /= static_cast<double>(trend_.size());
  mean_y /= static_cast<double>(trend_.size());
  double numerator = 0, denominator = 0;
  for (const auto& [x, y] : trend_) {
    numerator += (x - mean_x) * (y - mean_y);
    denominator += (x - mean_x) * (x - mean_x);
  }
  const double slope = denominator > 0 ? numerator / denominator : 0;
  const double trend = static_cast<double>(std::min<std::uint64_t>(deltas_, 60)) * slope * kTrendGain;

  const LinkUsage before = usage_;
  if (trend > threshold_) {
    overusing_since_ms_ = overusing_since_ms_ ? *overusing_since_ms_ + since_last : since_last / 2;
    ++overuse_count_;
    if (*overusing_since_ms_ > kOverusingMs && overuse_count_ > 1 && trend >= previous_trend_) {
      usage_ = LinkUsage::kOverusing;
      overusing_since_ms_ = 0.0;
      overuse_count_ = 0;
    }
  } else if (trend < -threshold_) {
    overusing_since_ms_.reset();
    overuse_count_ = 0;
    usage_ = LinkUsage::kUnderusing;
  } else {
    overusing_since_ms_.reset();
    overuse_count_ = 0;
    usage_ = LinkUsage::kNormal;
  }
  if (usage_ != before || usage_ == LinkUsage::kOverusing) usage_signalled_ = true;
  previous_trend_ = trend;

  // The threshold follows the trend slowly (faster down than up), so that a competing flow's delay does
  // not starve this one, and ignores a single spike far above it.
  const double magnitude = std::abs(trend);
  if (magnitude <= threshold_ + 15) {
    const double k = magnitude < threshold_ ? kThresholdDown : kThresholdUp;
    threshold_ += k * (magnitude - threshold_) * std::min(since_last, 100.0);
    threshold_ = std::clamp(threshold_, 6.0, 600.0);
  }
}

double ReceiveRateEstimator::run_loss_fraction() const {
  return run_expected_ > 0 ? 1.0 - static_cast<double>(run_received_) / static_cast<double>(run_expected_)
                           : 0.0;
}

void ReceiveRateEstimator::note_loss_window(core::CaptureTime now) {
  if (!window_started_ || now - *window_started_ < kLossWindow) return;
  const std::int64_t expected = *last_sequence_ - window_first_sequence_ + 1;
  loss_fraction_ =
      expected > 0
          ? std::max(0.0, 1.0 - static_cast<double>(window_received_) / static_cast<double>(expected))
          : 0.0;
  if (expected > 0) {
    run_expected_ += static_cast<std::uint64_t>(expected);
    // A duplicate (a retransmission of a packet that came after all) must not count as a negative loss.
    run_received_ += std::min<std::uint64_t>(window_received_, static_cast<std::uint64_t>(expected));
  }
  // Heavy loss is congestion too, or a link that cannot carry this rate at all: lower at once.
  if (loss_fraction_ > 0.10 && estimate_ && incoming_bps_ > 0 && may_decrease(now)) {
    const auto lowered =
        static_cast<std::uint64_t>(static_cast<double>(incoming_bps_) * (1 - 0.5 * loss_fraction_));
    estimate_ = std::clamp(std::min(*estimate_, lowered), settings_.min_bps, settings_.max_bps);
    ++decreases_;
    last_decrease_ = now;
    control_ = Control::kHold;
  }
  window_started_ = now;
  window_first_sequence_ = *last_sequence_ + 1;
  window_received_ = 0;
}

void ReceiveRateEstimator::update_rate(core::CaptureTime now) {
  if (!first_arrival_ || now - *first_arrival_ < kRateWindow) return;
  incoming_bps_ = static_cast<std::uint64_t>(static_cast<double>(window_bytes_) * 8 /
                                             std::chrono::duration<double>(kRateWindow).count());
  if (!estimate_) {
    estimate_ = std::clamp(incoming_bps_, settings_.min_bps, settings_.max_bps);
    last_update_ = now;
    return;
  }
  const double dt =
      std::clamp(std::chrono::duration<double>(now - last_update_.value_or(now)).count(), 0.0, 1.0);
  last_update_ = now;

  if (queue_break_) {
    // The link delivers what it can and queues the rest: what it delivered over the last 100 ms is its
    // capacity now, where the last second still remembers the rate before the collapse. A measured rate,
    // not a signal to back off from: it may follow a decrease the trend made on the same queue.
    const double delivered =
        std::min(static_cast<double>(incoming_bps_), recent_incoming_bps(now, kBreakWindow));
    const double lowered = kBeta * delivered;
    if (may_decrease(now) || lowered < 0.9 * static_cast<double>(*estimate_)) {
      queue_break_ = false;
      deep_queue_frames_ = 0;
      estimate_ = std::clamp(std::min(*estimate_, static_cast<std::uint64_t>(lowered)), settings_.min_bps,
                             settings_.max_bps);
      average_max_kbps_ = delivered / 1000;
      ++decreases_;
      last_decrease_ = now;
      usage_signalled_ = false;
      control_ = Control::kHold;
      return;
    }
  }
  queue_break_ = false;  // the estimate is already under what the link delivers: the queue drains

  if (usage_signalled_) {
    usage_signalled_ = false;
    switch (usage_) {
      case LinkUsage::kOverusing:
        control_ = Control::kDecrease;
        break;
      case LinkUsage::kUnderusing:
        control_ = Control::kHold;  // queues are draining: let them, then go on
        break;
      case LinkUsage::kNormal:
        if (control_ == Control::kHold) control_ = Control::kIncrease;
        break;
    }
  } else if (usage_ == LinkUsage::kNormal && control_ == Control::kHold) {
    control_ = Control::kIncrease;
  }

  double estimate = static_cast<double>(*estimate_);
  const double incoming_kbps = static_cast<double>(incoming_bps_) / 1000;
  const double max_deviation =
      average_max_kbps_ ? std::sqrt(max_variance_ * *average_max_kbps_) : 0;  // kbit/s
  switch (control_) {
    case Control::kHold:
      break;
    case Control::kIncrease: {
      // Some loss: hold the rate. GCC holds from 2 %; here from 5 %, because radio and DSL links lose a few
      // percent at any rate (the rural profile's 2 %), which retransmission repairs, and holding there
      // pinned the rate at a third of such a link.
      if (loss_fraction_ > kHoldAboveLoss) break;
      // The rate that last congested the link is forgotten when the link carries more than it (GCC): after
      // a probe found room, or as the additive increase passes it. "More" is beyond three deviations and
      // beyond 15 %: a second's incoming rate varies by about 10 % with a keyframe every 2 s (rural-eA1:
      // 4.1-5.0 Mbit/s at a steady 4.6), which alone made it forget the limit and climb past the link.
      if (average_max_kbps_ &&
          incoming_kbps > *average_max_kbps_ + std::max(3 * max_deviation, 0.15 * *average_max_kbps_))
        average_max_kbps_.reset();
      if (average_max_kbps_) {
        // Near the rate that last congested the link: about one packet more per response time.
        const double response_s = 0.1 + std::chrono::duration<double>(round_trip_).count();
        const double frame_bits = estimate / 30;
        const double packet_bits = frame_bits / std::max(1.0, std::ceil(frame_bits / kPacketBits));
        estimate += std::max(1000.0, packet_bits / response_s) * dt;
      } else {
        // Far from it: 8 % a second (GCC). A link whose capacity came back (RFC 8867's steps) is found by
        // the sender's probes. (20 % a second after 3 s without congestion, in their place before, let
        // the estimate run past a narrow rural link whenever a second happened to lose under 1 %: the
        // queue it built overflowed before it was seen.)
        // The floor is 1 kbit/s a second, not per update: the estimate is updated at every packet, and
        // 1 kbit/s per update made the climb 11-16 % a second, faster the more packets arrived.
        estimate += std::max(1000.0 * dt, estimate * (std::pow(1.08, dt) - 1));
      }
      // Not raised far above what actually arrives: the sender may be sending less than it may. A recent
      // probe showed the link carries more, whatever the video sends. The cap stops an increase and never
      // lowers the estimate (GCC): an encoder that undershoots its target (x264 with a 100-ms rate buffer
      // sent 80-85 % of it) otherwise dragged the estimate down a step per report with nothing queued.
      double cap = 1.5 * static_cast<double>(incoming_bps_) + 10'000;
      if (probed_bps_ && probed_at_ && now - *probed_at_ < kProbeKept)
        cap = std::max(cap, kProbeShare * *probed_bps_);
      if (estimate > cap) estimate = std::max(static_cast<double>(*estimate_), cap);
      break;
    }
    case Control::kDecrease: {
      // At most one decrease per response time: the queue the last one drains takes that long to show,
      // and a second decrease on the same signal would cut the rate far below the link's.
      if (!may_decrease(now)) {
        control_ = Control::kHold;
        break;
      }
      last_decrease_ = now;
      estimate = std::min(estimate, kBeta * static_cast<double>(incoming_bps_));
      if (average_max_kbps_ && incoming_kbps < *average_max_kbps_ - 3 * max_deviation)
        average_max_kbps_.reset();
      // The rate the link saturated at, averaged over decreases, and how much it varies (libwebrtc's form).
      constexpr double kAlpha = 0.05;
      average_max_kbps_ =
          average_max_kbps_ ? (1 - kAlpha) * *average_max_kbps_ + kAlpha * incoming_kbps : incoming_kbps;
      const double norm = std::max(*average_max_kbps_, 1.0);
      max_variance_ = (1 - kAlpha) * max_variance_ + kAlpha * (*average_max_kbps_ - incoming_kbps) *
                                                         (*average_max_kbps_ - incoming_kbps) / norm;
      max_variance_ = std::clamp(max_variance_, 0.4, 2.5);
      ++decreases_;
      control_ = Control::kHold;
      break;
    }
  }
  estimate_ =
      std::clamp(static_cast<std::uint64_t>(std::max(0.0, estimate)), settings_.min_bps, settings_.max_bps);
}

double ReceiveRateEstimator::recent_incoming_bps(core::CaptureTime now,
                                                 std::chrono::nanoseconds window) const {
  std::size_t bytes = 0;
  for (auto it = arrivals_.rbegin(); it != arrivals_.rend() && now - it->first <= window; ++it) {
    if (it->first <= now) bytes += it->second;  // (a caller's clock may lag the arrivals' a little)
  }
  return static_cast<double>(bytes) * 8 / std::chrono::duration<double>(window).count();
}

bool ReceiveRateEstimator::may_decrease(core::CaptureTime now) const {
  const auto interval = std::max<std::chrono::nanoseconds>(std::chrono::milliseconds{300},
                                                           round_trip_ + std::chrono::milliseconds{100});
  return !last_decrease_ || now - *last_decrease_ >= interval;
}

std::optional<std::uint64_t> ReceiveRateEstimator::due(core::CaptureTime now) {
  if (probe_ && now - probe_->last_arrival > kProbeJudgeAfter) judge_probe(now);
  note_loss_window(now);
  update_rate(now);
  if (!estimate_) return std::nullopt;
  const bool dropped =
      last_sent_ && static_cast<double>(*estimate_) < 0.97 * static_cast<double>(*last_sent_);
  const bool probed = std::exchange(probe_raised_, false);
  if (last_sent_at_ && now - *last_sent_at_ < settings_.report_interval && !dropped && !probed)
    return std::nullopt;
  last_sent_ = estimate_;
  last_sent_at_ = now;
  return estimate_;
}

}  // namespace surgilink::media
