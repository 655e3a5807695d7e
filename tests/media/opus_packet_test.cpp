#include "surgilink/media/opus_packet.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace surgilink::media {
namespace {

using core::Fault;
using Bytes = std::vector<std::uint8_t>;

Fault fault_of(const Bytes& p) {
  const auto r = check_opus_packet(p);
  return r ? Fault::kCount : static_cast<Fault>(r.error().value());
}

TEST(OpusPacket, FramingsThatAddUpPass) {
  EXPECT_TRUE(check_opus_packet(Bytes{0xf8}));                    // code 0, an empty frame (a gap)
  EXPECT_TRUE(check_opus_packet(Bytes{0xf8, 1, 2, 3}));           // code 0
  EXPECT_TRUE(check_opus_packet(Bytes{0xf9, 1, 2, 3, 4}));        // code 1: two frames of 2
  EXPECT_TRUE(check_opus_packet(Bytes{0xfa, 2, 1, 2, 3}));        // code 2: 2 + 1
  EXPECT_TRUE(check_opus_packet(Bytes{0xfb, 0x03, 1, 2, 3}));     // code 3 CBR: three frames of 1
  EXPECT_TRUE(check_opus_packet(Bytes{0xfb, 0x82, 1, 9, 8, 7}));  // code 3 VBR: 1 + 2
  EXPECT_TRUE(check_opus_packet(Bytes{0xfb, 0x41, 2, 5, 0, 0}));  // code 3 with 2 bytes of padding
}

TEST(OpusPacket, TruncatedAndImpossibleFramingsAreRefused) {
  EXPECT_EQ(fault_of({}), Fault::kTruncated);
  EXPECT_EQ(fault_of({0xfa, 200, 1, 2, 3}), Fault::kTruncated);   // code 2: first frame past the end
  EXPECT_EQ(fault_of({0xfa}), Fault::kTruncated);                 // code 2 without its length
  EXPECT_EQ(fault_of({0xfa, 252}), Fault::kTruncated);            // a two-byte length cut short
  EXPECT_EQ(fault_of({0xfb}), Fault::kTruncated);                 // code 3 without its count
  EXPECT_EQ(fault_of({0xfb, 0x41, 9, 1}), Fault::kTruncated);     // padding past the end
  EXPECT_EQ(fault_of({0xfb, 0x83, 1, 9, 8}), Fault::kTruncated);  // VBR lengths past the end
  EXPECT_EQ(fault_of({0xf9, 1, 2, 3}), Fault::kMalformed);        // code 1 with an odd size
  EXPECT_EQ(fault_of({0xfb, 0x00, 1}), Fault::kMalformed);        // no frames
  EXPECT_EQ(fault_of({0xfb, 0x07, 1, 2, 3, 4, 5, 6, 7}), Fault::kMalformed);  // 7 × 20 ms > 120 ms
  EXPECT_EQ(fault_of({0xfb, 0x02, 1, 2, 3}), Fault::kMalformed);              // CBR that does not divide
  EXPECT_EQ(fault_of(Bytes(1277, 0x00)), Fault::kMalformed);  // a 1276-byte frame (SILK 10 ms, code 0)
}

}  // namespace
}  // namespace surgilink::media
