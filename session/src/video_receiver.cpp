#include "video_receiver.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/post.hpp>

#include "surgilink/session/preflight.hpp"

namespace surgilink::session {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

namespace {
constexpr std::uint32_t kVideoClockRate = 90000;
constexpr std::size_t kCaptureTimesKept = 64;
}  // namespace

VideoReceiver::VideoReceiver(asio::io_context& io, const core::Clock& clock,
                             media::LatestFrameMailbox& mailbox, int payload_type, bool read_pixel_code,
                             std::chrono::milliseconds jitter_latency,
                             std::chrono::milliseconds playout_budget, FrameLatencyTracker& tracker,
                             core::FaultCounters& faults, Listener& listener)
    : io_(io),
      clock_(clock),
      tracker_(tracker),
      faults_(faults),
      listener_(listener),
      jitter_(jitter_latency, 2048),
      pipeline_(clock, *this, mailbox, payload_type, read_pixel_code),
      jitter_timer_(io),
      playout_(playout_budget, FrameLatencyTracker::kFrozenAfter),
      playout_timer_(io),
      payload_type_(payload_type),
      configured_wait_(jitter_latency) {}

void VideoReceiver::wait_for_retransmissions(nanoseconds round_trip) {
  round_trip_ = round_trip;
  rate_.set_round_trip(round_trip);
  follow_jitter();
}

void VideoReceiver::follow_jitter() {
  jitter_.set_latency(
      media::gap_wait(configured_wait_, retransmitted_, round_trip_, rate_.jitter_ms(), kGapWaitBudget));
  ask_again_after_ = retransmitted_ && round_trip_
                         ? media::ask_again_after(*round_trip_, rate_.jitter_ms(), jitter_.latency())
                         : std::nullopt;
}

VideoReceiver::~VideoReceiver() { stop(); }

void VideoReceiver::start() { pipeline_.start(); }

void VideoReceiver::stop() {
  if (stopped_) return;
  stopped_ = true;
  jitter_timer_.cancel();
  playout_timer_.cancel();
  pipeline_.stop();
}

void VideoReceiver::on_rtp(const media::RtpHeader& h, std::span<const std::uint8_t> packet,
                           core::CaptureTime arrival, std::size_t wire_bytes) {
  if (stopped_) return;
  // Only first transmissions say how the link carries the stream: a retransmission left late on purpose.
  rate_.on_packet(h.sequence, h.timestamp,
                  h.send_ntp ? std::optional(core::from_ntp64(*h.send_ntp)) : std::nullopt, arrival,
                  wire_bytes);
  // The link back from an outage: the picture's recovery starts here.
  if (rate_.ended_outage()) tracker_.on_link_disturbed(arrival);
  if (auto estimate = rate_.due(arrival)) listener_.on_rate_estimate(*estimate);
  if (h.send_ntp) follow_jitter();  // a frame's first packet: the jitter estimate moved
  take(h, packet, arrival, wire_bytes);
  rebuild(arrival);
}

void VideoReceiver::rebuild(core::CaptureTime arrival) {
  for (const auto& packet : fec_.recover(media_ssrc_)) {
    auto header = media::parse_rtp(packet);
    if (!header) {
      faults_.add(header.error());
      continue;
    }
    take(header.value(), packet, arrival, 0);
  }
}

void VideoReceiver::take(const media::RtpHeader& h, std::span<const std::uint8_t> packet,
                         core::CaptureTime arrival, std::size_t wire_bytes) {
  fec_.on_media(h, packet);
  ++packets_;
  bytes_ += wire_bytes;
  if (h.capture_ntp) {
    const auto captured = core::from_ntp64(*h.capture_ntp);
    capture_by_timestamp_.emplace_back(h.timestamp, captured);
    if (capture_by_timestamp_.size() > kCaptureTimesKept) capture_by_timestamp_.pop_front();
    tracker_.on_frame_start(captured,
                            h.send_ntp ? std::optional(core::from_ntp64(*h.send_ntp)) : std::nullopt);
  }
  media::ReceivedPacket received;
  received.index = unwrapper_.unwrap(h.sequence);
  received.rtp_timestamp = h.timestamp;
  received.marker = h.marker;
  received.starts_keyframe = media::starts_h264_keyframe(packet);
  received.arrival = arrival;
  // The decoder needs no header extension; keeping it is harmless, so the packet goes as received.
  received.bytes.assign(packet.begin(), packet.end());
  tracker_.on_packet(capture_of(h.timestamp), arrival);
  if (auto r = jitter_.insert(std::move(received)); !r) faults_.add(r.error());
  auto missing = jitter_.take_missing();
  if (!missing.empty()) tracker_.on_link_disturbed(arrival);  // a loss, found as the burst ended
  // A request or its answer lost (in the same burst as the packet): asked for once more while it can come.
  if (ask_again_after_) {
    const auto again = jitter_.take_unanswered(arrival, *ask_again_after_);
    missing.insert(missing.begin(), again.begin(), again.end());  // older: the NACK's order
  }
  if (!missing.empty()) {
    std::vector<std::uint16_t> sequences;
    sequences.reserve(missing.size());
    for (const auto index : missing) sequences.push_back(static_cast<std::uint16_t>(index));
    listener_.on_packets_missing(sequences);
  }
  release_ready();
}

void VideoReceiver::Repair::on_rtp(const media::RtpHeader& header, std::span<const std::uint8_t> packet,
                                   core::CaptureTime arrival, std::size_t wire_bytes) {
  auto& v = video_;
  if (v.stopped_ || v.media_ssrc_ == 0) return;
  if (kind_ == Kind::kProbe) {
    auto probe = parse_probe(packet.subspan(header.payload_offset, header.payload_size));
    if (!probe) {
      v.faults_.add(probe.error());
      return;
    }
    if (probe.value().kind != ProbePacket::Kind::kRamp) {
      v.faults_.add(core::Fault::kMalformed);
      return;
    }
    v.rate_.on_probe(probe.value().step, probe.value().step_packets, core::from_ntp64(probe.value().sent_ntp),
                     arrival, wire_bytes);
    if (auto estimate = v.rate_.due(arrival)) v.listener_.on_rate_estimate(*estimate);
    return;
  }
  v.rate_.on_repair_bytes(arrival, wire_bytes);
  if (kind_ == Kind::kParity) {
    if (auto r = v.fec_.on_parity(packet.subspan(header.payload_offset, header.payload_size)); !r) {
      v.faults_.add(r.error());
      return;
    }
    v.rebuild(arrival);
    return;
  }
  ++v.retransmissions_received_;
  auto original =
      media::unwrap_rtx(packet, header, v.media_ssrc_, static_cast<std::uint8_t>(v.payload_type_));
  if (!original) {
    v.faults_.add(original.error());
    return;
  }
  auto restored = media::parse_rtp(original.value());
  if (!restored) {
    v.faults_.add(restored.error());
    return;
  }
  const auto before = v.jitter_.stats();
  v.take(restored.value(), original.value(), arrival, wire_bytes);
  v.rebuild(arrival);  // it may complete a block whose other gap the parity fills
  // In time: the jitter buffer still waited for it (a late one is counted as late there).
  const auto& after = v.jitter_.stats();
  if (after.late == before.late) ++v.retransmissions_in_time_;
  spdlog::debug("video: retransmission of #{} arrived{}", restored.value().sequence,
                after.late != before.late               ? ": late"
                : after.duplicates != before.duplicates ? ": the parity had rebuilt it"
                                                        : "");
}

core::CaptureTime VideoReceiver::capture_of(std::uint32_t rtp_timestamp) const {
  for (auto it = capture_by_timestamp_.rbegin(); it != capture_by_timestamp_.rend(); ++it) {
    if (it->first == rtp_timestamp) return it->second;
  }
  if (capture_by_timestamp_.empty()) return {};
  // First packet lost: estimate from the newest known frame and the RTP clock.
  const auto& [ts, captured] = capture_by_timestamp_.back();
  const auto delta = static_cast<std::int32_t>(rtp_timestamp - ts);
  return captured + nanoseconds{static_cast<std::int64_t>(delta) * 1'000'000'000 / kVideoClockRate};
}

void VideoReceiver::release_ready() {
  const core::CaptureTime now = clock_.now();
  released_.clear();
  jitter_.release(now, released_);
  for (auto& packet : released_) {
    const core::CaptureTime captured = capture_of(packet.rtp_timestamp);
    if (captured.time_since_epoch().count() == 0) continue;  // before any capture time was known
    // A frame is complete with its last packet; that one waits for the playout, and the frames behind it
    // with it. The packets before it may go on: the decoder cannot show the frame without its last.
    const core::CaptureTime due = packet.marker ? playout_.due(captured, now) : now;
    held_.push_back({std::move(packet), captured, due});
  }
  play_due();
  if (const auto deadline = jitter_.next_deadline()) {
    jitter_timer_.expires_after(std::max(nanoseconds{0}, *deadline - now));
    jitter_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      if (auto self = weak.lock(); self && !ec && !self->stopped_) self->release_ready();
    });
  }
}

