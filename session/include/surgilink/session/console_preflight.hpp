#pragma once
// A console's pre-flight (issue 15): connects to the sender as for a case (TLS with certificates, the
// sender's access list, SRTP keys from the TLS session), asks for a pre-flight instead of joining, exchanges
// probes on the realtime channel for the granted time (session/preflight.hpp), judges the link and tells
// the sender the outcome, which keeps it as evidence. Runs on the process's one io_context thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"
#include "surgilink/session/console_session.hpp"
#include "surgilink/session/preflight.hpp"

namespace surgilink::session {

// What a pre-flight found. Plain value type.
struct PreflightOutcome {
  bool measured = false;  // false: refused, unreachable or lost; `problem` says why
  std::string problem;
  std::string site_name;      // as the sender names itself
  std::string video_profile;  // the sender's profile: the most the verdict names
  std::string display_name;   // who the sender's access list says we are
  std::chrono::milliseconds duration{0};
  std::uint64_t max_rate_bps = 0;  // the ramp's cap, as granted
  PreflightFigures figures;
  LinkVerdict verdict;
};

// Network thread only.
class ConsolePreflight {
 public:
  // Told once, on the network thread, when the pre-flight ends (measured or not).
  using Done = std::function<void(const PreflightOutcome&)>;
  // `connection`: the site's address, certificates and timeouts as for a session; `duration` is validated by
  // the caller (check_preflight_duration). Throws std::runtime_error for unusable certificate files.
  ConsolePreflight(boost::asio::io_context& io, ConsoleSessionSettings connection,
                   std::chrono::milliseconds duration, const core::Clock& clock, Done done);
  ~ConsolePreflight();
  ConsolePreflight(const ConsolePreflight&) = delete;
  ConsolePreflight& operator=(const ConsolePreflight&) = delete;

  void start();
  // Ends it now (Done is not told).
  void stop();
  const core::FaultCounters& faults() const;

  struct Parts;

 private:
  std::shared_ptr<Parts> parts_;
};

}  // namespace surgilink::session
