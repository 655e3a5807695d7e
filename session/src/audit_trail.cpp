#include "surgilink/session/audit_trail.hpp"

#include <unistd.h>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "surgilink/core/safe_text.hpp"
#include "surgilink/session/audit_log.hpp"
#include "surgilink/session/case_event_log.hpp"

namespace surgilink::session {

namespace {
constexpr std::size_t kMaxFieldBytes = 512;
}

AuditTrail::AuditTrail(const std::optional<std::filesystem::path>& audit_log,
                       const std::optional<std::filesystem::path>& key_file, const core::Clock& clock,
                       std::chrono::seconds repeat_interval)
    : clock_(clock), repeats_(repeat_interval) {
  if (!audit_log) return;
  std::vector<std::uint8_t> key;
  if (key_file) {
    key = load_audit_key(*key_file);
    if (::geteuid() == 0)
      spdlog::warn(
          "the sender runs as root: its audit key {} cannot be protected from it; run it as a service user",
          key_file->string());
  } else {
    spdlog::warn("audit log {} without [audit] key_file: a log rewritten whole would not be detected",
                 audit_log->string());
  }
  file_ = std::make_unique<AuditLog>(*audit_log, std::move(key));
  if (!file_->torn_line().empty())
    record({"torn_line_recovered",
            {{"bytes", std::to_string(file_->torn_line().size())}},
            AuditEvent::Level::kWarning});
}

bool AuditTrail::healthy() const { return !file_ || file_->healthy(); }

AuditTrail::~AuditTrail() = default;

std::uint64_t AuditTrail::lines() const { return file_ ? file_->lines() : 0; }

void AuditTrail::set_event_log(std::shared_ptr<CaseEventLog> log) { event_log_ = std::move(log); }

void AuditTrail::record(const AuditEvent& event) {
  if (!event.repeat_key.empty() && !repeats_.first(event.repeat_key, clock_.now())) {
    ++repeats_counted_;
    return;
  }
  write(event);
}

void AuditTrail::flush(bool all) {
  const auto now = clock_.now();
  for (const auto& r : repeats_.ended(all ? core::CaptureTime::max() : now)) {
    write({"repeated",
           {{"what", r.key}, {"count", std::to_string(r.count)}, {"within_s", "10"}},
           AuditEvent::Level::kWarning,
           {}});
  }
  if (file_) file_->sync(now);
}

void AuditTrail::write(const AuditEvent& raw) {
  AuditEvent event{core::safe_text(raw.event, 64), {}, raw.level, {}};
  for (const auto& [k, v] : raw.fields)
    event.fields.emplace_back(core::safe_text(k, 64), core::safe_text(v, kMaxFieldBytes));
  std::string text = "audit: " + event.event;
  for (const auto& [k, v] : event.fields) text += " " + k + "=" + v;
  switch (event.level) {
    case AuditEvent::Level::kWarning:
      spdlog::warn("{}", text);
      break;
    case AuditEvent::Level::kInfo:
      spdlog::info("{}", text);
      break;
    case AuditEvent::Level::kDebug:
      spdlog::debug("{}", text);  // dozens a second (a stroke's points): the audit file has them
      break;
  }
  const auto now = clock_.now();
  if (file_) file_->append(now, event.event, event.fields);
  // Annotations have rows of their own in the event log (with the operation's bytes).
  if (event_log_ && event.event != "annotation") {
    nlohmann::json j = {{"event", event.event}};
    for (const auto& [k, v] : event.fields) j[k] = v;
    event_log_->append(now, "session", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

}  // namespace surgilink::session
