#include "realtime_sender.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "surgilink/media/opus_packet.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/voice_capture.hpp"
#include "surgilink/session/frame_latency_tracker.hpp"
#include "surgilink/session/preflight.hpp"
#include "surgilink/vitals/vitals_packet.hpp"

namespace surgilink::session {

namespace asio = boost::asio;
using asio::ip::udp;

RealtimeSender::RealtimeSender(asio::io_context& io, const udp::endpoint& at, media::SrtpProfile profile,
                               const core::Clock& clock, Listener& listener, core::FaultCounters& faults,
                               std::chrono::milliseconds keyframe_interval)
    : socket_(io),
      pacing_timer_(io),
      profile_(profile),
      clock_(clock),
      listener_(listener),
      faults_(faults),
      keyframe_interval_(keyframe_interval),
      probe_timer_(io) {
  boost::system::error_code ec;
  socket_.open(at.protocol());
  socket_.bind(at, ec);
  if (ec) {
    throw std::runtime_error("media port " + at.address().to_string() + ":" + std::to_string(at.port()) +
                             " cannot be used: " + ec.message());
  }
  socket_.non_blocking(true);
  // Bursts of a 1080p keyframe are ~150 packets: give the kernel room so they are not dropped locally.
  socket_.set_option(asio::socket_base::send_buffer_size(4 * 1024 * 1024), ec);
  // Now, not when the first console is admitted: its joining keyframe would wait for the ciphers' self-tests.
  media::initialise_srtp();
}

namespace {
// The packet's sequence number less `shift` (the packets of its stream withheld by a privacy pause).
void shift_sequence(std::span<std::uint8_t> packet, std::uint16_t shift) {
  if (shift == 0 || packet.size() < media::kRtpFixedHeaderSize) return;
  const auto sequence = static_cast<std::uint16_t>(((packet[2] << 8) | packet[3]) - shift);
  packet[2] = static_cast<std::uint8_t>(sequence >> 8);
  packet[3] = static_cast<std::uint8_t>(sequence & 0xff);
}
}  // namespace

void RealtimeSender::start() { receive(); }

void RealtimeSender::stop() {
  stopped_ = true;
  pacing_timer_.cancel();
  paced_.clear();
  probe_timer_.cancel();
  probing_.reset();
  boost::system::error_code ec;
  socket_.close(ec);
  consoles_.clear();
  probes_.clear();
}

std::optional<std::uint64_t> RealtimeSender::narrowest_estimate() const {
  std::optional<std::uint64_t> narrowest;
  for (const auto& [id, console] : consoles_) {
    if (const auto bps = console.link_bps()) narrowest = std::min(narrowest.value_or(*bps), *bps);
  }
  return narrowest;
}

bool RealtimeSender::narrowest_from_preflight() const {
  const auto narrowest = narrowest_estimate();
  const auto it = std::find_if(consoles_.begin(), consoles_.end(),
                               [&](const auto& entry) { return entry.second.link_bps() == narrowest; });
  return it != consoles_.end() && !it->second.estimated_bps && it->second.prior;
}

std::uint16_t RealtimeSender::port() const { return socket_.local_endpoint().port(); }

void RealtimeSender::add(ConsoleId console, const udp::endpoint& media, const SrtpKeys& keys, bool may_speak,
                         std::optional<LinkPrior> prior) {
  using media::SrtpSession;
  Console c{
      media,
      std::make_unique<SrtpSession>(profile_, SrtpSession::Direction::kOutbound, keys.sender_to_console),
      std::make_unique<SrtpSession>(profile_, SrtpSession::Direction::kInbound, keys.console_to_sender),
      // A joining console gets a keyframe anyway, which counts as its keyframe; but one whose joining
      // keyframe was lost from its start has no picture at all, and asks again once its first picture is
      // overdue: granted from then on.
      clock_.now() - keyframe_interval_ +
          std::min<std::chrono::nanoseconds>(FrameLatencyTracker::kFirstPictureWait, keyframe_interval_),
      may_speak};
  c.added_at = clock_.now();
  c.prior = prior;
  consoles_[console] = std::move(c);
}

void RealtimeSender::remove(ConsoleId console) { consoles_.erase(console); }

void RealtimeSender::add_probe_peer(ConsoleId id, const udp::endpoint& media, const SrtpKeys& keys,
                                    ProbeReceiver& receiver) {
  using media::SrtpSession;
  probes_[id] = ProbePeer{
      media,
      std::make_unique<SrtpSession>(profile_, SrtpSession::Direction::kOutbound, keys.sender_to_console),
      std::make_unique<SrtpSession>(profile_, SrtpSession::Direction::kInbound, keys.console_to_sender),
      &receiver};
}

void RealtimeSender::remove_probe_peer(ConsoleId id) { probes_.erase(id); }

std::size_t RealtimeSender::send_probe(ConsoleId id, std::span<const std::uint8_t> packet) {
  const auto peer = probes_.find(id);
  if (stopped_ || peer == probes_.end()) return 0;
  if (packet.size() + media::kSrtpMaxTrailer > send_buffer_.size()) {
    faults_.add(core::Fault::kTooLarge);
    return 0;
  }
  std::copy(packet.begin(), packet.end(), send_buffer_.begin());
  auto protected_length = peer->second.outbound->protect_rtp(send_buffer_, packet.size());
  if (!protected_length) {
    faults_.add(protected_length.error());
    return 0;
  }
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(send_buffer_.data(), protected_length.value()), peer->second.media, 0, ec);
  if (ec) {
    ++counters_.send_drops;
    return 0;
  }
  ++counters_.probe_packets_sent;
  return protected_length.value();
}

