#pragma once
// The receiver's estimate of the rate its link carries (congestion control, DESIGN.md §13), as the
// receive-side controller of Google Congestion Control (draft-ietf-rmcat-gcc-02 §5, §6): the delay gradient
// between frames (a trend line over the last frames, compared with an adaptive threshold) says whether a
// queue is building; an AIMD controller then lowers the rate to 85 % of what arrived when it is, raises it
// while it is not; loss above 10 % lowers it, loss between 5 and 10 % holds it. A queue deeper than
// kQueueBreakMs (a stream above the link's capacity, or a link whose capacity collapsed under the stream)
// lowers it at once to 85 % of what the link delivered over the last 100 ms, without waiting for the trend
// (slow to see a queue on a link that jitters) or the loss of a whole second. A probe
// cluster (padding the sender adds on top of the video for a few tens of milliseconds) that arrives as fast
// as it left shows the link carries the video and the probe together: the estimate rises to that at once,
// where the increase alone would take many seconds (libwebrtc's probing). The receiver sends the estimate
// to the sender (RTCP REMB), which sets its encoder to it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::media {

// What the delay gradient says about the link's queue.
enum class LinkUsage : std::uint8_t { kNormal, kOverusing, kUnderusing };
const char* describe(LinkUsage usage);

// One thread (the console's network thread).
class ReceiveRateEstimator {
 public:
  struct Settings {
    std::uint64_t min_bps = 150'000;  // never asks the sender for less
    std::uint64_t max_bps = 50'000'000;
    // How often an unchanged estimate is sent again; a drop of 3 % or more is sent at once.
    std::chrono::milliseconds report_interval{1000};
  };

  explicit ReceiveRateEstimator(Settings settings);
  ReceiveRateEstimator() : ReceiveRateEstimator(Settings{}) {}

  // One packet of the video stream as it arrived (retransmissions are not fed: they left late on
  // purpose). `send_time` is the sender's send time, carried by the first packet of each frame only.
  void on_packet(std::uint16_t sequence, std::uint32_t rtp_timestamp,
                 std::optional<core::CaptureTime> send_time, core::CaptureTime arrival, std::size_t bytes);
  // Whether the last packet given to on_packet came after an outage (nothing for over half a second): the
  // link is back.
  bool ended_outage() const { return ended_outage_; }
  // Retransmissions and parity that arrived: they count in what the link carries (a decrease goes to a
  // share of everything that arrived), not in the delay gradient or the loss.
  void on_repair_bytes(core::CaptureTime arrival, std::size_t bytes);
  // One packet of probe cluster `cluster` (of `packets` packets) that the sender sent at `send_time`: counts
  // in what the link carries; the cluster is judged when its last packet arrives, or in due() once no more
  // come.
  void on_probe(std::uint32_t cluster, std::uint32_t packets, core::CaptureTime send_time,
                core::CaptureTime arrival, std::size_t bytes);
  // The link's round trip, when known: the additive increase adds about one packet per round trip.
  void set_round_trip(std::chrono::nanoseconds round_trip) { round_trip_ = round_trip; }

  // The estimate to send now, if one is due (the first after a second of packets, then once per
  // report_interval, at once after a drop of 3 % or more, and at once after a probe that found room). Call
  // after on_packet or from a timer.
  std::optional<std::uint64_t> due(core::CaptureTime now);

  std::optional<std::uint64_t> estimate_bps() const { return estimate_; }
  std::uint64_t incoming_bps() const { return incoming_bps_; }
  LinkUsage usage() const { return usage_; }
  double loss_fraction() const { return loss_fraction_; }  // over the last second
  // Over every second measured since the first packet (outages left out): what the link lost before repair.
  double run_loss_fraction() const;
  // Interarrival jitter (RFC 3550 §6.4.1) of the frames' first packets against their send times, in ms:
  // how much the link's delay varies, pacing and encoding left out.
  double jitter_ms() const { return jitter_ms_; }
  std::int64_t highest_sequence() const { return last_sequence_.value_or(0); }  // extended
  std::uint64_t decreases() const { return decreases_; }
  // The rate that last congested the link (kbit/s), while it is remembered: the estimate climbs additively
  // near it. None: no limit known, the estimate climbs at 8 % a second.
  std::optional<double> limit_kbps() const { return average_max_kbps_; }
  // Probe clusters judged: arrived as fast as they left (the estimate may rise), or spread out by a queue.
  std::uint64_t probes_succeeded() const { return probes_succeeded_; }
  std::uint64_t probes_failed() const { return probes_failed_; }
  // The frames' queueing delay now: their delay above its lowest over the last 10 s, in ms.
  double queueing_ms() const { return queueing_ms_; }

