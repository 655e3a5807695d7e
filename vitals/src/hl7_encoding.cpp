#include "surgilink/vitals/hl7_encoding.hpp"

#include <array>
#include <cctype>

#include "hl7_segment.hpp"

namespace surgilink::vitals {

namespace {

using core::Fault;

bool usable_delimiter(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7F && !std::isalnum(u);
}

Rejection msh_problem(std::string reason, int field) {
  Rejection r = reject(Fault::kMalformed, std::move(reason));
  r.location = "MSH^1^" + std::to_string(field);
  r.hl7_condition = 102;
  return r;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

Checked<Hl7Encoding> Hl7Encoding::from_message(std::string_view message) {
  if (message.substr(0, 3) != "MSH") {
    Rejection r = reject(Fault::kMalformed, "the message does not start with an MSH segment");
    r.location = "MSH";
    r.hl7_condition = 100;
    return r;
  }
  if (message.size() < 4 || !usable_delimiter(message[3])) {
    return msh_problem("MSH-1 field separator is missing or not a printable delimiter", 1);
  }
  Hl7Encoding e;
  e.field = message[3];
  std::string_view rest = message.substr(4);
  const std::size_t end = rest.find_first_of(std::string{e.field, '\r', '\n'});
  const std::string_view chars = rest.substr(0, end);
  if (chars.size() < 4 || chars.size() > 5) {
    return msh_problem("MSH-2 encoding characters '" + printable(chars, 16) +
                           "' must be 4 (component, repetition, escape, subcomponent) or 5 (+ truncation)",
                       2);
  }
  std::array<char, 6> all = {e.field,  chars[0], chars[1],
                             chars[2], chars[3], chars.size() == 5 ? chars[4] : '\0'};
  const std::size_t n = chars.size() + 1;
  for (std::size_t i = 0; i < n; ++i) {
    if (!usable_delimiter(all[i])) {
      return msh_problem("MSH-2 encoding characters '" + printable(chars, 16) +
                             "' hold a letter, digit, space or control character",
                         2);
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (all[i] == all[j]) {
        return msh_problem("MSH-2 encoding characters '" + printable(chars, 16) + "' repeat the delimiter '" +
                               std::string(1, all[i]) + "'",
                           2);
      }
    }
  }
  e.component = chars[0];
  e.repetition = chars[1];
  e.escape_char = chars[2];
  e.subcomponent = chars[3];
  if (chars.size() == 5) e.truncation = chars[4];
  return e;
}

std::string Hl7Encoding::unescape(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != escape_char) {
      out += c;
      ++i;
      continue;
    }
    const std::size_t close = text.find(escape_char, i + 1);
    if (close == std::string_view::npos) {  // unterminated: keep as written
      out.append(text.substr(i));
      break;
    }
    const std::string_view seq = text.substr(i + 1, close - i - 1);
    bool known = true;
    if (seq == "F") {
      out += field;
    } else if (seq == "S") {
      out += component;
    } else if (seq == "T") {
      out += subcomponent;
    } else if (seq == "R") {
      out += repetition;
    } else if (seq == "E") {
      out += escape_char;
    } else if (seq == ".br") {
      out += '\n';
    } else if (seq == "H" || seq == "N" ||
               (!seq.empty() && (seq[0] == 'C' || seq[0] == 'M' || seq[0] == 'Z'))) {
      // Highlighting and character-set switches: formatting only, dropped.
    } else if (seq.size() >= 3 && seq[0] == 'X' && (seq.size() - 1) % 2 == 0) {
      std::string bytes;
      for (std::size_t k = 1; k + 1 < seq.size() && known; k += 2) {
        const int hi = hex_digit(seq[k]);
        const int lo = hex_digit(seq[k + 1]);
        if (hi < 0 || lo < 0) {
          known = false;
        } else {
          bytes += static_cast<char>(hi * 16 + lo);
        }
      }
      if (known) out += bytes;
    } else {
      known = false;
    }
    if (!known) out.append(text.substr(i, close - i + 1));
    i = close + 1;
  }
  return out;
}

std::string Hl7Encoding::escape(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  auto seq = [&](std::string_view s) {
    out += escape_char;
    out += s;
    out += escape_char;
  };
  for (char c : text) {
    if (c == escape_char) {
      seq("E");
    } else if (c == field) {
      seq("F");
    } else if (c == component) {
      seq("S");
    } else if (c == subcomponent) {
      seq("T");
    } else if (c == repetition) {
      seq("R");
    } else if (c == '\r') {
      seq("X0D");
    } else if (c == '\n') {
      seq("X0A");
    } else {
      out += c;
    }
  }
  return out;
}

std::string Hl7Encoding::encoding_characters() const {
  std::string s{component, repetition, escape_char, subcomponent};
  if (truncation) s += *truncation;
  return s;
}

}  // namespace surgilink::vitals