void RealtimeSender::on_probe_datagram(ProbePeer& peer, std::size_t size) {
  const auto arrival = clock_.now();
  std::span<const std::uint8_t> packet;
  const auto header = open_rtp(*peer.inbound, size, packet);
  if (!header) return;
  if (header->payload_type != kProbePayloadType) {
    faults_.add(core::Fault::kUnknownStream);  // a pre-flight sends nothing else
    return;
  }
  ++counters_.probe_packets_received;
  peer.receiver->on_probe(packet.subspan(header->payload_offset, header->payload_size), arrival);
}

std::optional<media::RtpHeader> RealtimeSender::open_rtp(media::SrtpSession& inbound, std::size_t size,
                                                         std::span<const std::uint8_t>& packet) {
  auto plain = inbound.unprotect_rtp(receive_buffer_, size);
  if (!plain) {
    faults_.add(plain.error());
    return std::nullopt;
  }
  packet = std::span<const std::uint8_t>(receive_buffer_.data(), plain.value());
  auto header = media::parse_rtp(packet);
  if (!header) {
    faults_.add(header.error());
    return std::nullopt;
  }
  return header.value();
}

void RealtimeSender::receive() {
  socket_.async_receive_from(asio::buffer(receive_buffer_), receive_from_,
                             [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                               if (self->stopped_ || ec == asio::error::operation_aborted) return;
                               if (!ec) self->on_datagram(n);
                               self->receive();
                             });
}

void RealtimeSender::on_datagram(std::size_t size) {
  auto from = std::find_if(consoles_.begin(), consoles_.end(),
                           [this](const auto& entry) { return entry.second.media == receive_from_; });
  if (from == consoles_.end()) {
    const auto probe = std::find_if(probes_.begin(), probes_.end(), [this](const auto& entry) {
      return entry.second.media == receive_from_;
    });
    if (probe != probes_.end() && !media::looks_like_rtcp(std::span(receive_buffer_.data(), size)))
      return on_probe_datagram(probe->second, size);
    faults_.add(core::Fault::kUnknownStream);
    return;
  }
  if (!media::looks_like_rtcp(std::span(receive_buffer_.data(), size))) {
    on_voice_datagram(from, size);
    return;
  }
  auto plain = from->second.inbound->unprotect_rtcp(receive_buffer_, size);
  if (!plain) {
    faults_.add(plain.error());
    return;
  }
  from->second.last_heard = clock_.now();
  auto feedback = media::parse_rtcp(std::span(receive_buffer_.data(), plain.value()));
  if (!feedback) {
    faults_.add(feedback.error());
    return;
  }
  if (!feedback.value().nacked.empty()) retransmit(from->second, feedback.value().nacked);
  if (const auto lost = feedback.value().fraction_lost) {
    from->second.loss = *lost;
    from->second.reported = true;
    from->second.prior.reset();  // its own figures from now on
  }
  if (const auto bps = feedback.value().estimated_bps) {
    ++counters_.rate_reports_received;
    consider_probe(from->first, from->second, *bps);
    from->second.estimated_bps = *bps;
    listener_.on_rate_estimate(from->first);
  }
  if (!feedback.value().picture_loss) return;
  ++counters_.pli_received;
  // One keyframe serves every console; a console that keeps reporting loss may not turn the stream into
  // keyframes (each is ~10 times a normal frame) for everyone else.
  const auto now = clock_.now();
  auto& last = from->second.last_keyframe;
  if (last && now - *last < keyframe_interval_) {
    ++counters_.pli_ignored;
    faults_.add(core::Fault::kRateLimited);
    return;
  }
  last = now;
  listener_.on_keyframe_request(from->first);
}

