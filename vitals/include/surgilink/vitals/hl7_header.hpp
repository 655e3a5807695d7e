#pragma once
// The message header (MSH) of an HL7 v2 message: who sent it, what it is, its control id.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/vitals/hl7_encoding.hpp"
#include "surgilink/vitals/rejection.hpp"

namespace surgilink::vitals {

// Plain value type; any thread. Text fields hold unescaped values; hierarchic designators (MSH-3..6) keep
// their components, so that an ACK can address them back.
struct Hl7Header {
  Hl7Encoding encoding;
  std::vector<std::string> sending_application;    // MSH-3
  std::vector<std::string> sending_facility;       // MSH-4
  std::vector<std::string> receiving_application;  // MSH-5
  std::vector<std::string> receiving_facility;     // MSH-6
  std::optional<core::CaptureTime> message_time;   // MSH-7
  std::string message_code;                        // MSH-9.1, "ORU"
  std::string trigger_event;                       // MSH-9.2, "R01"
  std::string message_structure;                   // MSH-9.3, "ORU_R01" (often empty before v2.4)
  std::string control_id;                          // MSH-10
  std::string processing_id;                       // MSH-11.1, "P", "T" or "D"
  std::string version;                             // MSH-12.1, "2.3" ... "2.8"

  // The MSH of `message` (the first segment). Fails with kMalformed (broken delimiters, missing MSH-9 or
  // MSH-10, an over-long control id) or kUnsupportedVersion (MSH-12 is not 2.x); the reason names the field.
  static Checked<Hl7Header> parse(std::string_view message);

  // Whatever can be read of the MSH of a message that parse() refused, for addressing its AE/AR ACK: default
  // delimiters where the message's are broken, a control id reduced to printable characters. Never fails.
  static Hl7Header salvage(std::string_view message);
};

}  // namespace surgilink::vitals
