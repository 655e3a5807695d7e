// libFuzzer target: HL7 v2 delimiters and escape sequences (vitals/hl7_encoding.hpp). Input: text, which is
// also tried as the start of a message declaring its own delimiters (MSH-1, MSH-2). Declared delimiters must
// read back from the header they write; with them (or the defaults), escaping any text must leave no
// delimiter or line end in it and unescaping must give the text back; unescaping anything never fails.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "surgilink/vitals/hl7_encoding.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using surgilink::vitals::Hl7Encoding;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  Hl7Encoding encoding;
  if (auto declared = Hl7Encoding::from_message(text)) {
    encoding = declared.value();
    const std::string header = "MSH" + std::string(1, encoding.field) + encoding.encoding_characters() +
                               std::string(1, encoding.field) + "\r";
    auto again = Hl7Encoding::from_message(header);
    SURGILINK_FUZZ_CHECK(again && again.value() == encoding);
  }

  const std::string escaped = encoding.escape(text);
  for (const char c :
       {encoding.field, encoding.component, encoding.repetition, encoding.subcomponent, '\r', '\n'}) {
    SURGILINK_FUZZ_CHECK(escaped.find(c) == std::string::npos);
  }
  SURGILINK_FUZZ_CHECK(encoding.unescape(escaped) == text);

  const std::string unescaped = encoding.unescape(text);
  // Sequences only shrink or keep their text (\X41\ is four bytes for one).
  SURGILINK_FUZZ_CHECK(unescaped.size() <= text.size());
  return 0;
}
