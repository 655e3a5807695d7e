#include "preflight_responder.hpp"

#include <algorithm>

#include "surgilink/media/rtp_packet.hpp"

namespace surgilink::session {

namespace {
constexpr std::chrono::milliseconds kTick{2};
// RTP header, SRTP tag (AEAD-AES-128-GCM; the HMAC profile's is smaller), IPv4 and UDP.
constexpr std::size_t kOverheadBytes = 12 + 16 + 28;
}  // namespace

PreflightResponder::PreflightResponder(boost::asio::io_context& io, const core::Clock& clock,
                                       RealtimeSender& realtime, ConsoleId peer, PreflightPlan plan,
                                       std::uint32_t ssrc, core::FaultCounters& faults)
    : timer_(io),
      clock_(clock),
      realtime_(realtime),
      peer_(peer),
      plan_(plan),
      ssrc_(ssrc),
      faults_(faults),
      pings_(2000.0 / static_cast<double>(PreflightPlan::kPingInterval.count()), 50),
      buffer_(12 + PreflightPlan::kRampPacketBytes) {}

void PreflightResponder::start() {
  ramp_start_ = clock_.now() + plan_.quiet();
  tick();
}

void PreflightResponder::stop() {
  stopped_ = true;
  ramping_ = false;
  timer_.cancel();
}

void PreflightResponder::hold(const std::string& why) {
  if (!ramping_) return;
  ramping_ = false;
  figures_.held = why;
}

std::uint32_t PreflightResponder::step_packets(std::uint32_t k) const {
  const double bits =
      static_cast<double>(plan_.step_rate(k)) * std::chrono::duration<double>(PreflightPlan::kStep).count();
  return std::max<std::uint32_t>(
      1, static_cast<std::uint32_t>(bits / 8 / (PreflightPlan::kRampPacketBytes + kOverheadBytes)));
}

void PreflightResponder::send(ProbePacket probe, std::size_t payload_bytes) {
  media::RtpHeader header;
  header.payload_type = kProbePayloadType;
  header.sequence = sequence_++;
  header.ssrc = ssrc_;
  probe.sent_ntp = core::to_ntp64(clock_.now());
  header.timestamp = static_cast<std::uint32_t>(probe.sent_ntp >> 16);  // 1/65536 s
  const std::size_t head = media::write_rtp_header(buffer_, header);
  write_probe(std::span(buffer_).subspan(head, payload_bytes), probe);
  const std::size_t sent = realtime_.send_probe(peer_, std::span(buffer_).first(head + payload_bytes));
  if (probe.kind == ProbePacket::Kind::kRamp && sent > 0) {
    ++figures_.ramp_packets_sent;
    figures_.ramp_bytes_sent += sent + 28;
  }
}

// The ramp, paced: packet i of step k leaves i/n of the way through the step. A late tick sends what is due
// (the rest of a step before the next).
void PreflightResponder::tick() {
  if (stopped_) return;
  const auto now = clock_.now();
  const std::uint32_t steps = static_cast<std::uint32_t>(plan_.steps());
  while (ramping_ && now >= ramp_start_ && step_ < steps) {
    const std::uint32_t n = step_packets(step_);
    const auto into = now - (ramp_start_ + PreflightPlan::kStep * step_);
    if (into.count() < 0) break;  // the next step has not begun
    const auto due =
        into >= PreflightPlan::kStep
            ? n
            : std::min<std::uint32_t>(
                  n, static_cast<std::uint32_t>(static_cast<std::uint64_t>(n) * into.count() /
                                                std::chrono::nanoseconds(PreflightPlan::kStep).count()) +
                         1);
    if (sent_in_step_ == 0) {
      figures_.steps_sent = step_ + 1;
      figures_.highest_rate_bps = plan_.step_rate(step_);
    }
    while (sent_in_step_ < due && ramping_) {
      ProbePacket ramp;
      ramp.kind = ProbePacket::Kind::kRamp;
      ramp.step = step_;
      ramp.sequence = sent_in_step_++;
      ramp.step_packets = n;
      send(ramp, PreflightPlan::kRampPacketBytes);
    }
    if (sent_in_step_ < n) break;
    ++step_;
    sent_in_step_ = 0;
  }
  if (step_ >= steps) ramping_ = false;
  if (!ramping_) return;  // echoes need no timer
  timer_.expires_after(kTick);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->tick();
  });
}

void PreflightResponder::on_probe(std::span<const std::uint8_t> payload, core::CaptureTime arrival) {
  if (stopped_) return;
  auto ping = parse_probe(payload);
  if (!ping) {
    faults_.add(ping.error());
    return;
  }
  if (ping.value().kind != ProbePacket::Kind::kPing) {
    faults_.add(core::Fault::kMalformed);  // a console sends only pings
    return;
  }
  if (!pings_.take(arrival)) {
    faults_.add(core::Fault::kRateLimited);
    return;
  }
  const ProbePacket& p = ping.value();
  ++figures_.pings_received;
  figures_.highest_ping = std::max(figures_.highest_ping, p.sequence);
  jitter_.add(core::from_ntp64(p.sent_ntp), arrival);
  figures_.jitter_to_or_ms = jitter_.ms();
  if ((p.flags & ProbePacket::kStopRamp) != 0 && ramping_) {
    ramping_ = false;
    figures_.stopped_by_console = true;
  }
  ProbePacket echo;
  echo.kind = ProbePacket::Kind::kEcho;
  if (!figures_.held.empty()) echo.flags = ProbePacket::kRampHeld;
  echo.sequence = p.sequence;
  echo.ping_sent_ntp = p.sent_ntp;
  echo.pings_received = figures_.pings_received;
  echo.highest_ping = figures_.highest_ping;
  echo.ping_jitter_us = static_cast<std::uint32_t>(std::min(jitter_.ms() * 1000, 4e9));
  // The time it was held here: from its arrival to the echo's send time (set in send()).
  const auto now = clock_.now();
  echo.held_ns = static_cast<std::uint64_t>(std::max<std::int64_t>(0, (now - arrival).count()));
  send(echo, kProbeHeaderSize);
}

}  // namespace surgilink::session
