#pragma once
// Text that came from a peer (a certificate's name, a console's software string, a refused value), made safe
// before it reaches a log line, JSON or the audit log.

#include <cstddef>
#include <string>
#include <string_view>

namespace surgilink::core {

// `text` as valid UTF-8 that prints on one line: invalid bytes become U+FFFD, control characters (C0, DEL,
// C1) are written as \xNN, and the result is cut at a code-point boundary to at most `max_bytes` bytes (an
// ellipsis "…" marks a cut, inside the limit). Any thread.
std::string safe_text(std::string_view text, std::size_t max_bytes = 256);

// True when `text` is valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace surgilink::core
