// libFuzzer target: the control channel's length-prefixed framing (session/control_framing.hpp). Input: one
// byte choosing how the stream is cut into reads (fuzz_support.hpp: ChunkSizes), then the stream. However it
// is cut, the reader must give the same frames, and fail at the same point, as when the stream arrives in one
// read; and the frames framed again must give back the bytes they were read from.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "fuzz_support.hpp"
#include "surgilink/session/control_framing.hpp"

namespace {

using surgilink::session::ControlFrameReader;

struct Frames {
  std::vector<std::vector<std::uint8_t>> bodies;
  bool too_large = false;  // the reader failed: the connection would be closed
};

// Takes every complete frame out of `reader`.
void drain(ControlFrameReader& reader, Frames& frames) {
  while (!frames.too_large) {
    auto next = reader.next();
    if (!next) {
      SURGILINK_FUZZ_CHECK(next.error() == surgilink::core::Fault::kTooLarge);
      frames.too_large = true;
      return;
    }
    if (!next.value()) return;
    SURGILINK_FUZZ_CHECK(next.value()->size() <= surgilink::session::kMaxControlMessage);
    frames.bodies.push_back(std::move(*next.value()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  surgilink::fuzz::FuzzInput input(data, size);
  const surgilink::fuzz::ChunkSizes cuts(input.byte());
  const auto stream = input.rest();

  Frames whole;
  {
    ControlFrameReader reader;
    reader.feed(stream);
    drain(reader, whole);
  }
  Frames chunked;
  {
    ControlFrameReader reader;
    surgilink::fuzz::deliver_in_chunks(stream, cuts, [&](std::span<const std::uint8_t> chunk) {
      reader.feed(chunk);
      drain(reader, chunked);
      return !chunked.too_large;
    });
  }
  SURGILINK_FUZZ_CHECK(whole.too_large == chunked.too_large);
  SURGILINK_FUZZ_CHECK(whole.bodies == chunked.bodies);

  std::vector<std::uint8_t> again;
  for (const auto& body : whole.bodies) surgilink::session::append_frame(body, again);
  SURGILINK_FUZZ_CHECK(again.size() <= stream.size());
  SURGILINK_FUZZ_CHECK(std::equal(again.begin(), again.end(), stream.begin()));
  if (!whole.too_large) {
    // What is left is the start of a frame that has not arrived yet: too short for its length prefix.
    const std::size_t left = stream.size() - again.size();
    if (left >= 4) {
      const auto* p = stream.data() + again.size();
      const std::size_t declared =
          (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) | (std::size_t{p[2]} << 8) | p[3];
      SURGILINK_FUZZ_CHECK(left < 4 + declared);
    }
  }
  return 0;
}
