#pragma once
// The sender's realtime channel (DESIGN.md §1): one UDP socket; per console an SRTP context for each
// direction and its media address; fan-out of the video and vitals RTP to every console, each protected
// with that console's key; RTCP feedback in, with keyframe requests limited per console. Private to session/.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"
#include "surgilink/core/token_bucket.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/sender_pipeline.hpp"
#include "surgilink/media/srtp_session.hpp"
#include "surgilink/media/xor_fec.hpp"
#include "surgilink/session/preflight.hpp"
#include "surgilink/session/session_authority.hpp"
#include "surgilink/session/tls_identity.hpp"

namespace surgilink::session {

// Counters of the realtime channel. Network thread.
struct RealtimeCounters {
  std::uint64_t frames_sent = 0;  // frames whose first packet went to at least one console
  std::uint64_t packets_sent = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t send_drops = 0;  // the kernel's socket buffer was full
  std::uint64_t pli_received = 0;
  std::uint64_t pli_ignored = 0;          // within a console's keyframe interval
  std::uint64_t vitals_packets_sent = 0;  // per console
  std::uint64_t nacked = 0;               // video packets consoles asked for again (generic NACK)
  std::uint64_t retransmitted = 0;        // … sent again on the RTX stream (RFC 4588)
  std::uint64_t retransmit_missed = 0;    // … no longer kept, or over the console's retransmission budget
  std::uint64_t voice_packets_sent = 0;   // per console: the OR's voice and mentors' voices relayed
  std::uint64_t voice_packets_received = 0;  // from mentors (observers' are refused)
  std::uint64_t rate_reports_received = 0;   // REMB: a console's estimate of what its link carries
  std::uint64_t fec_packets_sent = 0;        // parity packets, per console
  std::uint64_t frames_withheld = 0;         // video frames not sent: the OR's privacy pause
  std::uint64_t keyframes_unheard = 0;       // keyframes asked for while no console's link was heard
  std::uint64_t voice_withheld = 0;          // the OR's voice packets not sent: the OR's privacy pause
  std::uint64_t probe_packets_sent = 0;      // pre-flight probes (echoes and the ramp)
  std::uint64_t probe_packets_received = 0;  // pre-flight pings accepted
  std::uint64_t probe_clusters_sent = 0;     // congestion control: padding to learn if a link carries more
};

// Network thread only. Held by std::shared_ptr (make_shared): its handlers keep it alive.
class RealtimeSender : public std::enable_shared_from_this<RealtimeSender> {
 public:
  // Told on the network thread.
  class Listener {
   public:
    virtual ~Listener() = default;
    // A console reported picture loss and may have a keyframe (at most one per `keyframe_interval` each).
    virtual void on_keyframe_request(ConsoleId console) = 0;
    // One authenticated voice packet (Opus RTP, the whole plain packet) from a console that may speak.
    virtual void on_console_voice(ConsoleId console, const media::RtpHeader& header,
                                  std::span<const std::uint8_t> packet) = 0;
    // A console reported the rate its link carries (narrowest_estimate() may have changed).
    virtual void on_rate_estimate(ConsoleId /*console*/) {}
    // No console's link has been heard for kUnheardAfter (up to kUnheardUntil; every console heard before):
    // the next frame should be a keyframe, so that the first picture to arrive when a link comes back can be
    // decoded (asked once per frame while it lasts).
    virtual void on_video_unheard() {}
  };

  // Binds the port; throws std::runtime_error naming the address when it cannot be used.
  RealtimeSender(boost::asio::io_context& io, const boost::asio::ip::udp::endpoint& at,
                 media::SrtpProfile profile, const core::Clock& clock, Listener& listener,
                 core::FaultCounters& faults,
                 std::chrono::milliseconds keyframe_interval = std::chrono::milliseconds{1000});
  void start();
  void stop();

  // A console admitted with its media address and the keys of its connection; `may_speak`: a mentor (an
  // observer's voice packets are refused and counted).
  // `prior`: its link as its pre-flight measured it, until its first report (narrowest_estimate,
  // parity_loss; it then does not count as unreported).
  void add(ConsoleId console, const boost::asio::ip::udp::endpoint& media, const SrtpKeys& keys,
           bool may_speak, std::optional<LinkPrior> prior = std::nullopt);
  void remove(ConsoleId console);

