#include "surgilink/vitals/oru_message.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>

#include "hl7_segment.hpp"
#include "surgilink/vitals/hl7_time.hpp"
#include "surgilink/vitals/unit_conversion.hpp"

namespace surgilink::vitals {

namespace {

using core::Fault;

constexpr std::size_t kMaxUnknownCodes = 16;
constexpr std::size_t kMaxListedProblems = 100;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool valid_segment_id(std::string_view id) {
  if (id.size() != 3 || id[0] < 'A' || id[0] > 'Z') return false;
  for (char c : id.substr(1)) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// IEEE 11073-20601 reserves exponent-0 mantissas of its FLOAT (24-bit mantissa) and SFLOAT (12-bit mantissa)
// for NaN, NRes, +INF, -INF and one value reserved for future use. Gateways that pass the number on instead
// of naming it write the mantissa as decoded (signed), the raw word as an unsigned integer, or the raw word
// in hex. The decimal forms lie far outside every plausible vital sign, so reading them as "not available"
// cannot hide a real value.
constexpr std::array<std::int64_t, 16> kReservedMantissas = {
    8'388'607, -8'388'608, 8'388'606, -8'388'606, -8'388'607,  // FLOAT NaN, NRes, +INF, -INF, reserved
    8'388'608, 8'388'610,  8'388'609,                          // the same words read unsigned
    2047,      -2048,      2046,      -2046,      -2047,       // SFLOAT NaN, NRes, +INF, -INF, reserved
    2048,      2050,       2049};
constexpr std::array<std::uint32_t, 5> kReservedFloatWords = {0x007FFFFF, 0x00800000, 0x007FFFFE, 0x00800002,
                                                              0x00800001};
constexpr std::array<std::uint32_t, 5> kReservedSfloatWords = {0x07FF, 0x0800, 0x07FE, 0x0802, 0x0801};

template <typename T, std::size_t N>
bool one_of(const std::array<T, N>& set, T value) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

// "0x" and 1..8 hex digits: up to 4 digits an SFLOAT word, 5 to 8 a FLOAT word.
bool reserved_hex_word(std::string_view text) {
  if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X') || text.size() > 10) {
    return false;
  }
  const std::string_view digits = text.substr(2);
  std::uint32_t word = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), word, 16);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return false;
  return digits.size() <= 4 ? one_of(kReservedSfloatWords, word) : one_of(kReservedFloatWords, word);
}

// An integer written without a decimal point that is one of the reserved mantissas.
bool reserved_mantissa(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size() && one_of(kReservedMantissas, value);
}

// An IEEE 11073 special value, by name (as most gateways print them) or by its reserved encoding: the value
// is not available.
bool special_value(std::string_view text) {
  const std::string u = upper(text);
  return u == "NAN" || u == "NRES" || u == "+INF" || u == "-INF" || u == "INF" || reserved_hex_word(text) ||
         reserved_mantissa(text);
}

// IHE PCD leaves OBX-5 empty and says why in OBX-8 with an HL7 null flavor (NAN, PINF, NINF, NAV temporarily
// not available, OFF switched off, MSK masked, NI no information, NA not applicable, OTH not in the domain).
// Abnormal flags (H, L, N, A, ...) share the field and keep the value.
bool null_flavor(const Hl7Segment& obx) {
  for (std::string_view r : obx.repetitions(8)) {
    const std::string flag =
        upper(trim(obx.encoding().unescape(r.substr(0, r.find(obx.encoding().component)))));
    for (const char* flavor : {"NAN", "PINF", "NINF", "NAV", "OFF", "MSK", "NI", "NA", "OTH"}) {
      if (flag == flavor) return true;
    }
  }
  return false;
}

// HL7 NM: an optional sign, digits, an optional decimal point; nothing else.
std::optional<double> parse_nm(std::string_view text) {
  std::string_view s = trim(text);
  if (s.empty()) return std::nullopt;
  bool negative = false;
  if (s.front() == '+' || s.front() == '-') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  std::size_t digit_count = 0;
  std::size_t points = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      ++digit_count;
    } else if (c == '.') {
      ++points;
    } else {
      return std::nullopt;
    }
  }
  if (digit_count == 0 || points > 1) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return negative ? -v : v;
}

Rejection message_problem(Fault fault, std::string location, int condition, std::string reason) {
  Rejection r = reject(fault, std::move(reason));
  r.location = std::move(location);
  r.hl7_condition = condition;
  return r;
}

