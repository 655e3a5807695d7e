#include "hl7_segment.hpp"

namespace surgilink::vitals {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(separator, start);
    if (at == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
}

std::vector<std::string_view> split_segments(std::string_view message) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= message.size(); ++i) {
    if (i == message.size() || message[i] == '\r' || message[i] == '\n') {
      if (i > start) segments.push_back(message.substr(start, i - start));
      start = i + 1;
    }
  }
  return segments;
}

Hl7Segment::Hl7Segment(std::string_view text, const Hl7Encoding& encoding)
    : encoding_(encoding), parts_(split(text, encoding.field)) {
  msh_ = id() == "MSH";
}

std::string_view Hl7Segment::field(std::size_t n) const {
  if (n == 0) return id();
  if (msh_) {
    if (n == 1) return std::string_view(&encoding_.field, 1);
    return n - 1 < parts_.size() ? parts_[n - 1] : std::string_view{};
  }
  return n < parts_.size() ? parts_[n] : std::string_view{};
}

std::vector<std::string_view> Hl7Segment::repetitions(std::size_t n) const {
  if (msh_ && n <= 2) return {field(n)};
  return split(field(n), encoding_.repetition);
}

std::string_view Hl7Segment::raw_component(std::size_t n, std::size_t c, std::size_t repetition) const {
  if (c == 0) return {};
  const auto reps = repetitions(n);
  if (repetition >= reps.size()) return {};
  const auto comps = split(reps[repetition], encoding_.component);
  return c - 1 < comps.size() ? comps[c - 1] : std::string_view{};
}

std::string Hl7Segment::component(std::size_t n, std::size_t c, std::size_t repetition) const {
  return encoding_.unescape(raw_component(n, c, repetition));
}

std::vector<std::string> Hl7Segment::components(std::size_t n) const {
  std::vector<std::string> out;
  const auto reps = repetitions(n);
  for (std::string_view c : split(reps.front(), encoding_.component)) out.push_back(encoding_.unescape(c));
  return out;
}

std::string printable(std::string_view text, std::size_t max_length) {
  std::string out;
  for (char c : text.substr(0, max_length)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? '?' : c;
  }
  if (text.size() > max_length) out += "...";
  return out;
}

}  // namespace surgilink::vitals
