#include "text.hpp"

#include <cstdint>

namespace surgilink::annotation::detail {

std::optional<std::size_t> visible_code_points(std::string_view text) {
  const auto codes = visible_text(text);
  if (!codes) return std::nullopt;
  return codes->size();
}

std::optional<std::u32string> visible_text(std::string_view text) {
  std::u32string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<std::uint8_t>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (lead < 0x80) {
      length = 1;
      code = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code = lead & 0x1Fu;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code = lead & 0x0Fu;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code = lead & 0x07u;
    } else {
      return std::nullopt;
    }
    if (i + length > text.size()) return std::nullopt;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<std::uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      code = (code << 6) | (next & 0x3Fu);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
    constexpr std::uint32_t kSmallestOf[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kSmallestOf[length] || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) {
      return std::nullopt;
    }
    if (code < 0x20 || (code >= 0x7F && code < 0xA0)) return std::nullopt;
    i += length;
    out += static_cast<char32_t>(code);
  }
  return out;
}

std::string quoted(std::string_view text) {
  constexpr std::size_t kMaxQuoted = 40;
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < kMaxQuoted; ++i) {
    const char c = text[i];
    out += (c >= 0x20 && c < 0x7F) ? c : '?';
  }
  if (text.size() > kMaxQuoted) out += "...";
  out += "'";
  return out;
}

}  // namespace surgilink::annotation::detail
