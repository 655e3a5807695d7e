#pragma once
// Where the sender's audit events go (DESIGN.md §7): the process log ("audit: join console=…"), the
// hash-chained audit log when configured, and, while recording, the case's event log. Peers' strings are made
// safe here (valid UTF-8, no control characters, bounded), and a refusal a peer can repeat at will is written
// once per key and interval, then summarised ("repeated", with the count).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/repeat_limiter.hpp"
#include "surgilink/session/session_authority.hpp"

namespace surgilink::session {

class AuditLog;
class CaseEventLog;

// Network thread only.
class AuditTrail {
 public:
  // Opens (or continues) the audit log, with keyed checkpoints when `key_file` is set; throws
  // std::runtime_error as AuditLog and load_audit_key do.
  AuditTrail(const std::optional<std::filesystem::path>& audit_log,
             const std::optional<std::filesystem::path>& key_file, const core::Clock& clock,
             std::chrono::seconds repeat_interval = std::chrono::seconds{10});
  ~AuditTrail();

  void record(const AuditEvent& event);
  // Once a second: the summaries of repeats whose interval ended, and the audit log on disk (fsync, keyed
  // checkpoint when due). `all`: every summary now (at stop).
  void flush(bool all = false);
  // False while the audit log cannot be written: the OR display says so (DESIGN.md §8).
  bool healthy() const;
  // While recording, session events also go to `log` (and the roster is written by the session).
  void set_event_log(std::shared_ptr<CaseEventLog> log);
  CaseEventLog* event_log() const { return event_log_.get(); }

  std::uint64_t lines() const;           // written to the audit log file
  std::uint64_t repeats_counted() const  // refusals counted, not written one by one
  {
    return repeats_counted_;
  }

 private:
  void write(const AuditEvent& event);

  const core::Clock& clock_;
  std::unique_ptr<AuditLog> file_;
  std::shared_ptr<CaseEventLog> event_log_;
  core::RepeatLimiter repeats_;
  std::uint64_t repeats_counted_ = 0;
};

}  // namespace surgilink::session
