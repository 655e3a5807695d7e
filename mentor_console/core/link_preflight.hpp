#pragma once
// surgilink-console --preflight SITE: measures the link to the site's sender before a case
// (session/console_preflight.hpp) and prints what it carries, in words and figures or as JSON.

#include <chrono>
#include <string>

#include "console_settings.hpp"
#include "surgilink/session/console_preflight.hpp"

namespace surgilink::console {

// One line for people ("St. Mary's OR 2: This link carries 720p30 (...). rtt p50 ...") or one JSON object
// (keys documented in README.md).
std::string format_preflight(const session::PreflightOutcome& outcome, bool json);

// Runs the pre-flight on the calling thread (the process's network thread) and prints its outcome on stdout.
// Returns 0 when measured (whatever the verdict), 4 when refused, unreachable or lost (the reason on stderr
// and in the JSON), 130 when interrupted.
int run_preflight(const ConsoleSettings& settings, std::chrono::milliseconds duration, bool json);

}  // namespace surgilink::console
