#pragma once
// HL7 v2 date/time values (TS/DTM): YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ], and the
// YYYYMMDDHHMMSSmmm form (milliseconds without a point) some gateways write.

#include <optional>
#include <string>
#include <string_view>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::vitals {

// The instant `text` names; nullopt when it is not a valid HL7 date/time (or outside 1900..2200, which
// CaptureTime cannot hold or no monitor sends). Missing parts default to the start
// of the period (20240115 is midnight); a value without a UTC offset is read as UTC, because an ORU does not
// say which zone its device clock is in. Any thread.
std::optional<core::CaptureTime> parse_hl7_time(std::string_view text);

// "YYYYMMDDHHMMSS+0000" (UTC, whole seconds), as MSH-7 of the messages SurgiLink writes. Any thread.
std::string format_hl7_time(core::CaptureTime time);

}  // namespace surgilink::vitals