void VideoReceiver::play_due() {
  const core::CaptureTime now = clock_.now();
  while (!held_.empty() && held_.front().due <= now) {
    const Held& h = held_.front();
    pipeline_.push_rtp(h.packet.bytes, h.captured);
    if (tracker_.on_released(h.captured, now, h.packet.frame_damaged, h.packet.starts_keyframe)) {
      // Debug: what the jitter buffer had given up by then, to explain a run's damaged pictures.
      const auto& s = jitter_.stats();
      spdlog::debug(
          "picture damaged: lost {} late {} overflows {} skipped to keyframe {} (gap wait {:.0f} ms)", s.lost,
          s.late, s.overflows, s.skipped_to_keyframe, core::to_ms(jitter_.latency()));
      listener_.on_picture_damaged(now);
    } else if (h.packet.marker && (tracker_.awaiting_keyframe() || tracker_.first_picture_overdue(now))) {
      // A frame after the damage and no whole keyframe yet: the keyframe asked for was refused or lost. Or
      // no picture at all yet: the joining keyframe was lost from its start.
      listener_.on_picture_still_broken(now);
    }
    held_.pop_front();
  }
  if (held_.empty()) return;
  playout_timer_.expires_after(std::max(nanoseconds{0}, held_.front().due - now));
  playout_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (auto self = weak.lock(); self && !ec && !self->stopped_) self->play_due();
  });
}

void VideoReceiver::on_frame_decoded(const media::DecodedFrameInfo& info) {
  asio::post(io_, [weak = weak_from_this(), info] {
    if (auto self = weak.lock(); self && !self->stopped_) self->listener_.on_frame_decoded(info);
  });
}

void VideoReceiver::on_pipeline_problem(std::string text, bool fatal) {
  asio::post(io_, [text = std::move(text), fatal] {
    if (fatal) {
      spdlog::error("decoder: {}", text);
    } else {
      spdlog::debug("decoder: {}", text);
    }
  });
}

}  // namespace surgilink::session