void RealtimeSender::on_voice_datagram(std::map<ConsoleId, Console>::iterator from, std::size_t size) {
  std::span<const std::uint8_t> packet;
  const auto header = open_rtp(*from->second.inbound, size, packet);
  if (!header) return;
  from->second.last_heard = clock_.now();
  // Consoles send only voice (and RTCP): anything else is not a stream of this session.
  if (header->payload_type != media::kOpusPayloadType) {
    faults_.add(core::Fault::kUnknownStream);
    return;
  }
  if (!from->second.may_speak) {
    faults_.add(core::Fault::kNotAuthorised);  // an observer's microphone is never heard
    return;
  }
  if (header->payload_size == 0) {
    faults_.add(core::Fault::kTruncated);
    return;
  }
  // A packet whose Opus framing does not add up is neither relayed to the other mentors nor mixed for the OR.
  if (auto opus = media::check_opus_packet(packet.subspan(header->payload_offset, header->payload_size));
      !opus) {
    faults_.add(opus.error());
    return;
  }
  ++counters_.voice_packets_received;
  listener_.on_console_voice(from->first, *header, packet);
}

void RealtimeSender::send_voice(const media::EncodedPackets& voice) {
  if (stopped_) return;
  if (withholding_ == Withholding::kWithheld) {
    counters_.voice_withheld += voice.packets.size();
    voice_sequence_shift_ += static_cast<std::uint16_t>(voice.packets.size());
    return;
  }
  for (const auto& packet : voice.packets) {
    if (packet.size() + media::kTimingExtensionSize + media::kSrtpMaxTrailer > send_buffer_.size()) {
      faults_.add(core::Fault::kTooLarge);
      continue;
    }
    for (auto& [id, console] : consoles_) {
      std::copy(packet.begin(), packet.end(), send_buffer_.begin());
      shift_sequence(send_buffer_, voice_sequence_shift_);
      // Every voice packet carries its capture time: each is a moment of its own (lip sync, mouth-to-ear).
      auto extended = media::add_timing_extension(
          send_buffer_, packet.size(), core::to_ntp64(voice.capture_time), core::to_ntp64(clock_.now()));
      const std::size_t sent = protect_and_send(console, extended ? extended.value() : packet.size());
      if (sent == 0) continue;
      ++counters_.voice_packets_sent;
      ++counters_.packets_sent;
      counters_.bytes_sent += sent;
    }
  }
}

void RealtimeSender::relay_voice(ConsoleId from, std::span<const std::uint8_t> packet) {
  if (stopped_ || packet.size() + media::kSrtpMaxTrailer > send_buffer_.size()) return;
  // `packet` may lie in the receive buffer; the send buffer is separate.
  for (auto& [id, console] : consoles_) {
    if (id == from) continue;
    std::copy(packet.begin(), packet.end(), send_buffer_.begin());
    const std::size_t sent = protect_and_send(console, packet.size());
    if (sent == 0) continue;
    ++counters_.voice_packets_sent;
    ++counters_.packets_sent;
    counters_.bytes_sent += sent;
  }
}

std::size_t RealtimeSender::protect_and_send(Console& console, std::size_t length) {
  auto protected_length = console.outbound->protect_rtp(send_buffer_, length);
  if (!protected_length) {
    faults_.add(protected_length.error());
    return 0;
  }
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(send_buffer_.data(), protected_length.value()), console.media, 0, ec);
  if (ec) {
    ++counters_.send_drops;
    return 0;
  }
  return protected_length.value();
}

void RealtimeSender::set_retransmission(std::uint32_t rtx_ssrc, std::uint8_t rtx_payload_type) {
  rtx_ssrc_ = rtx_ssrc;
  rtx_payload_type_ = rtx_payload_type;
}

