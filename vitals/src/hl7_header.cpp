#include "surgilink/vitals/hl7_header.hpp"

#include "hl7_segment.hpp"
#include "surgilink/vitals/hl7_time.hpp"

namespace surgilink::vitals {

namespace {

using core::Fault;

constexpr std::size_t kMaxControlId = 199;  // MSH-10 is ST(199) from v2.5 on

Rejection msh_problem(Fault fault, int field, int condition, std::string reason) {
  Rejection r = reject(fault, std::move(reason));
  r.location = "MSH^1^" + std::to_string(field);
  r.hl7_condition = condition;
  return r;
}

std::string_view first_segment(std::string_view message) {
  const std::size_t end = message.find_first_of("\r\n");
  return message.substr(0, end);
}

// Fills the fields that do not need validation.
void read_fields(const Hl7Segment& msh, Hl7Header& h) {
  h.sending_application = msh.components(3);
  h.sending_facility = msh.components(4);
  h.receiving_application = msh.components(5);
  h.receiving_facility = msh.components(6);
  h.message_time = parse_hl7_time(msh.component(7, 1));
  h.message_code = msh.component(9, 1);
  h.trigger_event = msh.component(9, 2);
  h.message_structure = msh.component(9, 3);
  h.control_id = msh.component(10, 1);
  h.processing_id = msh.component(11, 1);
  h.version = msh.component(12, 1);
}

bool is_v2(std::string_view version) {
  return version.size() >= 3 && version[0] == '2' && version[1] == '.' && version[2] >= '1' &&
         version[2] <= '9';
}

}  // namespace

Checked<Hl7Header> Hl7Header::parse(std::string_view message) {
  auto encoding = Hl7Encoding::from_message(message);
  if (!encoding) return encoding.error();
  Hl7Header h;
  h.encoding = encoding.value();
  const Hl7Segment msh(first_segment(message), h.encoding);
  read_fields(msh, h);
  if (h.message_code.empty()) {
    return msh_problem(Fault::kMalformed, 9, 101, "MSH-9 message type is missing");
  }
  if (h.control_id.empty()) {
    return msh_problem(Fault::kMalformed, 10, 101, "MSH-10 message control id is missing");
  }
  if (h.control_id.size() > kMaxControlId) {
    return msh_problem(Fault::kMalformed, 10, 102, "MSH-10 message control id is longer than 199 characters");
  }
  for (char c : h.control_id) {
    if (static_cast<unsigned char>(c) < 0x20) {
      return msh_problem(Fault::kMalformed, 10, 102, "MSH-10 message control id holds control characters");
    }
  }
  if (h.version.empty()) {
    return msh_problem(Fault::kMalformed, 12, 101, "MSH-12 version id is missing");
  }
  if (!is_v2(h.version)) {
    return msh_problem(Fault::kUnsupportedVersion, 12, 203,
                       "MSH-12 version '" + printable(h.version, 16) + "' is not HL7 v2.x");
  }
  return h;
}

Hl7Header Hl7Header::salvage(std::string_view message) {
  Hl7Header h;
  if (auto encoding = Hl7Encoding::from_message(message)) {
    h.encoding = encoding.value();
  } else if (message.substr(0, 3) != "MSH") {
    return h;
  } else if (message.size() > 3 && message[3] > 0x20 && message[3] < 0x7F) {
    h.encoding.field = message[3];  // the encoding characters are broken; fields may still be found
  }
  const Hl7Segment msh(first_segment(message), h.encoding);
  read_fields(msh, h);
  std::string id;
  for (char c : h.control_id) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F && id.size() < kMaxControlId) id += c;
  }
  h.control_id = id;
  if (!is_v2(h.version)) h.version.clear();
  return h;
}

}  // namespace surgilink::vitals
