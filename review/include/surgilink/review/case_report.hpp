#pragma once
// The case report (issue 16): one self-contained HTML page a hospital's quality review can file — duration,
// who joined when, latency p50/p95 over time, link losses, alarms, annotation counts per author, the
// session's events — with its plots as inline SVG, so it opens anywhere without a network or another file.

#include <string>
#include <vector>

#include "surgilink/review/bookmarks.hpp"
#include "surgilink/review/recorded_case.hpp"

namespace surgilink::review {

// One vitals alarm as the sender's alarm state streamed it: from when it began to when it was no longer in
// the state (none: still active when the recording ended). Plain value type.
struct AlarmPeriod {
  vitals::ActiveAlarm alarm;
  std::optional<core::CaptureTime> ended;
};

// Every alarm of the recording, in the order they began. Any thread.
std::vector<AlarmPeriod> alarm_periods(const RecordedCase& recorded);

// The report's HTML (UTF-8). `problems` are listed at its top (e.g. media::verify_recording's findings as
// well as the case's own); the trainers' `bookmarks` with a thumbnail of each moment (decoded, with the
// annotations the OR showed, inlined as JPEG). Blocking (decodes one picture per bookmark); any thread.
std::string case_report_html(const RecordedCase& recorded, const std::vector<std::string>& problems,
                             const std::vector<Bookmark>& bookmarks);

}  // namespace surgilink::review
