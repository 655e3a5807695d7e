#pragma once
// Bounded logging of what peers cause: the first occurrence of an event per key (a source address, a
// console and a kind of refusal) is told in full; repeats within the interval are only counted and told as
// one summary when the interval ends. 3,000 half-open connections then cost a few lines, not 6,000.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::core {

// One thread (the network thread). Keys are kept only while they repeat: memory follows the active keys.
class RepeatLimiter {
 public:
  // At most `max_keys` keys are tracked; beyond that, new keys are counted under one overflow key.
  explicit RepeatLimiter(std::chrono::nanoseconds interval = std::chrono::seconds{10},
                         std::size_t max_keys = 1024);

  // True when this occurrence should be told in full (the first of its key in the interval); false when it
  // is only counted.
  bool first(const std::string& key, CaptureTime now);

  // What repeated: a key and how many occurrences were not told, for the intervals that ended by `now`.
  struct Repeats {
    std::string key;
    std::uint64_t count = 0;
  };
  std::vector<Repeats> ended(CaptureTime now);

  static constexpr const char* kOverflowKey = "(other sources)";

 private:
  struct Entry {
    CaptureTime since;
    std::uint64_t repeats = 0;
  };
  std::chrono::nanoseconds interval_;
  std::size_t max_keys_;
  std::map<std::string, Entry> entries_;
};

}  // namespace surgilink::core