void RealtimeSender::retransmit(Console& console, const std::vector<std::uint16_t>& sequences) {
  counters_.nacked += sequences.size();
  if (rtx_ssrc_ == 0 || withholding_ == Withholding::kWithheld) {
    counters_.retransmit_missed += sequences.size();
    return;
  }
  const auto now = clock_.now();
  for (const std::uint16_t sequence : sequences) {
    const Sent& sent = history_[sequence % kHistory];
    if (sent.bytes.empty() || sent.sequence != sequence || !console.retransmit_budget.take(now)) {
      ++counters_.retransmit_missed;
      continue;
    }
    const std::size_t length =
        media::write_rtx(send_buffer_, sent.bytes, rtx_ssrc_, rtx_payload_type_, console.rtx_sequence);
    if (length == 0 || length + media::kSrtpMaxTrailer > send_buffer_.size()) {
      ++counters_.retransmit_missed;
      continue;
    }
    ++console.rtx_sequence;
    const std::size_t bytes = protect_and_send(console, length);
    if (bytes == 0) continue;
    ++counters_.retransmitted;
    ++counters_.packets_sent;
    counters_.bytes_sent += bytes;
  }
}

void RealtimeSender::send_video(media::EncodedPackets encoded) {
  if (stopped_) return;
  if (withholding_ == Withholding::kAwaitingKeyframe && !encoded.packets.empty() &&
      media::starts_h264_keyframe(encoded.packets.front())) {
    withholding_ = Withholding::kNone;
  }
  if (withholding_ != Withholding::kNone) {
    // A picture from before the keyframe refers to ones the consoles never got.
    if (encoded.capture_time != last_frame_capture_) ++counters_.frames_withheld;
    last_frame_capture_ = encoded.capture_time;
    video_sequence_shift_ += static_cast<std::uint16_t>(encoded.packets.size());
    return;
  }
  bool first_of_frame = encoded.capture_time != last_frame_capture_;
  last_frame_capture_ = encoded.capture_time;
  if (first_of_frame && every_console_unheard(clock_.now())) {
    // Every link is silent (an outage): the pictures sent into it are lost, and the first to come through
    // when it returns must not need them. A keyframe each frame until a console is heard again shows the
    // picture at once then, instead of a keyframe request's round trip later.
    ++counters_.keyframes_unheard;
    listener_.on_video_unheard();
  }
  if (fec_ssrc_ != 0) fec_.begin_frame(encoded.packets.size());
  std::uint32_t last_timestamp = 0;
  for (auto& packet : encoded.packets) {
    if (packet.size() + media::kTimingExtensionSize + media::kSrtpMaxTrailer > send_buffer_.size()) {
      faults_.add(core::Fault::kTooLarge);
      continue;
    }
    shift_sequence(packet, video_sequence_shift_);
    if (rtx_ssrc_ != 0 && packet.size() >= media::kRtpFixedHeaderSize) {
      // Kept as the packetizer made it (no timing extension: a retransmission arrives after its moment).
      const auto sequence = static_cast<std::uint16_t>((packet[2] << 8) | packet[3]);
      Sent& slot = history_[sequence % kHistory];
      slot.sequence = sequence;
      slot.bytes.assign(packet.begin(), packet.end());
    }
    auto parity = fec_ssrc_ != 0 ? fec_.add(packet) : std::nullopt;
    // A parity's timestamp is its block's last packet's (read before that packet is moved).
    if (packet.size() >= media::kRtpFixedHeaderSize)
      last_timestamp = (std::uint32_t{packet[4]} << 24) | (std::uint32_t{packet[5]} << 16) |
                       (std::uint32_t{packet[6]} << 8) | packet[7];
    // Moved, not copied, into the pacer's queue.
    dispatch_video(std::move(packet), encoded.capture_time, first_of_frame);
    first_of_frame = false;
    // Right behind its block: a console that lost one of them rebuilds it as soon as this arrives.
    if (parity) dispatch_parity(*parity, last_timestamp, encoded.capture_time);
  }
  // The frame's unfinished blocks: their parity follows the frame's last packet.
  if (fec_ssrc_ != 0)
    for (const auto& parity : fec_.end_frame()) dispatch_parity(parity, last_timestamp, encoded.capture_time);
  if (pacing_bps_) send_paced();
}

