// The console's realtime streams: vitals (this part is their stream receiver) and decoded video. Part of
// ConsoleSession::Parts.
#include <spdlog/spdlog.h>

#include "console_parts.hpp"

namespace surgilink::session {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

void ConsoleSession::Parts::on_rtp(const media::RtpHeader& header, std::span<const std::uint8_t> packet,
                                   core::CaptureTime, std::size_t) {
  auto alarms = lip_sync.accept(packet.subspan(header.payload_offset, header.payload_size));
  if (!alarms) {
    faults.add(alarms.error());
    return;
  }
  // Alarms are never held back for lip sync: the mentor hears of an alarm as early as possible.
  if (alarms.value()) listener.on_vitals(*alarms.value());
  release_vitals();
}

void ConsoleSession::Parts::release_vitals() {
  const auto now = clock.now();
  const auto shown =
      lip_sync.release(now, clock_sync, tracker.smoothed_g2g(), admitted_at, tracker.in_report(now));
  if (!shown.numerics.empty() || !shown.waveforms.empty()) listener.on_vitals(shown);
  const auto due = lip_sync.next_release_at(clock_sync, tracker.smoothed_g2g());
  if (!due) return;
  vitals_timer.expires_after(std::max(nanoseconds{0}, *due - now));
  vitals_timer.async_wait([self = shared_from_this(), g = generation](boost::system::error_code ec) {
    if (ec || g != self->generation || self->state == ConnectionState::kStopped) return;
    self->release_vitals();
  });
}

void ConsoleSession::Parts::on_frame_decoded(const media::DecodedFrameInfo& info) {
  std::optional<core::CaptureTime> pixel;
  if (info.pixel_capture_us) pixel = core::CaptureTime{std::chrono::microseconds{*info.pixel_capture_us}};
  const bool first = !tracker.first_picture_at();
  tracker.on_decoded(info.capture_time, info.decoded_at, pixel, settings.read_pixel_code, clock_sync);
  if (first) spdlog::info("first picture {:.0f} ms after start", core::to_ms(info.decoded_at - started_at));
  rates.note(info.decoded_at, link_totals());
  listener.on_picture_ready();
}

void ConsoleSession::Parts::on_picture_damaged(core::CaptureTime now) {
  if (last_keyframe_request && now - *last_keyframe_request < milliseconds{300}) return;
  request_keyframe(now);
}

void ConsoleSession::Parts::on_picture_still_broken(core::CaptureTime now) {
  // The keyframe asked for has not come whole: the sender refused the request (it allows one a second per
  // console, [session] keyframe_interval_ms), or the keyframe was lost. Asked again at that pace.
  if (last_keyframe_request && now - *last_keyframe_request < kAskAgainWhileBroken) return;
  request_keyframe(now);
}

void ConsoleSession::Parts::request_keyframe(core::CaptureTime now) {
  if (!welcome) return;
  last_keyframe_request = now;
  std::array<std::uint8_t, 12 + media::kSrtpMaxTrailer> rtcp{};
  const std::size_t n = media::write_pli(rtcp, 1, welcome->video_ssrc());
  realtime->send_rtcp(rtcp, n);
}

void ConsoleSession::Parts::on_packets_missing(const std::vector<std::uint16_t>& sequences) {
  // Asked for again only where the sender keeps them for us (its welcome names an RTX stream); a packet that
  // comes back within the jitter latency fills its gap and the frame stays whole.
  if (!welcome || welcome->rtx_ssrc() == 0) return;
  std::array<std::uint8_t, 12 + 4 * 32 + media::kSrtpMaxTrailer> rtcp{};
  const std::size_t n =
      media::write_nack(std::span(rtcp).first(12 + 4 * 32), 1, welcome->video_ssrc(), sequences);
  if (n == 0 || !realtime->send_rtcp(rtcp, n)) return;
  ++nacks_sent;
  packets_nacked += sequences.size();
  spdlog::debug("video: asked again for {} packet(s) from #{}", sequences.size(), sequences.front());
}

void ConsoleSession::Parts::on_rate_estimate(std::uint64_t bps) {
  // The sender sets its encoder to the narrowest mentor's link (REMB): this console's part of that.
  if (!welcome || !video) return;
  // With a receiver report before it (compound RTCP): the share of packets the link loses, from which the
  // sender decides how much parity to send.
  std::array<std::uint8_t, 32 + 24 + media::kSrtpMaxTrailer> rtcp{};
  const auto& rate = video->rate();
  std::size_t n = media::write_receiver_report(
      std::span(rtcp).first(32), 1, welcome->video_ssrc(), rate.loss_fraction(),
      static_cast<std::uint32_t>(video->lost()), static_cast<std::uint32_t>(rate.highest_sequence()));
  n += media::write_remb(std::span(rtcp).subspan(32, 24), 1, bps, welcome->video_ssrc());
  if (n != 56 || !realtime->send_rtcp(rtcp, n)) return;
  ++rate_reports_sent;
  spdlog::debug(
      "rate report: estimate {} kbit/s, incoming {} kbit/s, {}, queue {:.0f} ms, loss {:.1f} %, limit {}",
      bps / 1000, rate.incoming_bps() / 1000, media::describe(rate.usage()), rate.queueing_ms(),
      100 * rate.loss_fraction(),
      rate.limit_kbps() ? std::to_string(static_cast<long>(*rate.limit_kbps())) + " kbit/s" : "none");
}

LinkTotals ConsoleSession::Parts::link_totals() const {
  LinkTotals t = earlier_links;
  t.frames = tracker.totals().frames_decoded;
  if (video) {
    t.packets += video->packets();
    t.bytes += video->bytes();
    t.lost += video->lost();
  }
  return t;
}

}  // namespace surgilink::session
