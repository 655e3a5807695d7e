#pragma once
// Why one vitals input (a message, an observation, a unit, a frame) was refused: the fault kind that is
// counted, plus the text that names the problem (it ends up in an HL7 ACK and in the log).

#include <string>
#include <system_error>
#include <utility>

#include <boost/outcome/std_result.hpp>

#include "surgilink/core/fault.hpp"

namespace surgilink::vitals {

// core::Result carries only an error_code; an HL7 AE/AR ACK must also say what was wrong, so the vitals
// per-message paths return Checked<T>: the same Boost.Outcome result, with a Rejection as the error.
// Plain value type; any thread.
struct Rejection {
  core::Fault fault = core::Fault::kMalformed;
  std::string reason;  // human-readable, names the field and the offending value
  // Filled by the HL7 layer only: the error location (ERL, e.g. "OBX^3^5") and the HL7 table 0357 condition
  // code for the ERR segment of the ACK (100 segment sequence, 101 required field missing, 102 data type,
  // 103 table value not found, 200 unsupported message type, 203 unsupported version, 207 internal/other).
  std::string location;
  int hl7_condition = 207;

  std::error_code code() const { return core::make_error_code(fault); }
};

template <typename T>
using Checked = boost::outcome_v2::std_result<T, Rejection, boost::outcome_v2::policy::terminate>;

inline Rejection reject(core::Fault fault, std::string reason) {
  Rejection r;
  r.fault = fault;
  r.reason = std::move(reason);
  return r;
}

}  // namespace surgilink::vitals