  // Video to every console: at once, or paced (set_pacing).
  void send_video(media::EncodedPackets encoded);
  // Video leaves at most at `bps` on average, with bursts of up to kPacingBurst of it (a keyframe is spread
  // over tens of milliseconds instead of overflowing a narrow link's queue); nullopt: at once, as encoded.
  // Voice, vitals and retransmissions are never paced.
  void set_pacing(std::optional<std::uint64_t> bps);
  // Video packets a console asks for again (NACK) are resent on this RTX stream (RFC 4588); 0: never.
  void set_retransmission(std::uint32_t rtx_ssrc, std::uint8_t rtx_payload_type);
  // The vitals stream's SSRC (0: none) and first sequence number.
  void set_vitals_stream(std::uint32_t ssrc, std::uint16_t first_sequence);
  // Vitals RTP payloads (vitals/vitals_packet.hpp), one packet each, to every console.
  void send_vitals(const std::vector<std::vector<std::uint8_t>>& payloads, core::CaptureTime now);

  // The OR's voice (one Opus RTP packet each, with its capture time) to every console.
  void send_voice(const media::EncodedPackets& voice);
  // A mentor's voice packet (plain, as received) to every other console: mentors hear each other.
  void relay_voice(ConsoleId from, std::span<const std::uint8_t> packet);

  // The OR's privacy pause (DESIGN.md §8): while withheld, no video, parity, retransmission or OR voice
  // leaves, and what waits in the pacer is dropped at once. Vitals and mentors' voices relayed go on. After
  // it, video resumes with the first keyframe; both streams' sequence numbers go on without the withheld
  // packets, so no console takes the pause for loss.
  void withhold_media(bool withheld);

  // The lowest rate any console's link is reported to carry (REMB), or, until its first report, was measured
  // to carry by its pre-flight; nullopt while none has either. One encoder serves every console, so the
  // narrowest link sets its rate.
  std::optional<std::uint64_t> narrowest_estimate() const;
  // `console`'s round trip (from its latency report): how long a retransmission to it takes.
  void set_round_trip(ConsoleId console, std::chrono::nanoseconds round_trip);
  // The highest share of video packets lost (RTCP RR, before repair) on a console link whose round trip is
  // too long for retransmission alone (kRetransmitAloneUnder; not yet known counts as long). None while no
  // console has reported. A console's pre-flight stands for its report until the first.
  std::optional<double> parity_loss() const;
  // Whether a console was added whose first receiver report has not come (within kReportWithin) and no
  // pre-flight measured its link: its link's loss is not known.
  bool any_link_unreported() const;
  // Whether narrowest_estimate() is a console's pre-flight figure, not a report.
  bool narrowest_from_preflight() const;
  // The consoles whose first receiver report has not come within kReportWithin of joining (their RTCP does
  // not reach the sender): from now on their links no longer count as unknown. Each is returned once.
  std::vector<ConsoleId> give_up_unreported(core::CaptureTime now);
  static constexpr std::chrono::seconds kReportWithin{3};
  // The share of video packets `console` reports lost (its latest RR, before repair); 0 with none.
  double loss_of(ConsoleId console) const;
  // Probing (congestion control): a console whose estimate is under `bps` is sent, now and then, a cluster
  // of padding (kProbePayloadType on the RTX stream) at about its estimate on top of the video, for a few
  // tens of milliseconds. Its receiver judges from how the cluster arrived whether the link carries that
  // much, and its next estimate says so. A probe that found room is followed by the next after
  // kProbeAgainAfter; one that did not by the next after kProbeAfterNo. A link that loses more than
  // kProbeMaxLoss is not probed. 0: never.
  void set_probe_ceiling(std::uint64_t bps) { probe_ceiling_bps_ = bps; }
  // The parity stream (forward error correction); 0: none.
  void set_fec_stream(std::uint32_t ssrc, std::uint8_t payload_type);
  // One parity packet after every `packets` video packets; 0: none.
  void set_fec_block(std::size_t packets);