// Reads OBX segments into an OruMessage.
class ObservationReader {
 public:
  ObservationReader(OruMessage& out, const ObservationCodeMap& codes, core::CaptureTime received_at)
      : out_(out), codes_(codes), received_at_(received_at) {}

  void set_group_time(std::optional<core::CaptureTime> t) { group_time_ = t; }

  void read(const Hl7Segment& obx, std::size_t ordinal) {
    std::string set_id(trim(obx.component(1, 1)));
    if (set_id.empty() || set_id.size() > 6 || !parse_nm(set_id)) set_id = std::to_string(ordinal);
    set_id_ = set_id;

    std::optional<Parameter> parameter =
        codes_.find(obx.component(3, 1), obx.component(3, 2), obx.component(3, 3));
    if (!parameter) parameter = codes_.find(obx.component(3, 4), obx.component(3, 5), obx.component(3, 6));
    if (!parameter) {
      ++out_.unknown_observations;
      if (out_.unknown_codes.size() < kMaxUnknownCodes) {
        out_.unknown_codes.push_back(
            printable(obx.component(3, 1) + "^" + obx.component(3, 2) + "^" + obx.component(3, 3)));
      }
      return;
    }
    parameter_ = *parameter;
    prefix_ = "OBX " + set_id_ + " (" + std::string(info(parameter_).short_name) + "): ";

    const std::string status = upper(trim(obx.component(11, 1)));
    bool available = true;
    if (status == "D" || status == "W" || status == "I") {
      ++out_.skipped_observations;
      return;
    }
    if (status == "X" || status == "N") {
      available = false;
    } else if (!(status.empty() || status == "F" || status == "R" || status == "C" || status == "P" ||
                 status == "U" || status == "S")) {
      return problem(11, 103, "OBX-11 result status '" + printable(status, 8) + "' is not an HL7 status");
    } else if (null_flavor(obx)) {
      available = false;
    }

    std::optional<double> value;
    if (available) {
      auto v = read_value(obx);
      if (!v) return;  // problem recorded
      value = *v;
    }

    if (value) {
      auto unit = read_unit(obx);
      if (!unit) return;
      auto canonical = UnitConversion::to_canonical(parameter_, *value, *unit);
      // A unit that cannot carry the parameter is OBX-6's fault; a value outside the plausible range,
      // OBX-5's.
      if (!canonical)
        return problem(UnitConversion::accepts(parameter_, *unit) ? 5 : 6, 102, canonical.error().reason);
      value = canonical.value();
    }

    std::optional<core::CaptureTime> source_time = group_time_;
    const std::string when(trim(obx.component(14, 1)));
    if (!when.empty()) {
      source_time = parse_hl7_time(when);
      if (!source_time) {
        return problem(14, 102, "OBX-14 '" + printable(when, 32) + "' is not an HL7 date/time");
      }
    }
    out_.samples.push_back(make_numeric_sample(parameter_, value, received_at_, source_time));
  }

 private:
  // Refuses the OBX being read. Its parameter is delivered as "not available" in its place, so that what was
  // refused shows as missing instead of leaving an older value on screen.
  void problem(int field, int condition, std::string reason) {
    if (out_.problems.size() < kMaxListedProblems) {
      out_.problems.push_back(message_problem(
          Fault::kMalformed, "OBX^" + set_id_ + "^" + std::to_string(field), condition, prefix_ + reason));
    } else {
      ++out_.problems_not_listed;
    }
    out_.samples.push_back(make_numeric_sample(parameter_, std::nullopt, received_at_, group_time_));
  }

  // The value of OBX-5: a number, nullopt for "not available", or no value and a problem recorded.
  std::optional<std::optional<double>> read_value(const Hl7Segment& obx) {
    const std::string type = upper(trim(obx.component(2, 1)));
    if (!(type.empty() || type == "NM" || type == "ST" || type == "SN")) {
      problem(2, 102,
              "OBX-2 value type '" + printable(type, 8) + "' is not numeric (NM, or ST/SN holding a number)");
      return std::nullopt;
    }
    std::size_t filled = 0;
    for (std::string_view r : obx.repetitions(5)) filled += r.empty() ? 0 : 1;
    if (filled > 1) {
      problem(5, 102, "OBX-5 holds " + std::to_string(filled) + " repetitions; a numeric takes one value");
      return std::nullopt;
    }
    std::size_t repetition = 0;
    const auto reps = obx.repetitions(5);
    while (repetition + 1 < reps.size() && reps[repetition].empty()) ++repetition;
    std::string text;
    if (type == "SN") {
      // Structured numeric: comparator ^ num1 ^ separator ^ num2; only "=" or no comparator with one number.
      const std::string comparator(trim(obx.component(5, 1, repetition)));
      text = obx.component(5, 2, repetition);
      if (!(comparator.empty() || comparator == "=") || !obx.component(5, 3, repetition).empty() ||
          !obx.component(5, 4, repetition).empty()) {
        problem(5, 102, "OBX-5 structured numeric is not a single value");
        return std::nullopt;
      }
    } else {
      if (!obx.component(5, 2, repetition).empty()) {
        problem(5, 102, "OBX-5 has components; a numeric value has none");
        return std::nullopt;
      }
      text = obx.component(5, 1, repetition);
    }
    const std::string_view t = trim(text);
    if (t.empty() || special_value(t)) return std::optional<double>{};
    auto v = parse_nm(t);
    if (!v) {
      problem(5, 102, "OBX-5 value '" + printable(t, 32) + "' is not a number");
      return std::nullopt;
    }
    return std::optional<double>{*v};
  }

