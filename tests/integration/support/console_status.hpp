#pragma once
// Reading a headless console's JSON status lines in a test.

#include <chrono>

#include <nlohmann/json.hpp>

#include "process/child_process.hpp"

namespace surgilink::testing {

// Reads the console's JSON status lines until `done(status)` holds or `lines` lines went by (each waited for
// at most 3 s); returns the last.
template <typename Done>
nlohmann::json wait_for_status(tools::ChildProcess& console, int lines, Done done) {
  nlohmann::json last;
  for (int i = 0; i < lines; ++i) {
    const auto line = console.read_line(std::chrono::milliseconds{3000});
    if (!line) continue;
    last = nlohmann::json::parse(*line, nullptr, false);
    if (!last.is_discarded() && done(last)) return last;
  }
  return last;
}

}  // namespace surgilink::testing