void RealtimeSender::dispatch_parity(std::span<const std::uint8_t> parity, std::uint32_t timestamp,
                                     core::CaptureTime capture_time) {
  media::RtpHeader header;
  header.payload_type = fec_payload_type_;
  header.sequence = fec_sequence_++;
  header.timestamp = timestamp;
  header.ssrc = fec_ssrc_;
  std::vector<std::uint8_t> fec(media::kRtpFixedHeaderSize + parity.size());
  media::write_rtp_header(fec, header);
  std::copy(parity.begin(), parity.end(), fec.begin() + media::kRtpFixedHeaderSize);
  if (fec.size() + media::kSrtpMaxTrailer > send_buffer_.size()) return;
  dispatch_video(std::move(fec), capture_time, false);
  counters_.fec_packets_sent += consoles_.size();
}

void RealtimeSender::dispatch_video(std::vector<std::uint8_t>&& packet, core::CaptureTime capture_time,
                                    bool first_of_frame) {
  if (!pacing_bps_) return send_video_packet(packet, capture_time, first_of_frame);
  paced_.push_back({std::move(packet), capture_time, first_of_frame});
}

void RealtimeSender::withhold_media(bool withheld) {
  if (!withheld) {
    if (withholding_ == Withholding::kWithheld) withholding_ = Withholding::kAwaitingKeyframe;
    return;
  }
  if (withholding_ == Withholding::kWithheld) return;
  withholding_ = Withholding::kWithheld;
  // Nothing of the paused picture leaves after the pause: not what waits to be paced, not a parity packet
  // of a block that would straddle the pause, not a retransmission of it (history cleared). The video
  // packets dropped from the pacer count as withheld: the consoles see no gap.
  for (const Paced& waiting : paced_) {
    const bool parity =
        fec_ssrc_ != 0 && waiting.bytes.size() > 1 && (waiting.bytes[1] & 0x7f) == fec_payload_type_;
    if (!parity) ++video_sequence_shift_;
  }
  paced_.clear();
  fec_.set_block(fec_.block(), kFecStride);
  for (Sent& sent : history_) sent.bytes.clear();
}

void RealtimeSender::set_fec_stream(std::uint32_t ssrc, std::uint8_t payload_type) {
  fec_ssrc_ = ssrc;
  fec_payload_type_ = payload_type;
}

void RealtimeSender::set_fec_block(std::size_t packets) {
  if (fec_ssrc_ == 0 || packets == fec_.block()) return;
  // Interleaved by 4: a burst of up to 4 lost packets (the lossy profile's mean burst) is rebuilt too.
  fec_.set_block(packets, kFecStride);
}

double RealtimeSender::loss_of(ConsoleId console) const {
  const auto it = consoles_.find(console);
  return it == consoles_.end() ? 0 : it->second.loss;
}

bool RealtimeSender::every_console_unheard(core::CaptureTime now) const {
  if (consoles_.empty()) return false;
  return std::all_of(consoles_.begin(), consoles_.end(), [&](const auto& entry) {
    const auto& heard = entry.second.last_heard;
    return heard && now - *heard >= kUnheardAfter && now - *heard < kUnheardUntil;
  });
}

void RealtimeSender::set_round_trip(ConsoleId console, std::chrono::nanoseconds round_trip) {
  const auto it = consoles_.find(console);
  if (it != consoles_.end()) it->second.round_trip = round_trip;
}

std::optional<double> RealtimeSender::parity_loss() const {
  std::optional<double> worst;
  for (const auto& [id, console] : consoles_) {
    if (!console.reported && !console.prior) continue;
    const double loss = console.prior ? console.prior->loss : console.loss;
    const bool retransmission_suffices = console.round_trip && *console.round_trip < kRetransmitAloneUnder;
    worst = std::max(worst.value_or(0.0), retransmission_suffices ? 0.0 : loss);
  }
  return worst;
}

bool RealtimeSender::any_link_unreported() const {
  return std::any_of(consoles_.begin(), consoles_.end(), [](const auto& entry) {
    return !entry.second.reported && !entry.second.report_given_up && !entry.second.prior;
  });
}

std::vector<ConsoleId> RealtimeSender::give_up_unreported(core::CaptureTime now) {
  std::vector<ConsoleId> given_up;
  for (auto& [id, console] : consoles_) {
    if (console.reported || console.report_given_up || now - console.added_at < kReportWithin) continue;
    console.report_given_up = true;
    given_up.push_back(id);
  }
  return given_up;
}

void RealtimeSender::set_pacing(std::optional<std::uint64_t> bps) {
  pacing_bps_ = bps;
  if (!bps) {
    // Whatever waits goes now, in order.
    while (!paced_.empty()) {
      send_video_packet(paced_.front().bytes, paced_.front().capture_time, paced_.front().first_of_frame);
      paced_.pop_front();
    }
    pacing_timer_.cancel();
  }
}

