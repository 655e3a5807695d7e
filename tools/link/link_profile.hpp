#pragma once
// A link profile: how the emulated path between the OR's and the mentor's namespace behaves, per direction
// (delay, jitter, random and burst loss, rate and queue) and over time (rate steps, outages). Read from a
// TOML file in configs/links/ (README: Link emulator). Pure data; no thread rules.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace surgilink::tools::link {

// The two directions of the emulated path.
enum class Direction { or_to_mentor, mentor_to_or };
const char* describe(Direction direction);

// The bad state of a Gilbert–Elliott channel. Per packet: from the good state the channel enters the bad
// state with probability `enter` (p), leaves it with probability `leave` (r); a packet is lost in the bad
// state with probability `loss`. enter == 0: no bad state (only the good state's random loss).
struct BurstLoss {
  double enter = 0.0;
  double leave = 1.0;
  double loss = 1.0;
};

// One direction of the path.
struct DirectionProfile {
  // One-way propagation delay; each packet gets delay + a uniform draw in [-jitter, +jitter].
  std::chrono::microseconds delay{0};
  std::chrono::microseconds jitter{0};
  // false: a packet never overtakes one sent before it (jitter is cut where it would reorder).
  bool reorder = false;
  // Random loss (probability per packet) in the Gilbert–Elliott good state.
  double loss = 0.0;
  BurstLoss burst;
  // Bottleneck rate in bits per second; 0 = unlimited. Packets wait in a FIFO that holds at most
  // `queue` of sending time at the current rate; beyond that they are dropped (tail drop).
  double rate_bps = 0.0;
  std::chrono::milliseconds queue{100};

  // Long-run share of packets lost by the loss model (good and bad state together).
  double mean_loss() const;
};

// A change at a time of the schedule: a new rate and/or the start (true) or end (false) of a blackhole.
struct ScheduleStep {
  std::chrono::milliseconds at{0};
  std::optional<double> rate_bps;
  std::optional<bool> blackhole;
  bool or_to_mentor = true;
  bool mentor_to_or = true;

  bool applies_to(Direction direction) const {
    return direction == Direction::or_to_mentor ? or_to_mentor : mentor_to_or;
  }
};

struct LinkProfile {
  std::string name;
  std::string description;
  DirectionProfile or_to_mentor;
  DirectionProfile mentor_to_or;
  // The schedule repeats every `period` from the emulator's start; 0: it runs once. Steps sorted by `at`.
  std::chrono::milliseconds period{0};
  std::vector<ScheduleStep> steps;

  const DirectionProfile& direction(Direction d) const {
    return d == Direction::or_to_mentor ? or_to_mentor : mentor_to_or;
  }
};

// Reads a profile; throws core::ConfigError naming the file, line and key for a missing file, bad TOML, an
// unknown key or a value out of range.
LinkProfile load_link_profile(const std::filesystem::path& file);
LinkProfile parse_link_profile(std::string_view text, const std::string& file_name);

// One line per direction and the schedule, for the emulator's start-up log.
std::string summary(const LinkProfile& profile);

}  // namespace surgilink::tools::link
