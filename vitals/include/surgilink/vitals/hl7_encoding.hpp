#pragma once
// The delimiters of one HL7 v2 message (MSH-1 and MSH-2) and its escape sequences.

#include <optional>
#include <string>
#include <string_view>

#include "surgilink/vitals/rejection.hpp"

namespace surgilink::vitals {

// Plain value type; any thread.
struct Hl7Encoding {
  char field = '|';                // MSH-1
  char component = '^';            // MSH-2, 1st
  char repetition = '~';           // MSH-2, 2nd
  char escape_char = '\\';         // MSH-2, 3rd
  char subcomponent = '&';         // MSH-2, 4th
  std::optional<char> truncation;  // MSH-2, 5th (v2.7+, usually '#'); recorded, never applied

  // The delimiters declared at the start of `message` ("MSH" + MSH-1 + MSH-2). Fails (kMalformed) when the
  // message does not start with MSH, or a delimiter is missing, repeated, alphanumeric, a space or a line
  // end.
  static Checked<Hl7Encoding> from_message(std::string_view message);

  // Text of one component or subcomponent with its escape sequences replaced (shown with the usual escape
  // character): F, S, T, R and E between escape characters become the delimiters; X0D0A (hex) becomes the
  // bytes; .br becomes a line feed; the formatting sequences H, N, Cxxyy, Mxxyyzz and Zxx are dropped;
  // anything else (unknown or unterminated) is kept as it was.
  std::string unescape(std::string_view text) const;
  // `text` made safe to place in a field: delimiters and line ends become escape sequences.
  std::string escape(std::string_view text) const;

  // MSH-2 as written: "^~\&" (plus the truncation character when set).
  std::string encoding_characters() const;

  bool operator==(const Hl7Encoding&) const = default;
};

}  // namespace surgilink::vitals
