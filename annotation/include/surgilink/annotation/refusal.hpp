#pragma once
// Why an annotation operation, message or frame was refused: the counted fault plus the reason shown to the
// mentor and written to the audit log.

#include <string>
#include <system_error>
#include <utility>

#include <boost/outcome/std_result.hpp>

#include "surgilink/core/fault.hpp"

namespace surgilink::annotation {

// core::Result carries only an error_code, but the console must tell the mentor why a stroke was refused and
// the audit log must say it too, so the annotation per-operation paths return Checked<T>: the same
// Boost.Outcome result with a Refusal as the error. Plain value type; any thread.
struct Refusal {
  core::Fault fault = core::Fault::kMalformed;
  std::string reason;  // human-readable, names the field and the offending value; never empty

  std::error_code code() const { return core::make_error_code(fault); }
};

template <typename T>
using Checked = boost::outcome_v2::std_result<T, Refusal, boost::outcome_v2::policy::terminate>;

inline Refusal refuse(core::Fault fault, std::string reason) { return Refusal{fault, std::move(reason)}; }

}  // namespace surgilink::annotation