void RealtimeSender::send_paced() {
  if (stopped_ || !pacing_bps_) return;
  const auto now = clock_.now();
  const double bytes_per_s = static_cast<double>(*pacing_bps_) / 8;
  // A budget that refills at the pacing rate and holds at most kPacingBurst of it: a usual frame leaves at
  // once, a keyframe is spread out instead of overflowing the narrowest queue on the way.
  const double burst = bytes_per_s * std::chrono::duration<double>(kPacingBurst).count();
  if (pacing_refilled_) {
    pacing_budget_ += bytes_per_s * std::chrono::duration<double>(now - *pacing_refilled_).count();
  } else {
    pacing_budget_ = burst;
  }
  pacing_budget_ = std::min(pacing_budget_, burst);
  pacing_refilled_ = now;
  while (!paced_.empty() && pacing_budget_ > 0) {
    const Paced& next = paced_.front();
    pacing_budget_ -= static_cast<double>(next.bytes.size());
    send_video_packet(next.bytes, next.capture_time, next.first_of_frame);
    paced_.pop_front();
  }
  if (paced_.empty() || pacing_armed_) return;
  const double wait_s = std::max(-pacing_budget_, 1.0) / bytes_per_s;
  pacing_armed_ = true;
  pacing_timer_.expires_after(std::max(std::chrono::nanoseconds{std::chrono::milliseconds{1}},
                                       std::chrono::nanoseconds{static_cast<std::int64_t>(wait_s * 1e9)}));
  pacing_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!self) return;
    self->pacing_armed_ = false;
    if (!ec) self->send_paced();
  });
}

void RealtimeSender::consider_probe(ConsoleId id, Console& console, std::uint64_t bps) {
  const auto now = clock_.now();
  auto& p = console.probe;
  // The estimates after a probe answer it: one that rose by a fifth found room, and the next probe may
  // follow soon; none by answer_at: the link is full for now. The next probe then waits a second, not
  // longer: a link whose capacity comes back is found within about that (RFC 8867's steps), and a cluster
  // of about 30 ms at the estimate's rate queues about 30 ms on a full link once a second.
  if (p.answer_at) {
    if (static_cast<double>(bps) >= 1.2 * static_cast<double>(p.from_bps)) {
      p.answer_at.reset();
      p.next_at = now + kProbeAgainAfter;
    } else if (now >= *p.answer_at) {
      p.answer_at.reset();
      p.next_at = now + kProbeAfterNo;
    }
  }
  // A decrease: the link is full now; a probe would only add to its queue.
  if (console.estimated_bps && static_cast<double>(bps) < 0.97 * static_cast<double>(*console.estimated_bps))
    p.next_at = std::max(p.next_at, now + kProbeQuietAfterDecrease);
  // A link that loses packets is near its limit or noisy; its estimate climbs by itself (as GCC's does).
  if (probe_ceiling_bps_ == 0 || rtx_ssrc_ == 0 || probing_ || p.answer_at || now < p.next_at ||
      withholding_ != Withholding::kNone || stopped_ || console.loss > kProbeMaxLoss)
    return;
  // Padding about as fast as the estimate, so the link carries about twice it while the cluster lasts, but
  // not beyond what the video could use.
  if (static_cast<double>(bps) >= 0.95 * static_cast<double>(probe_ceiling_bps_)) return;
  const std::uint64_t padding_bps = std::min(bps, probe_ceiling_bps_ - bps);
  if (padding_bps < 100'000) return;
  // About 30 ms of it, at least 5 packets to time and at most 30.
  const double bytes = static_cast<double>(padding_bps) / 8 * 0.030;
  const auto packets = static_cast<std::uint32_t>(
      std::clamp(std::ceil(bytes / static_cast<double>(kProbePacketBytes)), 5.0, 30.0));
  probe_clusters_ = probe_clusters_ % 1000 + 1;  // (parse_probe takes steps up to 1000)
  probing_ =
      ProbeCluster{id,
                   probe_clusters_,
                   packets,
                   0,
                   now,
                   std::chrono::nanoseconds{static_cast<std::int64_t>(
                       static_cast<double>(kProbePacketBytes) * 8 * 1e9 / static_cast<double>(padding_bps))}};
  p.from_bps = bps;
  send_probe_packets();
}

void RealtimeSender::send_probe_packets() {
  if (stopped_ || !probing_) return;
  ProbeCluster& cluster = *probing_;
  const auto it = consoles_.find(cluster.console);
  if (it == consoles_.end() || withholding_ != Withholding::kNone) {
    probing_.reset();
    return;
  }
  Console& console = it->second;
  const auto now = clock_.now();
  // Every packet whose time has come: a timer that fired late sends them together, and their send times
  // tell the console so.
  while (cluster.sent < cluster.packets && now >= cluster.start + cluster.spacing * cluster.sent) {
    media::RtpHeader header;
    header.payload_type = kProbePayloadType;
    header.sequence = console.rtx_sequence++;
    header.ssrc = rtx_ssrc_;
    ProbePacket probe;
    probe.kind = ProbePacket::Kind::kRamp;
    probe.step = cluster.id;
    probe.step_packets = cluster.packets;
    probe.sequence = cluster.sent;
    probe.sent_ntp = core::to_ntp64(clock_.now());
    header.timestamp = static_cast<std::uint32_t>(probe.sent_ntp >> 16);
    const std::size_t head = media::write_rtp_header(send_buffer_, header);
    write_probe(std::span(send_buffer_).subspan(head, kProbePacketBytes), probe);
    ++cluster.sent;
    const std::size_t sent = protect_and_send(console, head + kProbePacketBytes);
    if (sent == 0) continue;
    ++counters_.packets_sent;
    counters_.bytes_sent += sent;
  }
  if (cluster.sent == cluster.packets) {
    ++counters_.probe_clusters_sent;
    // The console judges the cluster when its last packet arrives and says at once when it found room; a
    // rise that has not come back within a round trip or so (or the next regular estimate) is a no.
    console.probe.answer_at = now + std::chrono::milliseconds{300};
    probing_.reset();
    return;
  }
  probe_timer_.expires_after(cluster.start + cluster.spacing * cluster.sent - now);
  probe_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (auto self = weak.lock(); self && !ec) self->send_probe_packets();
  });
}

