// libFuzzer target: the vitals packet of the realtime channel (vitals/vitals_packet.hpp), as an SRTP-
// authenticated peer (or a bug in one) might send it. A packet that decodes must encode to the size
// encoded_size() says and decode again to the same packet, and encoding is then stable byte for byte.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz_support.hpp"
#include "surgilink/vitals/vitals_packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace surgilink::vitals;
  auto decoded = decode_vitals_packet({data, size});
  if (!decoded) return 0;
  SURGILINK_FUZZ_CHECK(size <= kMaxVitalsPayload);
  for (const WaveformChunk& chunk : decoded.value().waveforms)
    SURGILINK_FUZZ_CHECK(chunk.samples.size() <= kMaxWaveformRecordSamples);

  std::vector<std::uint8_t> wire;
  encode(decoded.value(), wire);
  SURGILINK_FUZZ_CHECK(wire.size() == encoded_size(decoded.value()));
  SURGILINK_FUZZ_CHECK(wire.size() <= size);  // unknown record kinds are dropped, nothing is added
  auto again = decode_vitals_packet(wire);
  SURGILINK_FUZZ_CHECK(again && again.value() == decoded.value());
  std::vector<std::uint8_t> wire_again;
  encode(again.value(), wire_again);
  SURGILINK_FUZZ_CHECK(wire_again == wire);
  return 0;
}
