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
// Segments may end in \r, \n or \r\n. A value that is empty, or an IEEE 11073 special value (NaN, NRes,
// +INF, -INF), is "not available".
class OruMessage {
 public:
  // The samples of `message`, stamped `received_at` (the capture clock when it arrived). Fails for the whole
  // message (an AR ACK) when it is over the size limit, its MSH is broken, it is not an ORU^R01, it holds
  // more than max_observations OBX or a second MSH. Problems of single segments (a value that is not a
  // number, an unknown unit, a bad segment id...) do not fail the parse: they are listed in `problems`.
  static Checked<OruMessage> parse(std::string_view message, const ObservationCodeMap& codes,
                                   core::CaptureTime received_at, const OruLimits& limits = {});

  Hl7Header header;
  std::vector<NumericSample> samples;      // from the OBX without problems, in message order
  std::vector<Rejection> problems;         // one per refused segment; location "OBX^<set id>^<field>"
  std::size_t observations = 0;            // OBX segments seen
  std::size_t unknown_observations = 0;    // OBX whose identifier is not in the code map (skipped, no error)
  std::vector<std::string> unknown_codes;  // the first few unknown identifiers, "CODE^TEXT^SYSTEM"
  std::size_t skipped_observations = 0;    // OBX with status D, W or I
};

}  // namespace surgilink::vitals
