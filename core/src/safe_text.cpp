#include "surgilink/core/safe_text.hpp"

#include <cstdint>
#include <optional>

namespace surgilink::core {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026

struct CodePoint {
  char32_t value;
  std::size_t length;
};

// The code point at the start of `text`, or nullopt when its bytes are not valid UTF-8 there.
std::optional<CodePoint> decode(std::string_view text) {
  const auto byte = [&text](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const std::uint8_t lead = byte(0);
  if (lead < 0x80) return CodePoint{lead, 1};
  std::size_t length = 0;
  char32_t value = 0, minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07, minimum = 0x10000;
  } else {
    return std::nullopt;
  }
  if (text.size() < length) return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return std::nullopt;
    value = (value << 6) | (byte(i) & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return std::nullopt;
  return CodePoint{value, length};
}

bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

}  // namespace

bool is_valid_utf8(std::string_view text) {
  while (!text.empty()) {
    const auto cp = decode(text);
    if (!cp) return false;
    text.remove_prefix(cp->length);
  }
  return true;
}

std::string safe_text(std::string_view text, std::size_t max_bytes) {
  std::string out;
  // Where the output may be cut with room left for the ellipsis: after the last whole piece that fits.
  const std::size_t room = max_bytes > kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  std::size_t cut = 0;
  while (!text.empty() && out.size() <= max_bytes) {
    const auto cp = decode(text);
    if (!cp) {
      out += kReplacement;
      text.remove_prefix(1);
    } else if (is_control(cp->value)) {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto v = static_cast<unsigned>(cp->value);
      out += {'\\', 'x', kHex[(v >> 4) & 0xF], kHex[v & 0xF]};
      text.remove_prefix(cp->length);
    } else {
      out += text.substr(0, cp->length);
      text.remove_prefix(cp->length);
    }
    if (out.size() <= room) cut = out.size();
  }
  if (out.size() <= max_bytes && text.empty()) return out;
  out.resize(cut);
  if (max_bytes >= kEllipsis.size()) out += kEllipsis;
  return out;
}

}  // namespace surgilink::core
