// libFuzzer target: checking the sender's hash-chained audit log (session/audit_log.hpp), a file that may
// have been edited, cut or damaged on disk. Input: the file. verify_audit_log never throws; its verdict is
// consistent (lines_ok good lines, then the broken one); and the sender agrees with it: a log it calls
// broken is not extended (AuditLog refuses to open it), and a log it calls sound is extended with one more
// line that verifies too.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "fuzz_support.hpp"
#include "surgilink/session/audit_log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace surgilink::session;
  static const surgilink::fuzz::ScratchFile scratch;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto path = scratch.write("audit.log", text);

  const AuditVerdict verdict = verify_audit_log(path);
  const auto lines = static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n')) +
                     (text.empty() || text.back() == '\n' ? 0 : 1);
  SURGILINK_FUZZ_CHECK(verdict.lines_ok <= lines);
  SURGILINK_FUZZ_CHECK(verdict.last_hash.size() == 64);
  if (verdict.broken_line) {
    SURGILINK_FUZZ_CHECK(*verdict.broken_line == verdict.lines_ok + 1 && !verdict.reason.empty());
    bool refused = false;
    try {
      AuditLog log(path);
    } catch (const std::runtime_error&) {
      refused = true;
    }
    SURGILINK_FUZZ_CHECK(refused);
    return 0;
  }
  SURGILINK_FUZZ_CHECK(verdict.lines_ok == lines);
  {
    AuditLog log(path);
    SURGILINK_FUZZ_CHECK(log.lines() == verdict.lines_ok);
    log.append(surgilink::core::CaptureTime{} + std::chrono::seconds(7), "fuzz", {{"console", "Dr A"}});
    SURGILINK_FUZZ_CHECK(log.write_failures() == 0);
  }
  const AuditVerdict extended = verify_audit_log(path);
  SURGILINK_FUZZ_CHECK(!extended.broken_line);
  SURGILINK_FUZZ_CHECK(extended.lines_ok == verdict.lines_ok + 1);
  return 0;
}
