#pragma once
// Process-wide logging: levelled lines on stderr, so stdout stays free for status lines and JSON.

#include <string>

namespace surgilink::core {

// Sets up the default spdlog logger for `program` at `level` (trace, debug, info, warn, error).
// Throws ConfigError for an unknown level name. Call once from main() before any thread starts.
void setup_logging(const std::string& program, const std::string& level);

}  // namespace surgilink::core
