#pragma once
// HL7 v2 general acknowledgment (ACK): MSH + MSA (+ ERR for AE/AR), built for a received message, and read
// back (for tests and clients).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/vitals/hl7_header.hpp"
#include "surgilink/vitals/rejection.hpp"

namespace surgilink::vitals {

// MSA-1 acknowledgment code (original acknowledgment mode). ack_code_text: any thread.
enum class AckCode : std::uint8_t {
  kAccept,  // AA: the message was processed
  kError,   // AE: the message was understood but (some of) its content was refused; nothing of it was used
  kReject,  // AR: the message as a whole was refused (broken header, wrong type or version, too large)
};
std::string_view ack_code_text(AckCode code);  // "AA", "AE", "AR"

// What the ACK itself needs besides the original header: its own MSH-7 and MSH-10. Plain value type.
struct AckStamp {
  core::CaptureTime now{};
  std::string control_id;
};

// An ACK for `original`: MSH (sender and receiver swapped, same trigger event, processing id and version),
// MSA with the original control id, and for AE/AR one ERR per problem (at most 10) with its location, its
// HL7 table 0357 condition code and its reason; MSA-3 repeats the first reason. Segments end in \r; text is
// escaped. Written with the default delimiters |^~\&. What is copied from `original` is bounded to its HL7
// length (MSH-3..6: three components of at most 199 bytes; control id 199; trigger event 3; version "2.x" or
// "2.x.y"; processing id P, T or D) and holds no control characters, so the ACK stays small and one frame
// whatever the message was. Any thread.
// `more_problems`: problems beyond `problems` that were only counted; MSA-3 includes them in its count.
std::string make_ack(const Hl7Header& original, AckCode code, std::span<const Rejection> problems,
                     const AckStamp& stamp, std::size_t more_problems = 0);
// The same with a single reason (empty for AA).
std::string make_ack(const Hl7Header& original, AckCode code, std::string_view text, const AckStamp& stamp);

// An ACK as read back. Plain value type; any thread.
struct Hl7Ack {
  Hl7Header header;
  AckCode code = AckCode::kAccept;
  std::string acknowledged_control_id;  // MSA-2
  std::string text;                     // MSA-3
  std::vector<Rejection> errors;        // one per ERR: location, condition, reason (ERR-8)

  // Fails when `message` is not an ACK with an MSA segment.
  static Checked<Hl7Ack> parse(std::string_view message);
};

}  // namespace surgilink::vitals