  // Pre-flight (session/preflight.hpp): a console measuring its link before a case is no member of the
  // session and gets no media; its probe packets (kProbePayloadType, authenticated with its keys) go to its
  // ProbeReceiver. Told on the network thread.
  class ProbeReceiver {
   public:
    virtual ~ProbeReceiver() = default;
    virtual void on_probe(std::span<const std::uint8_t> payload, core::CaptureTime arrival) = 0;
  };
  // `receiver` must stay valid until remove_probe_peer().
  void add_probe_peer(ConsoleId id, const boost::asio::ip::udp::endpoint& media, const SrtpKeys& keys,
                      ProbeReceiver& receiver);
  void remove_probe_peer(ConsoleId id);
  // Protects and sends one probe RTP packet of `length` bytes from `buffer` to a probe peer; returns the
  // bytes sent, 0 if it could not go (counted).
  std::size_t send_probe(ConsoleId id, std::span<const std::uint8_t> packet);
  std::size_t probe_peers() const { return probes_.size(); }

  std::uint16_t port() const;
  const RealtimeCounters& counters() const { return counters_; }

 private:
  struct Console {
    boost::asio::ip::udp::endpoint media;
    std::unique_ptr<media::SrtpSession> outbound, inbound;
    std::optional<core::CaptureTime> last_keyframe;
    bool may_speak = false;
    std::uint16_t rtx_sequence = 0;
    std::optional<std::uint64_t> estimated_bps{};  // its latest REMB
    double loss = 0;                               // its latest RR's fraction lost
    bool reported = false;                         // an RR with its fraction lost came
    bool report_given_up = false;                  // none came within kReportWithin
    std::optional<LinkPrior> prior{};              // its pre-flight's figures; dropped at its first RR
    core::CaptureTime added_at{};
    std::optional<std::chrono::nanoseconds> round_trip{};
    // What its link carries: its latest REMB, else its pre-flight's rate; none before either.
    std::optional<std::uint64_t> link_bps() const {
      return estimated_bps ? estimated_bps : prior ? std::optional(prior->bps) : std::nullopt;
    }
    // Its last authenticated RTCP or voice packet; none yet: a console whose packets never reach the sender
    // (a firewall that passes only the OR's way) is not taken for a dark link.
    std::optional<core::CaptureTime> last_heard{};
    // Retransmissions this console may cause: a console on a bad link must not double the OR's upload.
    core::TokenBucket retransmit_budget{kRetransmitPerSecond, kRetransmitPerSecond / 2};
    // Probing this console's link.
    struct {
      core::CaptureTime next_at{};                 // no probe before
      std::optional<core::CaptureTime> answer_at;  // a probe was sent: the first estimate after this answers
      std::uint64_t from_bps = 0;                  // the estimate when it was sent
    } probe{};
  };
  static constexpr std::chrono::milliseconds kProbeAgainAfter{300};
  static constexpr std::chrono::milliseconds kProbeAfterNo{1000};
  static constexpr double kProbeMaxLoss = 0.002;
  static constexpr std::chrono::milliseconds kProbeQuietAfterDecrease{1000};
  static constexpr std::size_t kProbePacketBytes = 1000;  // RTP payload of each probe packet
  static constexpr double kRetransmitPerSecond = 400;     // packets: ~2/3 of a 1080p stream's
  // The last plain video packets sent, by sequence number (~2 s at 1080p): what a NACK can be answered from.
  static constexpr std::size_t kHistory = 2048;
  static constexpr std::size_t kFecStride = 4;
  // Under this round trip a lost packet comes back before the frame is due, so its link needs no parity
  // (libwebrtc's kLowRttNackMs: NACK only below 20 ms, NACK and FEC above).
  static constexpr std::chrono::milliseconds kRetransmitAloneUnder{20};
  // A console that receives video reports once a second (REMB and RR; the first a second after its first
  // packets); silence this long means its link carries nothing back, and very likely nothing forth.
  static constexpr std::chrono::milliseconds kUnheardAfter{2000};
  // … and no longer than this: a link dark for so long is being given up on (the same 10 s as [session]
  // liveness_s's default, which drops a console whose control channel is silent; a console whose control
  // channel still answers stays, and the stream goes back to ordinary pictures for whoever is there).
  static constexpr std::chrono::milliseconds kUnheardUntil{10'000};
  bool every_console_unheard(core::CaptureTime now) const;
  struct Sent {
    std::uint16_t sequence = 0;
    std::vector<std::uint8_t> bytes;
  };

  struct ProbePeer {
    boost::asio::ip::udp::endpoint media;
    std::unique_ptr<media::SrtpSession> outbound, inbound;
    ProbeReceiver* receiver = nullptr;
  };
  void receive();
  void on_datagram(std::size_t size);
  void on_probe_datagram(ProbePeer& peer, std::size_t size);
  // The datagram in receive_buffer_, unprotected with `inbound` and parsed (`packet`: the plain packet);
  // nullopt, counted, when it is not an authentic RTP packet.
  std::optional<media::RtpHeader> open_rtp(media::SrtpSession& inbound, std::size_t size,
                                           std::span<const std::uint8_t>& packet);
  std::size_t protect_and_send(Console& console, std::size_t length);
  void on_voice_datagram(std::map<ConsoleId, Console>::iterator from, std::size_t size);
  void retransmit(Console& console, const std::vector<std::uint16_t>& sequences);
  void send_paced();
  // A probe cluster for this console, if its link may carry more (set_probe_ceiling); `bps`: its new
  // estimate.
  void consider_probe(ConsoleId id, Console& console, std::uint64_t bps);
  // The packets of the cluster being sent whose time has come; the timer set for the next.
  void send_probe_packets();
  // The video packet out, at once or into the pacer's queue.
  // A parity payload as a packet of the FEC stream, paced like the video.
  void dispatch_parity(std::span<const std::uint8_t> parity, std::uint32_t timestamp,
                       core::CaptureTime capture_time);
  void dispatch_video(std::vector<std::uint8_t>&& packet, core::CaptureTime capture_time,
                      bool first_of_frame);
  void send_video_packet(const std::vector<std::uint8_t>& packet, core::CaptureTime capture_time,
                         bool first_of_frame);

  boost::asio::ip::udp::socket socket_;
  boost::asio::steady_timer pacing_timer_;
  media::SrtpProfile profile_;
  const core::Clock& clock_;
  Listener& listener_;
  core::FaultCounters& faults_;
  std::chrono::milliseconds keyframe_interval_;
  std::map<ConsoleId, Console> consoles_;
  std::map<ConsoleId, ProbePeer> probes_;
  std::vector<std::uint8_t> send_buffer_ = std::vector<std::uint8_t>(2048);
  std::vector<std::uint8_t> receive_buffer_ = std::vector<std::uint8_t>(2048);
  boost::asio::ip::udp::endpoint receive_from_;
  core::CaptureTime last_frame_capture_{}, counted_capture_{};
  std::vector<Sent> history_ = std::vector<Sent>(kHistory);
  std::uint32_t fec_ssrc_ = 0;
  std::uint8_t fec_payload_type_ = 0;
  std::uint16_t fec_sequence_ = 0;
  media::XorFecEncoder fec_;
  std::uint32_t rtx_ssrc_ = 0;
  std::uint8_t rtx_payload_type_ = 0;
  std::uint32_t vitals_ssrc_ = 0;
  std::uint16_t vitals_sequence_ = 0;
  RealtimeCounters counters_;
  // Pacing.
  static constexpr std::chrono::milliseconds kPacingBurst{20};
  struct Paced {
    std::vector<std::uint8_t> bytes;
    core::CaptureTime capture_time{};
    bool first_of_frame = false;
  };
  std::optional<std::uint64_t> pacing_bps_;
  std::deque<Paced> paced_;
  double pacing_budget_ = 0;
  std::optional<core::CaptureTime> pacing_refilled_;
  bool pacing_armed_ = false;
  bool stopped_ = false;
  // Probing: one cluster at a time, to one console.
  std::uint64_t probe_ceiling_bps_ = 0;
  struct ProbeCluster {
    ConsoleId console{};
    std::uint32_t id = 0, packets = 0, sent = 0;
    core::CaptureTime start{};
    std::chrono::nanoseconds spacing{};
  };
  std::optional<ProbeCluster> probing_;
  std::uint32_t probe_clusters_ = 0;
  boost::asio::steady_timer probe_timer_;
  // The privacy pause: kWithheld while paused, kAwaitingKeyframe after it until a keyframe starts.
  enum class Withholding { kNone, kWithheld, kAwaitingKeyframe } withholding_ = Withholding::kNone;
  // Packets withheld so far per stream: subtracted from the sequence numbers of the packets sent after.
  std::uint16_t video_sequence_shift_ = 0, voice_sequence_shift_ = 0;
};

}  // namespace surgilink::session
