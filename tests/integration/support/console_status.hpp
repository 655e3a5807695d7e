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

// A console status line saying it has decoded a picture (false for anything else, a missing line included).
inline bool has_a_picture(const nlohmann::json& status) {
  return status.is_object() && status.value("frames_decoded", 0) > 0;
}

}  // namespace surgilink::testing
