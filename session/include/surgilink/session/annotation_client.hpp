#pragma once
// A console's side of telestration (DESIGN.md §5): the sender's scene as this console knows it, with its own
// proposals drawn at once (local echo) until the sender confirms or refuses them, and how long the sender
// takes to confirm. Pure: wire bytes in and out, times passed in; the session sends and receives.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "surgilink/annotation/operation.hpp"
#include "surgilink/annotation/refusal.hpp"
#include "surgilink/annotation/scene.hpp"
#include "surgilink/annotation/scene_replica.hpp"
#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/latency_statistics.hpp"
#include "surgilink/session/clock_sync.hpp"

namespace surgilink::session {

// One of this console's operations as the sender confirmed it: when the mentor made it (sender clock, through
// clock sync) and its sequence number. The benchmark joins these with the OR display's composite times.
struct ConfirmedInput {
  std::uint64_t sequence = 0;
  core::CaptureTime input_at{};  // sender clock
};

// Network thread only.
class AnnotationClient {
 public:
  // A new connection as author `author` ("c2"): the scene is empty until the sender's arrives.
  void connect(const std::string& author);
  void disconnect();
  bool connected() const { return replica_ != nullptr; }

  // The sender's whole scene (on join). False (the fault counted by the caller) for bytes that do not decode.
  annotation::Checked<void> on_scene(std::span<const std::uint8_t> bytes);
  // One operation the sender sequenced (anyone's). True when the view changed. An operation out of step
  // with the sender (a gap) makes the view start again from what is new, never differ from the surgeon's.
  annotation::Checked<bool> on_operation(std::span<const std::uint8_t> bytes, core::CaptureTime now,
                                         const ClockSync& sync);
  // The sender refused this console's oldest pending proposal.
  void on_refused();
  // This console's operation: its wire bytes to send; the view shows it at once (pointers excepted).
  std::vector<std::uint8_t> propose(const annotation::AnnotationOperation& op, core::CaptureTime now,
                                    const ClockSync& sync);
  // Time-limited annotations end on the sender's clock; true when the view changed.
  bool expire(core::CaptureTime now, const ClockSync& sync);

  // The scene to draw: confirmed + pending. Never null.
  std::shared_ptr<const annotation::Scene> view() const;

  struct Counters {
    std::uint64_t proposed = 0, confirmed = 0, refused = 0, operations = 0;
    std::uint64_t resyncs = 0;  // out of step with the sender: started again from what is new
  };
  const Counters& counters() const { return counters_; }
  core::LatencySummary echo_run() const { return echo_.summary(); }
  // At most kMaxInputs, the first ones (the benchmark's runs are minutes long).
  const std::vector<ConfirmedInput>& inputs() const { return inputs_; }
  static constexpr std::size_t kMaxInputs = 100'000;

 private:
  std::string author_;
  std::unique_ptr<annotation::SceneReplica> replica_;
  std::deque<core::CaptureTime> pending_;  // console clock, oldest first
  Counters counters_;
  core::LatencySeries echo_;  // proposal sent → confirmed
  std::vector<ConfirmedInput> inputs_;
};

}  // namespace surgilink::session
