#pragma once
// Private to the vitals library: splitting HL7 v2 text into segments, fields, repetitions and components.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "surgilink/vitals/hl7_encoding.hpp"

namespace surgilink::vitals {

// Splits `text` at every `separator`; always at least one (possibly empty) part.
std::vector<std::string_view> split(std::string_view text, char separator);

// The segments of a message, split at \r, \n or \r\n; empty lines are dropped.
std::vector<std::string_view> split_segments(std::string_view message);

// One segment, split into fields. Views into the message text, which must outlive it. One thread.
class Hl7Segment {
 public:
  Hl7Segment(std::string_view text, const Hl7Encoding& encoding);

  std::string_view id() const { return parts_.empty() ? std::string_view{} : parts_[0]; }
  const Hl7Encoding& encoding() const { return encoding_; }
  // Field n as written (escaped), "" when absent. MSH-1 is the field separator and MSH-2 the encoding
  // characters, as the standard numbers them.
  std::string_view field(std::size_t n) const;
  // The repetitions of field n (at least one, possibly empty).
  std::vector<std::string_view> repetitions(std::size_t n) const;
  // Component c (1-based) of repetition `repetition` of field n, unescaped; "" when absent.
  std::string component(std::size_t n, std::size_t c, std::size_t repetition = 0) const;
  // All components of the first repetition of field n, unescaped.
  std::vector<std::string> components(std::size_t n) const;

 private:
  std::string_view raw_component(std::size_t n, std::size_t c, std::size_t repetition) const;

  const Hl7Encoding& encoding_;
  std::vector<std::string_view> parts_;
  bool msh_ = false;
};

// Printable, single-line, bounded text for reasons and logs (control characters become '?').
std::string printable(std::string_view text, std::size_t max_length = 64);

}  // namespace surgilink::vitals
