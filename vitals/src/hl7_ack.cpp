#include "surgilink/vitals/hl7_ack.hpp"

#include <charconv>
#include <string>

#include "hl7_segment.hpp"
#include "surgilink/vitals/hl7_time.hpp"

namespace surgilink::vitals {

namespace {

using core::Fault;

constexpr std::size_t kMaxErrSegments = 10;
constexpr std::size_t kMaxMsaText = 200;
constexpr std::size_t kMaxErrText = 1000;

std::string_view condition_name(int code) {
  switch (code) {
    case 0:
      return "Message accepted";
    case 100:
      return "Segment sequence error";
    case 101:
      return "Required field missing";
    case 102:
      return "Data type error";
    case 103:
      return "Table value not found";
    case 200:
      return "Unsupported message type";
    case 201:
      return "Unsupported event code";
    case 202:
      return "Unsupported processing id";
    case 203:
      return "Unsupported version id";
    case 204:
      return "Unknown key identifier";
    case 205:
      return "Duplicate key identifier";
    case 206:
      return "Application record locked";
    default:
      return "Application internal error";
  }
}

// What an ACK copies from the message it answers is bounded to the field's HL7 length: a hostile header must
// not make the ACK as large as the message.
constexpr std::size_t kMaxControlId = 199;    // MSH-10, ST(199)
constexpr std::size_t kMaxHdComponent = 199;  // HD: namespace id, universal id (ST 199), universal id type
constexpr std::size_t kHdComponents = 3;
constexpr std::size_t kMaxTriggerEvent = 3;  // MSH-9.2, HL7 table 0003
constexpr std::size_t kMaxVersion = 8;       // MSH-12.1, "2.5.1"

// `text` as it may be copied into the ACK: without control characters (after unescaping, an escaped X0D or
// X1C would be a segment end or an MLLP end block) and cut to `max` bytes, never inside a UTF-8 sequence.
std::string echoed(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) continue;
    if (out.size() == max) {
      // Cut: drop a multi-byte sequence that would be left incomplete.
      std::size_t lead = out.size();
      while (lead > 0 && (static_cast<unsigned char>(out[lead - 1]) & 0xC0) == 0x80) --lead;
      if (lead > 0 && static_cast<unsigned char>(out[lead - 1]) >= 0xC0) out.resize(lead - 1);
      break;
    }
    out += c;
  }
  return out;
}

bool any_filled(const std::vector<std::string>& components) {
  for (const auto& c : components) {
    if (!c.empty()) return true;
  }
  return false;
}

std::string join_escaped(const Hl7Encoding& e, const std::vector<std::string>& components) {
  std::string out;
  for (std::size_t i = 0; i < components.size(); ++i) {
    if (i > 0) out += e.component;
    out += e.escape(components[i]);
  }
  // Trailing empty components are not written.
  while (!out.empty() && out.back() == e.component) out.pop_back();
  return out;
}

// A hierarchic designator (MSH-3..6) copied into the ACK: at most its three components, each bounded.
std::string echoed_hd(const Hl7Encoding& e, const std::vector<std::string>& components) {
  std::vector<std::string> bounded;
  for (std::size_t i = 0; i < components.size() && i < kHdComponents; ++i) {
    bounded.push_back(echoed(components[i], kMaxHdComponent));
  }
  return join_escaped(e, bounded);
}

bool is_v2(std::string_view version) {
  return version.size() >= 3 && version[0] == '2' && version[1] == '.' && version[2] >= '1' &&
         version[2] <= '9';
}

// The version to answer in: the original's "2.x" or "2.x.y" (whatever follows is not copied), else 2.6.
std::string ack_version(std::string_view version) {
  if (!is_v2(version)) return "2.6";
  std::size_t n = 0;
  while (n < version.size() && n < kMaxVersion &&
         ((version[n] >= '0' && version[n] <= '9') || version[n] == '.')) {
    ++n;
  }
  return std::string(version.substr(0, n));
}

// MSH-9.2 copied only when it looks like an event code (up to three letters and digits).
std::string ack_trigger_event(std::string_view event) {
  if (event.empty() || event.size() > kMaxTriggerEvent) return {};
  for (char c : event) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return {};
  }
  return std::string(event);
}

}  // namespace

std::string_view ack_code_text(AckCode code) {
  switch (code) {
    case AckCode::kAccept:
      return "AA";
    case AckCode::kError:
      return "AE";
    case AckCode::kReject:
      return "AR";
  }
  return "AR";
}

