#pragma once
// An HL7 v2 ORU^R01 (unsolicited observation result) message from a patient monitor or its gateway, read
// into numeric samples.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/vitals/hl7_header.hpp"
#include "surgilink/vitals/numeric_sample.hpp"
#include "surgilink/vitals/observation_code_map.hpp"
#include "surgilink/vitals/rejection.hpp"

namespace surgilink::vitals {

// Limits on one message. Plain value type; any thread.
struct OruLimits {
  std::size_t max_bytes = 1024 * 1024;  // a larger message is refused unread
  std::size_t max_observations = 1000;  // OBX segments per message
};

// Plain value type; any thread.
//
// What is read: MSH (delimiters from MSH-1/MSH-2, escape sequences), OBR-7 (observation time for its OBX
// without OBX-14), and every OBX: OBX-2 value type NM (or ST holding a number), OBX-3 identifier through the
// code map (primary, then alternate identifier), OBX-5 value, OBX-6 units (converted to canonical units),
// OBX-11 status (F, R, C, P, U, S or empty: a value; X or N: not available; D, W, I: skipped), OBX-14 time.
// PID, PV1 and every other segment are skipped unread: no patient data is ever stored.
// Segments may end in \r, \n or \r\n. "Not available" (a sample without a value) is: an empty OBX-5; an
// IEEE 11073-20601 special value (NaN, NRes, +INF, -INF, reserved) by name, as the reserved FLOAT/SFLOAT
// mantissa in decimal (8388607, -8388608, 2047, -2048, ..., signed or as the unsigned word) or as the raw
// word in hex (0x007FFFFF, 0x07FF, ...); an IHE PCD null flavor in OBX-8 (NAN, PINF, NINF, NAV, OFF, MSK, NI,
// NA, OTH); OBX-11 X or N.
class OruMessage {
 public:
  // The samples of `message`, stamped `received_at` (the capture clock when it arrived). Fails for the whole
  // message (an AR ACK) when it is over the size limit, its MSH is broken, it is not an ORU^R01, it holds
  // more than max_observations OBX or a second MSH. Problems of single segments (a value that is not a
  // number or not plausible, an unknown unit, a bad segment id...) do not fail the parse: they are listed in
  // `problems`, and every other OBX is still read.
  static Checked<OruMessage> parse(std::string_view message, const ObservationCodeMap& codes,
                                   core::CaptureTime received_at, const OruLimits& limits = {});

  Hl7Header header;
  // One per OBX of a known parameter, in message order: its value, or "not available" when the source says
  // so or when the OBX was refused (listed in `problems`), so that what was refused shows as missing.
  std::vector<NumericSample> samples;
  // One per refused segment, location "OBX^<set id>^<field>"; at most the first 100, the rest only counted
  // in problems_not_listed (a 1 MiB message of junk lines would otherwise list half a million).
  std::vector<Rejection> problems;
  std::size_t problems_not_listed = 0;
  std::size_t observations = 0;            // OBX segments seen
  std::size_t unknown_observations = 0;    // OBX whose identifier is not in the code map (skipped, no error)
  std::vector<std::string> unknown_codes;  // the first few unknown identifiers, "CODE^TEXT^SYSTEM"
  std::size_t skipped_observations = 0;    // OBX with status D, W or I
};

}  // namespace surgilink::vitals
