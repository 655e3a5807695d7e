// libFuzzer target: MLLP framing of HL7 v2 (vitals/mllp_frame_reader.hpp) as a patient-monitor gateway's TCP
// stream might deliver it. Input: one byte choosing how the stream is cut into reads (fuzz_support.hpp:
// ChunkSizes), then the stream. However it is cut, the reader must give the same messages, counts and
// failure as when the stream arrives in one read; and every message framed again must read back unchanged.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "surgilink/vitals/mllp_frame_reader.hpp"

namespace {

using surgilink::vitals::MllpFrameReader;

// Small enough that the fuzzer reaches the limit, large enough for the HL7 seeds.
constexpr std::size_t kMaxFrame = 8192;

struct Messages {
  std::vector<std::string> texts;
  std::optional<surgilink::core::Fault> failure;  // the reader stays failed after it
};

void drain(MllpFrameReader& reader, Messages& messages) {
  while (!messages.failure) {
    auto next = reader.next();
    if (!next) {
      messages.failure = next.error().fault;
      SURGILINK_FUZZ_CHECK(!next.error().reason.empty());
      return;
    }
    if (!next.value()) return;
    SURGILINK_FUZZ_CHECK(next.value()->size() <= kMaxFrame);
    messages.texts.push_back(std::move(*next.value()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  surgilink::fuzz::FuzzInput input(data, size);
  const surgilink::fuzz::ChunkSizes cuts(input.byte());
  const auto bytes = input.rest();
  const auto stream = surgilink::fuzz::text_of(bytes);

  Messages whole;
  MllpFrameReader whole_reader(kMaxFrame);
  whole_reader.feed(stream);
  drain(whole_reader, whole);

  Messages chunked;
  MllpFrameReader chunked_reader(kMaxFrame);
  surgilink::fuzz::deliver_in_chunks(bytes, cuts, [&](std::span<const std::uint8_t> chunk) {
    chunked_reader.feed(surgilink::fuzz::text_of(chunk));
    drain(chunked_reader, chunked);
    return !chunked.failure;
  });
  SURGILINK_FUZZ_CHECK(whole.failure == chunked.failure);
  SURGILINK_FUZZ_CHECK(whole.texts == chunked.texts);
  if (!whole.failure) {
    SURGILINK_FUZZ_CHECK(whole_reader.in_frame() == chunked_reader.in_frame());
    SURGILINK_FUZZ_CHECK(whole_reader.current_frame() == chunked_reader.current_frame());
    SURGILINK_FUZZ_CHECK(whole_reader.restarted_frames() == chunked_reader.restarted_frames());
    SURGILINK_FUZZ_CHECK(whole_reader.stray_bytes() == chunked_reader.stray_bytes());
  }

  for (const std::string& text : whole.texts) {
    MllpFrameReader again(kMaxFrame);
    again.feed(surgilink::vitals::mllp_frame(text));
    auto read = again.next();
    SURGILINK_FUZZ_CHECK(read && read.value() && *read.value() == text);
  }
  return 0;
}
