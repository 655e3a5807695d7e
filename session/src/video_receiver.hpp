#pragma once
// The console's video stream for one connection: RTP packets in any order → jitter buffer (a gap waits at
// most the jitter latency) → frame playout (a complete frame held so late ones do not freeze the picture)
// → decoder → latest-frame mailbox; each frame's way noted in the FrameLatencyTracker; a keyframe asked for
// when a frame is damaged. Private to session/.

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "realtime_receiver.hpp"
#include "surgilink/media/frame_playout.hpp"
#include "surgilink/media/jitter_buffer.hpp"
#include "surgilink/media/receive_rate_estimator.hpp"
#include "surgilink/media/receiver_pipeline.hpp"
#include "surgilink/media/xor_fec.hpp"
#include "surgilink/session/frame_latency_tracker.hpp"

namespace surgilink::session {

// Network thread, except on_frame_decoded / on_pipeline_problem (the decoder's thread: they post).
// Held by std::shared_ptr (make_shared).
class VideoReceiver : public std::enable_shared_from_this<VideoReceiver>,
                      public RealtimeReceiver::Stream,
                      public media::ReceiverPipelineListener {
 public:
  // Told on the network thread.
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void on_frame_decoded(const media::DecodedFrameInfo& info) = 0;
    // A damaged frame went to the decoder: the picture needs a keyframe.
    virtual void on_picture_damaged(core::CaptureTime now) = 0;
    // Another frame went to the decoder and no whole keyframe since the damage: the picture is still broken.
    virtual void on_picture_still_broken(core::CaptureTime /*now*/) {}
    // Packets found missing (a later one arrived): worth asking for again while the jitter buffer waits.
    virtual void on_packets_missing(const std::vector<std::uint16_t>& /*sequences*/) {}
    // The rate this console's link carries, due to be sent to the sender (congestion control).
    virtual void on_rate_estimate(std::uint64_t /*bps*/) {}
  };

  // A repair stream of this video: the RTX stream (RFC 4588: retransmitted packets, restored and put where
  // they belong) or the parity stream (forward error correction, media/xor_fec.hpp: a lost packet rebuilt
  // from its block as soon as the parity arrives). Also the sender's probe clusters on the RTX stream
  // (kProbePayloadType): padding that tells the rate estimator whether the link carries more.
  class Repair : public RealtimeReceiver::Stream {
   public:
    enum class Kind : std::uint8_t { kRetransmission, kParity, kProbe };
    Repair(VideoReceiver& video, Kind kind) : video_(video), kind_(kind) {}
    void on_rtp(const media::RtpHeader& header, std::span<const std::uint8_t> packet,
                core::CaptureTime arrival, std::size_t wire_bytes) override;

   private:
    VideoReceiver& video_;
    Kind kind_;
  };

  VideoReceiver(boost::asio::io_context& io, const core::Clock& clock, media::LatestFrameMailbox& mailbox,
                int payload_type, bool read_pixel_code, std::chrono::milliseconds jitter_latency,
                std::chrono::milliseconds playout_budget, FrameLatencyTracker& tracker,
                core::FaultCounters& faults, Listener& listener);
  ~VideoReceiver() override;
  void start();
  void stop();

  void on_rtp(const media::RtpHeader& header, std::span<const std::uint8_t> packet, core::CaptureTime arrival,
              std::size_t wire_bytes) override;
  void on_frame_decoded(const media::DecodedFrameInfo& info) override;
  void on_pipeline_problem(std::string text, bool fatal) override;

  std::uint64_t packets() const { return packets_; }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t lost() const { return jitter_.stats().lost; }
  // The media SSRC retransmissions restore (the welcome's video SSRC); call before registering the stream.
  // Gaps then wait for retransmissions (media::gap_wait: the whole budget until wait_for_retransmissions).
  Repair& retransmissions(std::uint32_t media_ssrc) {
    media_ssrc_ = media_ssrc;
    retransmitted_ = true;
    follow_jitter();
    return retransmissions_;
  }
  Repair& parity(std::uint32_t media_ssrc) {
    media_ssrc_ = media_ssrc;
    return parity_;
  }
  Repair& probes(std::uint32_t media_ssrc) {
    media_ssrc_ = media_ssrc;
    return probes_;
  }
  std::uint64_t fec_recovered() const { return fec_.recovered(); }
  // Gaps are waited for long enough for a retransmission to come back over a link with this round trip
  // (asked for when the gap is seen, resent at once); the wait follows the link's measured jitter
  // (media::gap_wait).
  void wait_for_retransmissions(std::chrono::nanoseconds round_trip);
  // How long a gap is waited for now.
  std::chrono::nanoseconds gap_wait() const { return jitter_.latency(); }
  // How long a frame that came as quickly as the quickest is held now (media::FramePlayout).
  std::chrono::nanoseconds playout_hold() const { return playout_.hold(); }
  std::uint64_t retransmissions_received() const { return retransmissions_received_; }
  std::uint64_t retransmissions_in_time() const { return retransmissions_in_time_; }
  std::uint64_t asked_again() const { return jitter_.stats().asked_again; }
  const media::ReceiveRateEstimator& rate() const { return rate_; }

 private:
  // A packet of the stream, first transmission or restored retransmission.
  void take(const media::RtpHeader& header, std::span<const std::uint8_t> packet, core::CaptureTime arrival,
            std::size_t wire_bytes);
  // Packets the parity lets us rebuild now, into the stream.
  void rebuild(core::CaptureTime arrival);
  core::CaptureTime capture_of(std::uint32_t rtp_timestamp) const;
  void release_ready();
  // Packets whose time has come, in order, to the decoder; the timer set for the next.
  void play_due();

  boost::asio::io_context& io_;
  const core::Clock& clock_;
  FrameLatencyTracker& tracker_;
  core::FaultCounters& faults_;
  Listener& listener_;
  media::JitterBuffer jitter_;
  media::ReceiveRateEstimator rate_;
  media::SequenceUnwrapper unwrapper_;
  media::ReceiverPipeline pipeline_;
  boost::asio::steady_timer jitter_timer_;
  std::deque<std::pair<std::uint32_t, core::CaptureTime>> capture_by_timestamp_;
  std::vector<media::ReceivedPacket> released_;
  struct Held {
    media::ReceivedPacket packet;
    core::CaptureTime captured{}, due{};
  };
  std::deque<Held> held_;  // released by the jitter buffer, waiting for the playout; in sequence order
  media::FramePlayout playout_;
  boost::asio::steady_timer playout_timer_;
  std::uint64_t packets_ = 0, bytes_ = 0;
  Repair retransmissions_{*this, Repair::Kind::kRetransmission};
  Repair parity_{*this, Repair::Kind::kParity};
  Repair probes_{*this, Repair::Kind::kProbe};
  media::XorFecDecoder fec_;
  std::uint32_t media_ssrc_ = 0;
  int payload_type_;
  std::chrono::nanoseconds configured_wait_;
  std::optional<std::chrono::nanoseconds> round_trip_;  // once retransmissions are waited for
  bool retransmitted_ = false;  // the sender retransmits (its welcome named an RTX stream)
  std::optional<std::chrono::nanoseconds> ask_again_after_;  // media::ask_again_after, with a round trip
  // Beyond it the picture would be held too long for guidance (DESIGN.md §4's budget; a keyframe repairs).
  static constexpr std::chrono::milliseconds kGapWaitBudget{200};
  void follow_jitter();
  std::uint64_t retransmissions_received_ = 0, retransmissions_in_time_ = 0;
  bool stopped_ = false;
};

}  // namespace surgilink::session
