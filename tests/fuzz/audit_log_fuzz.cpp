// libFuzzer target: checking the sender's hash-chained audit log (session/audit_log.hpp), a file that may
// have been edited, cut or damaged on disk. Input: the file. verify_audit_log never throws; its verdict is
// consistent (lines_ok good lines, then the broken one); and the sender agrees with it: a log it calls
// broken is not extended (AuditLog refuses to open it), and a log it calls sound is extended with one more
// line that verifies too.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "fuzz_support.hpp"
#include "surgilink/session/audit_log.hpp"

namespace {
// Removes the torn lines the sender moved aside (so that a long run does not fill the scratch folder) and
// says how many there were.
std::size_t take_torn_lines(const std::filesystem::path& folder) {
  std::size_t kept = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().filename().string().rfind("audit.log.torn-", 0) != 0) continue;
    ++kept;
    std::filesystem::remove(entry.path());
  }
  return kept;
}
}  // namespace

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
  // A last line without its newline is what a power cut leaves: the sender moves it aside and goes on (a
  // log that is nothing but such a line starts again empty). Any other broken line is refused.
  const bool torn_last_line = !text.empty() && text.back() != '\n' && verdict.broken_line == lines;
  if (verdict.broken_line)
    SURGILINK_FUZZ_CHECK(*verdict.broken_line == verdict.lines_ok + 1 && !verdict.reason.empty());
  if (verdict.broken_line && !torn_last_line) {
    bool refused = false;
    try {
      AuditLog log(path);
    } catch (const std::runtime_error&) {
      refused = true;
    }
    SURGILINK_FUZZ_CHECK(refused);
    // A torn last line after an earlier break is moved aside before the log is refused.
    take_torn_lines(scratch.folder());
    return 0;
  }
  SURGILINK_FUZZ_CHECK(verdict.lines_ok == lines - (torn_last_line ? 1 : 0));
  {
    AuditLog log(path);
    SURGILINK_FUZZ_CHECK(log.lines() == verdict.lines_ok);
    log.append(surgilink::core::CaptureTime{} + std::chrono::seconds(7), "fuzz", {{"console", "Dr A"}});
    SURGILINK_FUZZ_CHECK(log.write_failures() == 0);
  }
  const AuditVerdict extended = verify_audit_log(path);
  SURGILINK_FUZZ_CHECK(!extended.broken_line);
  SURGILINK_FUZZ_CHECK(extended.lines_ok == verdict.lines_ok + 1);
  // The torn line was kept beside the log.
  SURGILINK_FUZZ_CHECK(take_torn_lines(scratch.folder()) == (torn_last_line ? 1u : 0u));
  return 0;
}