  std::optional<Unit> read_unit(const Hl7Segment& obx) {
    const std::string id(trim(obx.component(6, 1)));
    const std::string text(trim(obx.component(6, 2)));
    const std::string system(trim(obx.component(6, 3)));
    if (id.empty() && text.empty()) {
      if (auto implied = UnitConversion::implied_unit(parameter_)) return implied;
      problem(6, 101, "OBX-6 unit is missing (a pressure or temperature needs one)");
      return std::nullopt;
    }
    auto unit = UnitConversion::recognise(id, text, system);
    if (!unit) {
      problem(6, unit.error().fault == Fault::kUnknownStream ? 103 : 102, "OBX-6 " + unit.error().reason);
      return std::nullopt;
    }
    return unit.value();
  }

  OruMessage& out_;
  const ObservationCodeMap& codes_;
  core::CaptureTime received_at_;
  std::optional<core::CaptureTime> group_time_;
  std::string set_id_;
  std::string prefix_;
  Parameter parameter_ = Parameter::kHr;
};

}  // namespace

Checked<OruMessage> OruMessage::parse(std::string_view message, const ObservationCodeMap& codes,
                                      core::CaptureTime received_at, const OruLimits& limits) {
  if (message.size() > limits.max_bytes) {
    return message_problem(Fault::kTooLarge, "", 207,
                           "message of " + std::to_string(message.size()) + " bytes is over the " +
                               std::to_string(limits.max_bytes) + "-byte limit");
  }
  auto header = Hl7Header::parse(message);
  if (!header) return header.error();
  OruMessage out;
  out.header = std::move(header).value();
  const Hl7Header& h = out.header;
  if (h.message_code != "ORU") {
    return message_problem(Fault::kMalformed, "MSH^1^9", 200,
                           "MSH-9 message type '" + printable(h.message_code, 8) + "' is not ORU (ORU^R01)");
  }
  if (h.trigger_event != "R01") {
    return message_problem(
        Fault::kMalformed, "MSH^1^9", 201,
        "MSH-9 trigger event '" + printable(h.trigger_event, 8) + "' is not R01 (ORU^R01)");
  }

  ObservationReader reader(out, codes, received_at);
  const auto segments = split_segments(message);
  for (std::size_t i = 1; i < segments.size(); ++i) {
    const Hl7Segment segment(segments[i], h.encoding);
    const std::string_view id = segment.id();
    if (!valid_segment_id(id)) {
      // The text is not quoted: it may be the rest of a broken PID.
      if (out.problems.size() < kMaxListedProblems) {
        out.problems.push_back(
            message_problem(Fault::kMalformed, "", 100,
                            "segment " + std::to_string(i + 1) +
                                " does not start with a segment id (3 capital letters or digits)"));
      } else {
        ++out.problems_not_listed;  // a flood of junk lines costs a count, not a listed problem each
      }
      continue;
    }
    if (id == "MSH") {
      return message_problem(
          Fault::kMalformed, "MSH", 100,
          "a second MSH segment (segment " + std::to_string(i + 1) + "): send one message per MLLP frame");
    }
    if (id == "OBR") {
      reader.set_group_time(parse_hl7_time(trim(segment.component(7, 1))));
    } else if (id == "OBX") {
      if (++out.observations > limits.max_observations) {
        return message_problem(Fault::kTooLarge, "OBX", 207,
                               "more than " + std::to_string(limits.max_observations) + " OBX segments");
      }
      reader.read(segment, out.observations);
    }
    // PID, PV1, ORC, NTE and any other segment: skipped unread.
  }
  return out;
}

}  // namespace surgilink::vitals