  // A standing queue this deep is congestion on any link: a link's own buffer is often 50 to 300 ms deep, and
  // acting here, before the buffer overflows, spares the burst of drops that parity cannot repair.
  static constexpr double kQueueBreakMs = 60;

 private:
  struct Frame {
    std::uint32_t timestamp = 0;
    core::CaptureTime send{}, arrival{};  // of its first packet
  };
  void frame_sent(const Frame& frame);
  void detect(double arrival_ms, double delta_ms);
  void update_rate(core::CaptureTime now);
  void note_loss_window(core::CaptureTime now);
  bool may_decrease(core::CaptureTime now) const;
  double recent_incoming_bps(core::CaptureTime now, std::chrono::nanoseconds window) const;
  void judge_probe(core::CaptureTime now);

  Settings settings_;
  // Frames (packets of one RTP timestamp) and the trend of their accumulated delay variation.
  std::optional<Frame> last_frame_;
  std::optional<core::CaptureTime> first_arrival_;
  double accumulated_ms_ = 0, smoothed_ms_ = 0;
  std::deque<std::pair<double, double>> trend_;  // (arrival ms, smoothed delay ms), at most kTrendWindow
  std::uint64_t deltas_ = 0;
  double threshold_ = 12.5, previous_trend_ = 0;
  double jitter_ms_ = 0;
  // The lowest accumulated delay over the last 10 s (ascending minima: (arrival ms, accumulated ms)).
  std::deque<std::pair<double, double>> delay_floor_;
  double queueing_ms_ = 0;
  int deep_queue_frames_ = 0;
  bool queue_break_ = false;  // the queue is too deep: decrease at the next rate update
  std::optional<double> overusing_since_ms_;
  int overuse_count_ = 0;
  double last_detect_ms_ = 0;
  LinkUsage usage_ = LinkUsage::kNormal;
  bool usage_signalled_ = false;  // a detection the rate controller has not acted on yet
  // What arrived in the last second.
  std::deque<std::pair<core::CaptureTime, std::size_t>> arrivals_;
  std::size_t window_bytes_ = 0;
  std::uint64_t incoming_bps_ = 0;
  // Loss over windows of a second, from the sequence numbers.
  std::int64_t window_first_sequence_ = 0;  // of the window since window_started_
  std::uint64_t window_received_ = 0;
  std::optional<core::CaptureTime> window_started_;
  std::optional<std::int64_t> last_sequence_;
  double loss_fraction_ = 0;
  std::uint64_t run_expected_ = 0, run_received_ = 0;  // summed over the closed windows
  // The AIMD controller.
  enum class Control : std::uint8_t { kHold, kIncrease, kDecrease };
  Control control_ = Control::kIncrease;
  std::optional<std::uint64_t> estimate_;
  std::optional<core::CaptureTime> last_update_, last_sent_at_, last_decrease_, last_arrival_;
  std::optional<std::uint64_t> last_sent_;
  std::optional<double> average_max_kbps_;
  double max_variance_ = 0.4;
  std::chrono::nanoseconds round_trip_{std::chrono::milliseconds{100}};
  std::uint64_t decreases_ = 0;
  // The probe cluster arriving now.
  struct ProbeCluster {
    std::uint32_t id = 0, expected = 0, received = 0;
    std::size_t bytes = 0;
    core::CaptureTime first_send{}, last_send{}, first_arrival{}, last_arrival{};
  };
  std::optional<ProbeCluster> probe_;
  std::optional<std::uint32_t> last_probe_id_;
  // What the last successful probe showed the link carries, and when: the increase may reach it although
  // the video does not send that much yet.
  std::optional<double> probed_bps_;
  std::optional<core::CaptureTime> probed_at_;
  std::uint64_t probes_succeeded_ = 0, probes_failed_ = 0;
  bool ended_outage_ = false;
  bool probe_raised_ = false;  // a probe raised the estimate: due() reports it at once
};

}  // namespace surgilink::media
