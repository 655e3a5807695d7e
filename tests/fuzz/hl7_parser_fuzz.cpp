// libFuzzer target: HL7 v2 ORU^R01 parsing, ACK building and MLLP framing must never crash, hang or leak
// on any input, and every ACK the sender writes must read back as an ACK. Input: a message as a gateway
// sends it (also read as an MLLP byte stream).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "surgilink/vitals/hl7_ack.hpp"
#include "surgilink/vitals/hl7_header.hpp"
#include "surgilink/vitals/mllp_frame_reader.hpp"
#include "surgilink/vitals/observation_code_map.hpp"
#include "surgilink/vitals/oru_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace surgilink::vitals;
  static const ObservationCodeMap codes = ObservationCodeMap::defaults();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const surgilink::core::CaptureTime now{};
  const AckStamp stamp{now, "FUZZ"};

  // As a whole message.
  auto parsed = OruMessage::parse(input, codes, now);
  std::string ack;
  if (parsed) {
    const OruMessage& m = parsed.value();
    ack = make_ack(m.header, m.problems.empty() ? AckCode::kAccept : AckCode::kError, m.problems, stamp);
  } else {
    ack = make_ack(Hl7Header::salvage(input), AckCode::kReject,
                   std::span<const Rejection>(&parsed.error(), 1), stamp);
  }
  // Every ACK we write must read back as an ACK.
  SURGILINK_FUZZ_CHECK(Hl7Ack::parse(ack).has_value());

  // As a byte stream on an MLLP connection.
  MllpFrameReader reader(4096);
  reader.feed(input);
  while (true) {
    auto next = reader.next();
    if (!next || !next.value()) break;
    (void)OruMessage::parse(*next.value(), codes, now);
  }
  (void)Hl7Ack::parse(input);
  return 0;
}