std::string make_ack(const Hl7Header& original, AckCode code, std::span<const Rejection> problems,
                     const AckStamp& stamp, std::size_t more_problems) {
  const Hl7Encoding e;  // an ACK is written with the default delimiters
  const char f = e.field;
  std::string out;
  out += "MSH";
  out += f;
  out += e.encoding_characters();
  out += f;
  out += echoed_hd(e, any_filled(original.receiving_application) ? original.receiving_application
                                                                 : std::vector<std::string>{"SURGILINK"});
  out += f;
  out += echoed_hd(e, original.receiving_facility);
  out += f;
  out += echoed_hd(e, original.sending_application);
  out += f;
  out += echoed_hd(e, original.sending_facility);
  out += f;
  out += format_hl7_time(stamp.now);
  out += f;  // MSH-8 security
  out += f;
  out += "ACK";
  if (const std::string event = ack_trigger_event(original.trigger_event); !event.empty()) {
    out += e.component;
    out += event;
    out += e.component;
    out += "ACK";
  }
  out += f;
  out += e.escape(echoed(stamp.control_id, kMaxControlId));
  out += f;
  // MSH-11.1 is one of P (production), T (training), D (debugging).
  const char processing = original.processing_id.empty() ? 'P' : original.processing_id.front();
  out += (processing == 'T' || processing == 'D') ? processing : 'P';
  out += f;
  out += ack_version(original.version);
  out += '\r';

  out += "MSA";
  out += f;
  out += ack_code_text(code);
  out += f;
  out += e.escape(echoed(original.control_id, kMaxControlId));
  if (!problems.empty()) {
    std::string text = problems.front().reason.substr(0, kMaxMsaText);
    const std::size_t more = problems.size() - 1 + more_problems;
    if (more > 0) text += " (+" + std::to_string(more) + " more)";
    out += f;
    out += e.escape(text);
  }
  out += '\r';

  if (code != AckCode::kAccept) {
    for (std::size_t i = 0; i < problems.size() && i < kMaxErrSegments; ++i) {
      const Rejection& p = problems[i];
      std::vector<std::string> location;
      if (!p.location.empty()) {
        for (std::string_view part : split(p.location, '^')) location.emplace_back(part);
      }
      out += "ERR";
      out += f;  // ERR-1 (v2.3 form) left empty
      out += f;
      out += join_escaped(e, location);
      out += f;
      out += std::to_string(p.hl7_condition);
      out += e.component;
      out += condition_name(p.hl7_condition);
      out += e.component;
      out += "HL70357";
      out += f;
      out += 'E';  // ERR-4 severity: error
      out += f;    // ERR-5 application error code
      out += f;    // ERR-6 application error parameter
      out += f;    // ERR-7 diagnostic information
      out += f;
      out += e.escape(p.reason.substr(0, kMaxErrText));  // ERR-8 user message
      out += '\r';
    }
  }
  return out;
}

std::string make_ack(const Hl7Header& original, AckCode code, std::string_view text, const AckStamp& stamp) {
  if (text.empty()) return make_ack(original, code, std::span<const Rejection>{}, stamp);
  Rejection r = reject(Fault::kMalformed, std::string(text));
  return make_ack(original, code, std::span<const Rejection>(&r, 1), stamp);
}

Checked<Hl7Ack> Hl7Ack::parse(std::string_view message) {
  auto header = Hl7Header::parse(message);
  if (!header) return header.error();
  Hl7Ack ack;
  ack.header = std::move(header).value();
  if (ack.header.message_code != "ACK") {
    return reject(Fault::kMalformed,
                  "MSH-9 message type '" + printable(ack.header.message_code, 8) + "' is not ACK");
  }
  bool have_msa = false;
  const auto segments = split_segments(message);
  for (std::size_t i = 1; i < segments.size(); ++i) {
    const Hl7Segment s(segments[i], ack.header.encoding);
    if (s.id() == "MSA" && !have_msa) {
      const std::string code = s.component(1, 1);
      if (code == "AA" || code == "CA") {
        ack.code = AckCode::kAccept;
      } else if (code == "AE" || code == "CE") {
        ack.code = AckCode::kError;
      } else if (code == "AR" || code == "CR") {
        ack.code = AckCode::kReject;
      } else {
        return reject(Fault::kMalformed, "MSA-1 acknowledgment code '" + printable(code, 8) + "' is unknown");
      }
      ack.acknowledged_control_id = s.component(2, 1);
      ack.text = s.component(3, 1);
      have_msa = true;
    } else if (s.id() == "ERR") {
      Rejection r;
      std::string location;
      for (const std::string& c : s.components(2)) {
        if (!location.empty() || !c.empty()) location += (location.empty() ? "" : "^") + c;
      }
      r.location = location;
      const std::string condition = s.component(3, 1);
      int value = 207;
      std::from_chars(condition.data(), condition.data() + condition.size(), value);
      r.hl7_condition = value;
      r.reason = s.component(8, 1);
      if (r.reason.empty()) r.reason = s.component(3, 2);
      ack.errors.push_back(std::move(r));
    }
  }
  if (!have_msa) return reject(Fault::kMalformed, "the ACK has no MSA segment");
  return ack;
}

}  // namespace surgilink::vitals
