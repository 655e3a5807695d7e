#include "surgilink/session/control_framing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

namespace surgilink::session {
namespace {

using core::Fault;
using Bytes = std::vector<std::uint8_t>;

std::error_code fault(Fault f) { return core::make_error_code(f); }

Bytes body_of_size(std::size_t n, std::uint8_t seed) {
  Bytes body(n);
  for (std::size_t i = 0; i < n; ++i) body[i] = static_cast<std::uint8_t>(seed + i * 31);
  return body;
}

// The next frame, which must be complete.
Bytes next_frame(ControlFrameReader& reader) {
  auto r = reader.next();
  EXPECT_TRUE(r.has_value()) << r.error().message();
  if (!r.has_value()) return {};
  EXPECT_TRUE(r.value().has_value()) << "no complete frame";
  return r.value().value_or(Bytes{});
}

// True when the reader has no complete frame and no error.
bool nothing_ready(ControlFrameReader& reader) {
  auto r = reader.next();
  return r.has_value() && !r.value().has_value();
}

TEST(ControlFraming, AppendFrameWritesBigEndianLengthThenBody) {
  Bytes out = {0xAA};  // appends, does not overwrite
  append_frame(Bytes{0x01, 0x02, 0x03}, out);
  EXPECT_EQ(out, (Bytes{0xAA, 0x00, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03}));

  Bytes big_out;
  append_frame(body_of_size(0x012345, 0), big_out);
  ASSERT_EQ(big_out.size(), 4u + 0x012345);
  EXPECT_EQ(Bytes(big_out.begin(), big_out.begin() + 4), (Bytes{0x00, 0x01, 0x23, 0x45}));
}

TEST(ControlFraming, RoundTrip) {
  const Bytes body = body_of_size(300, 7);
  Bytes stream;
  append_frame(body, stream);
  ControlFrameReader reader;
  reader.feed(stream);
  EXPECT_EQ(next_frame(reader), body);
  EXPECT_TRUE(nothing_ready(reader));
}

TEST(ControlFraming, ByteByByteFeeding) {
  const Bytes body = body_of_size(41, 3);
  Bytes stream;
  append_frame(body, stream);
  ControlFrameReader reader;
  for (std::size_t i = 0; i + 1 < stream.size(); ++i) {
    reader.feed(std::span<const std::uint8_t>(&stream[i], 1));
    EXPECT_TRUE(nothing_ready(reader)) << "after " << i + 1 << " bytes";
  }
  reader.feed(std::span<const std::uint8_t>(&stream.back(), 1));
  EXPECT_EQ(next_frame(reader), body);
  EXPECT_TRUE(nothing_ready(reader));
}

TEST(ControlFraming, TwoFramesInOneFeed) {
  const Bytes first = body_of_size(10, 1);
  const Bytes second = body_of_size(20, 2);
  Bytes stream;
  append_frame(first, stream);
  append_frame(second, stream);
  ControlFrameReader reader;
  reader.feed(stream);
  EXPECT_EQ(next_frame(reader), first);
  EXPECT_EQ(next_frame(reader), second);
  EXPECT_TRUE(nothing_ready(reader));
}

TEST(ControlFraming, FrameSplitAcrossFeedsWithNextFrameStarting) {
  const Bytes first = body_of_size(9, 4);
  const Bytes second = body_of_size(5, 5);
  Bytes stream;
  append_frame(first, stream);
  append_frame(second, stream);
  ControlFrameReader reader;
  // First feed ends in the middle of the second frame's length prefix.
  reader.feed(std::span<const std::uint8_t>(stream.data(), 4 + 9 + 2));
  EXPECT_EQ(next_frame(reader), first);
  EXPECT_TRUE(nothing_ready(reader));
  reader.feed(std::span<const std::uint8_t>(stream.data() + 15, stream.size() - 15));
  EXPECT_EQ(next_frame(reader), second);
  EXPECT_TRUE(nothing_ready(reader));
}

TEST(ControlFraming, ZeroLengthFrame) {
  Bytes stream;
  append_frame(Bytes{}, stream);
  EXPECT_EQ(stream, (Bytes{0, 0, 0, 0}));
  append_frame(Bytes{0x7F}, stream);
  ControlFrameReader reader;
  reader.feed(stream);
  auto r = reader.next();
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r.value().has_value()) << "an empty frame is a complete frame";
  EXPECT_TRUE(r.value()->empty());
  EXPECT_EQ(next_frame(reader), (Bytes{0x7F}));
}

TEST(ControlFraming, LengthPrefixOverTheLimitIsTooLarge) {
  constexpr std::uint32_t n = kMaxControlMessage + 1;
  const Bytes prefix = {static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                        static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
  ControlFrameReader reader;
  reader.feed(prefix);  // reported as soon as the prefix is known, before any body arrives
  auto r = reader.next();
  ASSERT_TRUE(r.has_error());
  EXPECT_EQ(r.error(), fault(Fault::kTooLarge));
}

TEST(ControlFraming, LengthPrefixAtTheLimitIsAccepted) {
  const Bytes body = body_of_size(kMaxControlMessage, 9);
  Bytes stream;
  append_frame(body, stream);
  ControlFrameReader reader;
  reader.feed(std::span<const std::uint8_t>(stream.data(), stream.size() - 1));
  EXPECT_TRUE(nothing_ready(reader));
  reader.feed(std::span<const std::uint8_t>(&stream.back(), 1));
  EXPECT_EQ(next_frame(reader), body);
}

TEST(ControlFraming, HugeLengthPrefixIsTooLarge) {
  ControlFrameReader reader;
  reader.feed(Bytes{0xFF, 0xFF, 0xFF, 0xFF});
  auto r = reader.next();
  ASSERT_TRUE(r.has_error());
  EXPECT_EQ(r.error(), fault(Fault::kTooLarge));
}

TEST(ControlFraming, ManyFramesOverALongConnection) {
  // One continuous stream fed in chunks that never line up with frames, so that the reader always holds a
  // partial frame and has to compact its buffer as it goes.
  std::vector<Bytes> bodies;
  Bytes stream;
  for (int i = 0; i < 300; ++i) {
    bodies.push_back(
        body_of_size(static_cast<std::size_t>(50 + (i * 37) % 400), static_cast<std::uint8_t>(i)));
    append_frame(bodies.back(), stream);
  }
  ControlFrameReader reader;
  std::vector<Bytes> received;
  constexpr std::size_t kChunk = 777;
  for (std::size_t at = 0; at < stream.size(); at += kChunk) {
    const std::size_t n = std::min(kChunk, stream.size() - at);
    reader.feed(std::span<const std::uint8_t>(stream.data() + at, n));
    for (;;) {
      auto r = reader.next();
      ASSERT_TRUE(r.has_value()) << r.error().message();
      if (!r.value().has_value()) break;
      received.push_back(std::move(*r.value()));
    }
  }
  ASSERT_EQ(received.size(), bodies.size());
  for (std::size_t i = 0; i < bodies.size(); ++i) EXPECT_EQ(received[i], bodies[i]) << "frame " << i;
}

TEST(ControlFraming, ProtocolConstants) {
  EXPECT_EQ(kProtocolVersion, 2u);  // 2: roles and vitals rows as enums (golden bytes: control_protocol_test)
  EXPECT_EQ(kMaxControlMessage, 65536u);
}

}  // namespace
}  // namespace surgilink::session