void RealtimeSender::send_video_packet(const std::vector<std::uint8_t>& packet,
                                       core::CaptureTime capture_time, bool first_of_frame) {
  bool sent_any = false;
  for (auto& [id, console] : consoles_) {
    std::copy(packet.begin(), packet.end(), send_buffer_.begin());
    std::size_t length = packet.size();
    if (first_of_frame) {
      // The send time is when it really leaves (after pacing): the consoles' delay gradient reads it.
      auto extended = media::add_timing_extension(send_buffer_, length, core::to_ntp64(capture_time),
                                                  core::to_ntp64(clock_.now()));
      if (extended) length = extended.value();
    }
    const std::size_t sent = protect_and_send(console, length);
    if (sent == 0) continue;
    ++counters_.packets_sent;
    counters_.bytes_sent += sent;
    sent_any = true;
  }
  if (sent_any && counted_capture_ != capture_time) {
    counted_capture_ = capture_time;
    ++counters_.frames_sent;
  }
}

void RealtimeSender::set_vitals_stream(std::uint32_t ssrc, std::uint16_t first_sequence) {
  vitals_ssrc_ = ssrc;
  vitals_sequence_ = first_sequence;
}

void RealtimeSender::send_vitals(const std::vector<std::vector<std::uint8_t>>& payloads,
                                 core::CaptureTime now) {
  if (stopped_ || vitals_ssrc_ == 0) return;
  const auto timestamp = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  for (const auto& payload : payloads) {
    media::RtpHeader header;
    header.payload_type = static_cast<std::uint8_t>(vitals::kVitalsPayloadType);
    header.sequence = vitals_sequence_++;
    header.timestamp = timestamp;
    header.ssrc = vitals_ssrc_;
    if (media::kRtpFixedHeaderSize + payload.size() + media::kSrtpMaxTrailer > send_buffer_.size()) {
      faults_.add(core::Fault::kTooLarge);
      continue;
    }
    for (auto& [id, console] : consoles_) {
      const std::size_t header_size = media::write_rtp_header(send_buffer_, header);
      std::copy(payload.begin(), payload.end(),
                send_buffer_.begin() + static_cast<std::ptrdiff_t>(header_size));
      if (protect_and_send(console, header_size + payload.size()) != 0) ++counters_.vitals_packets_sent;
    }
  }
}

}  // namespace surgilink::session
