#include "surgilink/media/rtp_packet.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "golden_bytes.hpp"

namespace surgilink::media {
namespace {

using core::Fault;
using Bytes = std::vector<std::uint8_t>;

template <typename T>
std::error_code error_of(const core::Result<T>& r) {
  return r.has_error() ? r.error() : std::error_code{};
}

std::error_code fault(Fault f) { return core::make_error_code(f); }

// The packet of tests/data/rtp_timing_extension_v1.hex before the extension is added.
const Bytes kPlainPacket = {
    0x80, 0xE0, 0x12, 0x34,  // V=2, M=1 PT=96, seq 0x1234
    0x00, 0xAB, 0xCD, 0xEF,  // timestamp
    0xDE, 0xAD, 0xBE, 0xEF,  // SSRC
    0x01, 0x02, 0x03, 0x04, 0x05,
};
constexpr std::uint64_t kCaptureNtp = 0xE9A1B2C340000000ull;
constexpr std::uint64_t kSendNtp = 0xE9A1B2C380000000ull;

// The plain packet with the timing extension, written out by hand (must equal the golden file).
const Bytes kExtendedPacket = {
    0x90, 0xE0, 0x12, 0x34, 0x00, 0xAB, 0xCD, 0xEF, 0xDE, 0xAD, 0xBE, 0xEF,  // X=1 now
    0xBE, 0xDE, 0x00, 0x05,                                                  // one-byte form, 5 words
    0x17, 0xE9, 0xA1, 0xB2, 0xC3, 0x40, 0x00, 0x00, 0x00,                    // id 1, 8 bytes
    0x27, 0xE9, 0xA1, 0xB2, 0xC3, 0x80, 0x00, 0x00, 0x00,                    // id 2, 8 bytes
    0x00, 0x00,                                                              // padding
    0x01, 0x02, 0x03, 0x04, 0x05,                                            // payload
};

// Copies `packet` into a buffer with `room` spare bytes after it.
Bytes with_room(const Bytes& packet, std::size_t room) {
  Bytes buffer(packet);
  buffer.resize(packet.size() + room, 0xEE);
  return buffer;
}

TEST(ParseRtp, ReadsFixedHeaderFields) {
  const Bytes packet = {
      0x80, 0x60, 0x00, 0x07,  // V=2, M=0 PT=96, seq 7
      0x11, 0x22, 0x33, 0x44,  // timestamp
      0xCA, 0xFE, 0xBA, 0xBE,  // SSRC
      0xAA, 0xBB, 0xCC,
  };
  const auto r = parse_rtp(packet);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_FALSE(r.value().marker);
  EXPECT_EQ(r.value().payload_type, 96);
  EXPECT_EQ(r.value().sequence, 7);
  EXPECT_EQ(r.value().timestamp, 0x11223344u);
  EXPECT_EQ(r.value().ssrc, 0xCAFEBABEu);
  EXPECT_EQ(r.value().payload_offset, 12u);
  EXPECT_EQ(r.value().payload_size, 3u);
  EXPECT_FALSE(r.value().capture_ntp.has_value());
  EXPECT_FALSE(r.value().send_ntp.has_value());
}

TEST(ParseRtp, ReadsMarkerAndSkipsCsrcs) {
  const Bytes packet = {
      0x82, 0xE1, 0xFF, 0xFF,  // CC=2, M=1 PT=97, seq 65535
      0x00, 0x00, 0x00, 0x01,  // timestamp
      0x00, 0x00, 0x00, 0x02,  // SSRC
      0x10, 0x10, 0x10, 0x10,  // CSRC 1
      0x20, 0x20, 0x20, 0x20,  // CSRC 2
      0x5A,
  };
  const auto r = parse_rtp(packet);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_TRUE(r.value().marker);
  EXPECT_EQ(r.value().payload_type, 97);
  EXPECT_EQ(r.value().sequence, 65535);
  EXPECT_EQ(r.value().payload_offset, 20u);
  EXPECT_EQ(r.value().payload_size, 1u);
  EXPECT_EQ(packet[r.value().payload_offset], 0x5A);
}

TEST(ParseRtp, ReadsHandWrittenTimingExtension) {
  const auto r = parse_rtp(kExtendedPacket);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r.value().sequence, 0x1234);
  EXPECT_EQ(r.value().payload_offset, 36u);
  EXPECT_EQ(r.value().payload_size, 5u);
  ASSERT_TRUE(r.value().capture_ntp.has_value());
  ASSERT_TRUE(r.value().send_ntp.has_value());
  EXPECT_EQ(*r.value().capture_ntp, kCaptureNtp);
  EXPECT_EQ(*r.value().send_ntp, kSendNtp);
}

TEST(ParseRtp, SkipsUnknownExtensionProfileAndOtherElements) {
  const Bytes two_byte_form = {
      0x90, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x01, 0x10, 0x00, 0x00, 0x01,  // RFC 8285 two-byte form: not parsed for timing
      0x01, 0x08, 0x00, 0x00,  // one element id 1, length 8 would overrun: must not be read
      0x77,
  };
  const auto r = parse_rtp(two_byte_form);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r.value().payload_offset, 20u);
  EXPECT_EQ(r.value().payload_size, 1u);
  EXPECT_FALSE(r.value().capture_ntp.has_value());

  const Bytes other_ids = {
      0x90, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x01, 0xBE, 0xDE, 0x00, 0x01,  // one word of elements
      0x30, 0xAA,                                      // id 3, 1 byte
      0x00, 0x00,                                      // padding
  };
  const auto r2 = parse_rtp(other_ids);
  ASSERT_TRUE(r2.has_value()) << r2.error().message();
  EXPECT_EQ(r2.value().payload_offset, 20u);
  EXPECT_EQ(r2.value().payload_size, 0u);
  EXPECT_FALSE(r2.value().capture_ntp.has_value());
  EXPECT_FALSE(r2.value().send_ntp.has_value());
}

TEST(ParseRtp, ExtensionElementOverrunningItsBlockIsMalformed) {
  const Bytes packet = {
      0x90, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x01, 0xBE, 0xDE, 0x00, 0x01,  // one word of elements
      0x17, 0x01, 0x02, 0x03,                          // id 1 says 8 bytes, only 3 in the block
      0x99, 0x99, 0x99, 0x99, 0x99, 0x99,
  };
  EXPECT_EQ(error_of(parse_rtp(packet)), fault(Fault::kMalformed));
}

TEST(ParseRtp, PaddingIsExcludedFromPayload) {
  const Bytes packet = {
      0xA0, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  // P=1
      0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x03,                                // 4 payload, 3 padding
  };
  const auto r = parse_rtp(packet);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r.value().payload_offset, 12u);
  EXPECT_EQ(r.value().payload_size, 4u);
}

TEST(ParseRtp, PaddingLargerThanThePacketIsMalformed) {
  Bytes packet = {
      0xA0, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  // P=1
      0x01, 0x02, 0x03, 0xFF,                                                  // padding count 255
  };
  EXPECT_EQ(error_of(parse_rtp(packet)), fault(Fault::kMalformed));
  packet.back() = 5;  // one more than the 4 bytes after the header
  EXPECT_EQ(error_of(parse_rtp(packet)), fault(Fault::kMalformed));
  packet.back() = 0;  // a zero padding count is impossible
  EXPECT_EQ(error_of(parse_rtp(packet)), fault(Fault::kMalformed));
  packet.back() = 4;  // exactly everything after the header: allowed, empty payload
  const auto r = parse_rtp(packet);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r.value().payload_size, 0u);
}

TEST(ParseRtp, WrongVersionIsNotRtp) {
  for (const std::uint8_t first : {std::uint8_t{0x00}, std::uint8_t{0x40}, std::uint8_t{0xC0}}) {
    Bytes packet = kPlainPacket;
    packet[0] = first;
    EXPECT_EQ(error_of(parse_rtp(packet)), fault(Fault::kNotRtp)) << "first byte " << int{first};
  }
}

TEST(ParseRtp, CsrcCountBeyondTheEndIsTruncated) {
  const Bytes packet = {
      0x8F, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  // CC=15: 60 bytes of CSRCs
      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
  };
  EXPECT_EQ(error_of(parse_rtp(packet)), fault(Fault::kTruncated));
}

TEST(ParseRtp, ExtensionLengthBeyondTheEndIsTruncated) {
  const Bytes packet = {
      0x90, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x01, 0xBE, 0xDE, 0x00, 0x10,  // 64 bytes of elements announced
      0x00, 0x00, 0x00, 0x00,
  };
  EXPECT_EQ(error_of(parse_rtp(packet)), fault(Fault::kTruncated));
}

TEST(ParseRtp, EveryTruncationOfAnExtendedPacketIsRejectedWithoutCrash) {
  const std::size_t header_end = kRtpFixedHeaderSize + kTimingExtensionSize;
  for (std::size_t length = 0; length < kExtendedPacket.size(); ++length) {
    // A copy of exactly `length` bytes, so that AddressSanitizer sees any read past the end.
    const Bytes truncated(kExtendedPacket.begin(),
                          kExtendedPacket.begin() + static_cast<std::ptrdiff_t>(length));
    const auto r = parse_rtp(truncated);
    if (length < header_end) {
      EXPECT_EQ(error_of(r), fault(Fault::kTruncated)) << "length " << length;
    } else {
      // Cut inside the payload: still a well-formed packet, with a shorter payload.
      ASSERT_TRUE(r.has_value()) << "length " << length << ": " << r.error().message();
      EXPECT_EQ(r.value().payload_offset, header_end);
      EXPECT_EQ(r.value().payload_size, length - header_end);
    }
  }
}

TEST(ParseRtp, RtcpPacketIsNotRtp) {
  Bytes pli(12);
  ASSERT_EQ(write_pli(pli, 1, 2), 12u);
  EXPECT_EQ(error_of(parse_rtp(pli)), fault(Fault::kNotRtp));
}

TEST(AddTimingExtension, ParseRecoversTimesAndPayloadIsUnchanged) {
  Bytes buffer = with_room(kPlainPacket, 64);
  const auto added = add_timing_extension(buffer, kPlainPacket.size(), kCaptureNtp, kSendNtp);
  ASSERT_TRUE(added.has_value()) << added.error().message();
  ASSERT_EQ(added.value(), kPlainPacket.size() + kTimingExtensionSize);

  const auto r = parse_rtp(std::span<const std::uint8_t>(buffer.data(), added.value()));
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_TRUE(r.value().marker);
  EXPECT_EQ(r.value().payload_type, 96);
  EXPECT_EQ(r.value().sequence, 0x1234);
  EXPECT_EQ(r.value().timestamp, 0x00ABCDEFu);
  EXPECT_EQ(r.value().ssrc, 0xDEADBEEFu);
  EXPECT_EQ(r.value().capture_ntp, kCaptureNtp);
  EXPECT_EQ(r.value().send_ntp, kSendNtp);
  EXPECT_EQ(r.value().payload_offset, kRtpFixedHeaderSize + kTimingExtensionSize);
  ASSERT_EQ(r.value().payload_size, 5u);
  const Bytes payload(buffer.begin() + static_cast<std::ptrdiff_t>(r.value().payload_offset),
                      buffer.begin() + static_cast<std::ptrdiff_t>(r.value().payload_offset + 5));
  EXPECT_EQ(payload, (Bytes{0x01, 0x02, 0x03, 0x04, 0x05}));
  // Nothing written past the new length.
  EXPECT_TRUE(std::all_of(buffer.begin() + static_cast<std::ptrdiff_t>(added.value()), buffer.end(),
                          [](std::uint8_t b) { return b == 0xEE; }));
}

TEST(AddTimingExtension, MatchesHandWrittenBytes) {
  Bytes buffer = with_room(kPlainPacket, kTimingExtensionSize);
  const auto added = add_timing_extension(buffer, kPlainPacket.size(), kCaptureNtp, kSendNtp);
  ASSERT_TRUE(added.has_value()) << added.error().message();
  EXPECT_EQ(Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(added.value())),
            kExtendedPacket);
}

TEST(AddTimingExtension, MatchesGoldenBytesV1) {
  const Bytes golden =
      surgilink::testing::read_hex_file(std::string(SURGILINK_TEST_DATA) + "/rtp_timing_extension_v1.hex");
  ASSERT_EQ(golden.size(), 41u);
  EXPECT_EQ(golden, kExtendedPacket);  // the file and this test agree on what v1 is

  Bytes buffer = with_room(kPlainPacket, 100);
  const auto added = add_timing_extension(buffer, kPlainPacket.size(), kCaptureNtp, kSendNtp);
  ASSERT_TRUE(added.has_value()) << added.error().message();
  EXPECT_EQ(Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(added.value())), golden);

  const auto r = parse_rtp(golden);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r.value().capture_ntp, kCaptureNtp);
  EXPECT_EQ(r.value().send_ntp, kSendNtp);
}

TEST(AddTimingExtension, InsertsAfterCsrcs) {
  const Bytes plain = {
      0x81, 0x60, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20,  // CC=1
      0x0C, 0x0C, 0x0C, 0x0C,                                                  // CSRC
      0xAB, 0xCD,                                                              // payload
  };
  Bytes buffer = with_room(plain, kTimingExtensionSize);
  const auto added = add_timing_extension(buffer, plain.size(), 1, 2);
  ASSERT_TRUE(added.has_value()) << added.error().message();
  ASSERT_EQ(added.value(), plain.size() + kTimingExtensionSize);
  EXPECT_EQ(buffer[0], 0x91);
  EXPECT_EQ(Bytes(buffer.begin() + 12, buffer.begin() + 16), (Bytes{0x0C, 0x0C, 0x0C, 0x0C}));
  EXPECT_EQ(Bytes(buffer.begin() + 16, buffer.begin() + 18), (Bytes{0xBE, 0xDE}));
  const auto r = parse_rtp(std::span<const std::uint8_t>(buffer.data(), added.value()));
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r.value().payload_offset, 16u + kTimingExtensionSize);
  EXPECT_EQ(r.value().payload_size, 2u);
  EXPECT_EQ(buffer[r.value().payload_offset], 0xAB);
  EXPECT_EQ(r.value().capture_ntp, 1u);
  EXPECT_EQ(r.value().send_ntp, 2u);
}

TEST(AddTimingExtension, RejectsBufferWithoutRoom) {
  Bytes buffer = with_room(kPlainPacket, kTimingExtensionSize - 1);
  const Bytes before = buffer;
  EXPECT_EQ(error_of(add_timing_extension(buffer, kPlainPacket.size(), 1, 2)), fault(Fault::kTooLarge));
  EXPECT_EQ(buffer, before);
}

TEST(AddTimingExtension, RejectsPacketThatAlreadyHasAnExtension) {
  Bytes buffer = with_room(kExtendedPacket, 64);
  EXPECT_EQ(error_of(add_timing_extension(buffer, kExtendedPacket.size(), 1, 2)), fault(Fault::kMalformed));
}

TEST(AddTimingExtension, RejectsShortOrNonRtpInput) {
  Bytes buffer = with_room(kPlainPacket, 64);
  EXPECT_EQ(error_of(add_timing_extension(buffer, 11, 1, 2)), fault(Fault::kTruncated));
  EXPECT_EQ(error_of(add_timing_extension(buffer, buffer.size() + 1, 1, 2)), fault(Fault::kTruncated));
  buffer[0] = 0x40;  // version 1
  EXPECT_EQ(error_of(add_timing_extension(buffer, kPlainPacket.size(), 1, 2)), fault(Fault::kNotRtp));
  buffer[0] = 0x84;  // CC=4: 16 bytes of CSRCs, but only 5 bytes after the fixed header
  EXPECT_EQ(error_of(add_timing_extension(buffer, kPlainPacket.size(), 1, 2)), fault(Fault::kTruncated));
}

TEST(LooksLikeRtcp, ByPacketTypeByte) {
  const Bytes sender_report = {0x80, 200, 0x00, 0x06};
  const Bytes feedback = {0x81, 206, 0x00, 0x02};
  const Bytes rtp_pt96 = {0x80, 96, 0x00, 0x01};
  const Bytes rtp_pt96_marker = {0x80, 0x80 | 96, 0x00, 0x01};
  const Bytes one_byte = {0x80};
  EXPECT_TRUE(looks_like_rtcp(sender_report));
  EXPECT_TRUE(looks_like_rtcp(feedback));
  EXPECT_FALSE(looks_like_rtcp(rtp_pt96));
  EXPECT_FALSE(looks_like_rtcp(rtp_pt96_marker));
  EXPECT_FALSE(looks_like_rtcp(one_byte));
  EXPECT_FALSE(looks_like_rtcp(kPlainPacket));
}

TEST(WritePli, WritesRfc4585Bytes) {
  Bytes out(16, 0xEE);
  ASSERT_EQ(write_pli(out, 0x01020304u, 0xA0B0C0D0u), 12u);
  const Bytes expected = {0x81, 0xCE, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04,
                          0xA0, 0xB0, 0xC0, 0xD0, 0xEE, 0xEE, 0xEE, 0xEE};
  EXPECT_EQ(out, expected);
}

TEST(WritePli, TooSmallBufferWritesNothing) {
  Bytes out(11, 0xEE);
  EXPECT_EQ(write_pli(out, 1, 2), 0u);
  EXPECT_EQ(out, Bytes(11, 0xEE));
}

TEST(ParseRtcp, PliAsksForPictureLoss) {
  Bytes out(12);
  ASSERT_EQ(write_pli(out, 7, 8), 12u);
  EXPECT_TRUE(looks_like_rtcp(out));
  const auto r = parse_rtcp(out);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_TRUE(r.value().picture_loss);
}

TEST(ParseRtcp, CompoundReceiverReportThenPli) {
  Bytes compound = {
      0x80, 201, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07,  // RR, no report blocks (8 bytes)
  };
  const auto rr_only = parse_rtcp(compound);
  ASSERT_TRUE(rr_only.has_value()) << rr_only.error().message();
  EXPECT_FALSE(rr_only.value().picture_loss);

  Bytes pli(12);
  ASSERT_EQ(write_pli(pli, 7, 8), 12u);
  compound.insert(compound.end(), pli.begin(), pli.end());
  const auto r = parse_rtcp(compound);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_TRUE(r.value().picture_loss);
}

TEST(ParseRtcp, FirAsksForPictureLossButOtherFeedbackDoesNot) {
  const Bytes fir = {
      0x84, 206,  0x00, 0x04, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00,  // FMT=4
      0x00, 0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00,                          // FCI: SSRC, seq nr
  };
  const auto r = parse_rtcp(fir);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_TRUE(r.value().picture_loss);

  const Bytes remb_like = {0x8F, 206, 0x00, 0x02, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00};  // FMT=15
  const auto r2 = parse_rtcp(remb_like);
  ASSERT_TRUE(r2.has_value()) << r2.error().message();
  EXPECT_FALSE(r2.value().picture_loss);
}

TEST(ParseRtcp, CompoundWithBadLengthIsRejected) {
  Bytes pli(12);
  ASSERT_EQ(write_pli(pli, 7, 8), 12u);
  Bytes compound = {0x80, 201, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07};  // RR claims 16 bytes, has 8
  EXPECT_EQ(error_of(parse_rtcp(compound)), fault(Fault::kTruncated));

  compound = pli;
  compound[3] = 0x05;  // PLI claims 24 bytes, has 12
  EXPECT_EQ(error_of(parse_rtcp(compound)), fault(Fault::kTruncated));

  compound = pli;
  compound.insert(compound.end(), {0x80, 201});  // 2 stray bytes after a complete packet
  EXPECT_EQ(error_of(parse_rtcp(compound)), fault(Fault::kTruncated));

  compound = pli;
  compound.insert(compound.end(), pli.begin(), pli.end());
  compound[12] = 0x41;  // second packet has version 1
  EXPECT_EQ(error_of(parse_rtcp(compound)), fault(Fault::kNotRtp));

  EXPECT_EQ(error_of(parse_rtcp(Bytes{0x80, 201, 0x00})), fault(Fault::kTruncated));
  EXPECT_EQ(error_of(parse_rtcp(Bytes{})), fault(Fault::kTruncated));
}

TEST(ParseRtcp, EveryTruncationOfACompoundPacketIsAnError) {
  Bytes compound = {0x80, 201, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07};
  Bytes pli(12);
  ASSERT_EQ(write_pli(pli, 7, 8), 12u);
  compound.insert(compound.end(), pli.begin(), pli.end());
  for (std::size_t length = 0; length < compound.size(); ++length) {
    const Bytes truncated(compound.begin(), compound.begin() + static_cast<std::ptrdiff_t>(length));
    const auto r = parse_rtcp(truncated);
    if (length == 8) {
      // Exactly the receiver report: complete on its own.
      ASSERT_TRUE(r.has_value()) << r.error().message();
      EXPECT_FALSE(r.value().picture_loss);
    } else {
      EXPECT_EQ(error_of(r), fault(Fault::kTruncated)) << "length " << length;
    }
  }
}

TEST(SequenceUnwrapper, FirstValueIsReturnedAsIs) {
  SequenceUnwrapper u;
  EXPECT_EQ(u.unwrap(1234), 1234);
  EXPECT_EQ(u.unwrap(1235), 1235);
}

TEST(SequenceUnwrapper, CountsOnAcrossTheWrap) {
  SequenceUnwrapper u;
  std::int64_t expected = 65530;
  std::uint16_t sequence = 65530;
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(u.unwrap(sequence), expected) << "sequence " << sequence;
    ++sequence;  // wraps 65535 -> 0
    ++expected;
  }
  EXPECT_EQ(sequence, 14);
  EXPECT_EQ(expected, 65550);
}

TEST(SequenceUnwrapper, ReorderingJustBelowTheWrap) {
  SequenceUnwrapper u;
  EXPECT_EQ(u.unwrap(65530), 65530);
  EXPECT_EQ(u.unwrap(65532), 65532);
  EXPECT_EQ(u.unwrap(65531), 65531);  // late, before the wrap
  EXPECT_EQ(u.unwrap(65534), 65534);
  EXPECT_EQ(u.unwrap(0), 65536);      // across the wrap, 65535 still missing
  EXPECT_EQ(u.unwrap(65535), 65535);  // the late one belongs before the wrap, not after
  EXPECT_EQ(u.unwrap(2), 65538);
  EXPECT_EQ(u.unwrap(65533), 65533);  // very late, still placed before the wrap
  EXPECT_EQ(u.unwrap(1), 65537);
  EXPECT_EQ(u.unwrap(3), 65539);
}

TEST(SequenceUnwrapper, SecondWrapAndLargeJump) {
  SequenceUnwrapper u;
  EXPECT_EQ(u.unwrap(65535), 65535);
  EXPECT_EQ(u.unwrap(0), 65536);
  EXPECT_EQ(u.unwrap(30000), 95536);  // forward jumps under half the space count on
  EXPECT_EQ(u.unwrap(60000), 125536);
  EXPECT_EQ(u.unwrap(65535), 131071);
  EXPECT_EQ(u.unwrap(0), 131072);  // second wrap
  EXPECT_EQ(u.unwrap(65535), 131071);
}

}  // namespace
}  // namespace surgilink::media

namespace surgilink::media {
namespace {

TEST(WriteRtpHeader, RoundTripsThroughTheParser) {
  RtpHeader h;
  h.marker = true;
  h.payload_type = 100;
  h.sequence = 0xfffe;
  h.timestamp = 0x01020304;
  h.ssrc = 0x5649'5441;
  std::vector<std::uint8_t> packet(16, 0xab);  // 12-byte header + 4 payload bytes
  ASSERT_EQ(write_rtp_header(packet, h), 12u);
  EXPECT_EQ(packet[0], 0x80);
  EXPECT_EQ(packet[1], 0x80 | 100);
  auto parsed = parse_rtp(packet);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed.value().marker);
  EXPECT_EQ(parsed.value().payload_type, 100);
  EXPECT_EQ(parsed.value().sequence, 0xfffe);
  EXPECT_EQ(parsed.value().timestamp, 0x01020304u);
  EXPECT_EQ(parsed.value().ssrc, 0x56495441u);
  EXPECT_EQ(parsed.value().payload_offset, 12u);
  EXPECT_EQ(parsed.value().payload_size, 4u);
  std::array<std::uint8_t, 11> small{};
  EXPECT_EQ(write_rtp_header(small, h), 0u);
}

}  // namespace
}  // namespace surgilink::media

namespace surgilink::media {
namespace {

// Golden bytes: a NACK for 0x1234, 0x1235, 0x1237 and 0x1300 is two FCI entries (PID 0x1234 with bits 0 and 2
// of its mask, PID 0x1300 alone).
TEST(RtcpNack, WritesRfc4585GenericNackAndReadsItBack) {
  std::array<std::uint8_t, 64> out{};
  const std::vector<std::uint16_t> lost{0x1234, 0x1235, 0x1237, 0x1300};
  const std::size_t n = write_nack(out, 0x01020304, 0xDEADBEEF, lost);
  const Bytes expected = {0x81, 205,  0x00, 0x04, 0x01, 0x02, 0x03, 0x04, 0xDE, 0xAD,
                          0xBE, 0xEF, 0x12, 0x34, 0x00, 0x05, 0x13, 0x00, 0x00, 0x00};
  EXPECT_EQ(Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)), expected);
  const auto parsed = parse_rtcp(std::span(out).first(n));
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed.value().picture_loss);
  EXPECT_EQ(parsed.value().nack_ssrc, 0xDEADBEEFu);
  EXPECT_EQ(parsed.value().nacked, lost);
  EXPECT_EQ(write_nack(out, 1, 2, {}), 0u);
  // Sequence numbers across the 16-bit wrap share one entry.
  const std::vector<std::uint16_t> wrap{0xFFFF, 0x0000, 0x0001};
  const std::size_t w = write_nack(out, 1, 2, wrap);
  EXPECT_EQ(w, 16u);
  EXPECT_EQ(parse_rtcp(std::span(out).first(w)).value().nacked, wrap);
}

// Golden bytes: 5.5 Mbit/s does not fit 18 bits: it is 171875 << 5.
TEST(RtcpRemb, WritesTheEstimateAsMantissaAndExponentAndReadsItBack) {
  std::array<std::uint8_t, 32> out{};
  const std::size_t n = write_remb(out, 0x01020304, 5'500'000, 0xDEADBEEF);
  ASSERT_EQ(n, 24u);
  const Bytes expected = {0x8F, 206, 0x00, 0x05, 0x01, 0x02, 0x03, 0x04, 0,    0,    0,    0,
                          'R',  'E', 'M',  'B',  0x01, 0x16, 0x9F, 0x63, 0xDE, 0xAD, 0xBE, 0xEF};
  EXPECT_EQ(Bytes(out.begin(), out.begin() + 24), expected);
  const auto parsed = parse_rtcp(std::span(out).first(n));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed.value().estimated_bps, 5'500'000u);
  EXPECT_FALSE(parsed.value().picture_loss);
  // A rate that needs no exponent is exact; a large one keeps 18 significant bits.
  ASSERT_EQ(write_remb(out, 1, 200'000, 2), 24u);
  EXPECT_EQ(parse_rtcp(std::span(out).first(24)).value().estimated_bps, 200'000u);
  ASSERT_EQ(write_remb(out, 1, 987'654'321, 2), 24u);
  const auto large = parse_rtcp(std::span(out).first(24)).value().estimated_bps.value();
  EXPECT_LE(large, 987'654'321u);
  EXPECT_GT(large, 987'654'321u - (987'654'321u >> 17));
  EXPECT_EQ(write_remb(out, 1, 0, 2), 0u);
  EXPECT_EQ(write_remb(std::span(out).first(20), 1, 1000, 2), 0u);
}

TEST(RtcpReceiverReport, CarriesTheShareLostAndComesCompoundWithARemb) {
  std::array<std::uint8_t, 56> out{};
  ASSERT_EQ(write_receiver_report(std::span(out).first(32), 7, 0xDEADBEEF, 0.25, 1234, 0x00012345), 32u);
  const Bytes expected = {0x81, 201, 0x00, 0x07, 0, 0, 0, 7, 0xDE, 0xAD, 0xBE, 0xEF, 64, 0x00, 0x04, 0xD2,
                          0,    1,   0x23, 0x45, 0, 0, 0, 0, 0,    0,    0,    0,    0,  0,    0,    0};
  EXPECT_EQ(Bytes(out.begin(), out.begin() + 32), expected);
  ASSERT_EQ(write_remb(std::span(out).subspan(32), 7, 3'000'000, 0xDEADBEEF), 24u);
  const auto parsed = parse_rtcp(out);
  ASSERT_TRUE(parsed);
  EXPECT_DOUBLE_EQ(parsed.value().fraction_lost.value(), 0.25);
  EXPECT_EQ(parsed.value().estimated_bps, 3'000'000u);
  // All lost is 255/256, never a wrap to 0.
  ASSERT_EQ(write_receiver_report(std::span(out).first(32), 7, 1, 1.0, 0, 0), 32u);
  EXPECT_EQ(out[12], 255);
  EXPECT_EQ(write_receiver_report(std::span(out).first(31), 7, 1, 0.1, 0, 0), 0u);
}

TEST(RtcpRemb, ARembThatNamesMoreSsrcsThanItCarriesIsRefused) {
  std::array<std::uint8_t, 24> out{};
  ASSERT_EQ(write_remb(out, 1, 1'000'000, 2), 24u);
  out[16] = 3;  // three SSRCs announced, one present
  EXPECT_EQ(error_of(parse_rtcp(out)), fault(Fault::kTruncated));
}

TEST(RtcpNack, AShortNackIsRefused) {
  const Bytes truncated = {0x81, 205, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};  // no FCI
  EXPECT_EQ(error_of(parse_rtcp(truncated)), fault(Fault::kTruncated));
}

TEST(Rtx, RetransmissionCarriesTheOriginalAndIsRestoredToIt) {
  std::array<std::uint8_t, 64> rtx{};
  const std::size_t n = write_rtx(rtx, kPlainPacket, 0x0BADF00D, 97, 7);
  ASSERT_EQ(n, kPlainPacket.size() + 2);
  const auto header = parse_rtp(std::span(rtx).first(n));
  ASSERT_TRUE(header);
  EXPECT_EQ(header.value().ssrc, 0x0BADF00Du);
  EXPECT_EQ(header.value().payload_type, 97);
  EXPECT_EQ(header.value().sequence, 7);
  EXPECT_TRUE(header.value().marker);
  EXPECT_EQ(rtx[12], 0x12);  // the original sequence number first
  EXPECT_EQ(rtx[13], 0x34);
  const auto restored = unwrap_rtx(std::span(rtx).first(n), header.value(), 0xDEADBEEF, 96);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored.value(), kPlainPacket);
  // An RTX packet too short to hold the original sequence number is refused.
  auto short_header = header.value();
  short_header.payload_size = 1;
  EXPECT_EQ(error_of(unwrap_rtx(std::span(rtx).first(13), short_header, 1, 96)), fault(Fault::kTruncated));
}

// The packet that begins a keyframe: an SPS, or the first slice of an IDR picture, single, first in a
// STAP-A, or the start of an FU-A. x264 cuts a picture into several slices; the later ones begin nothing
// (a receiver that skipped to one would throw the picture's first slices away).
TEST(StartsH264Keyframe, AnSpsOrAnIdrPicturesFirstSliceButNotItsLaterSlices) {
  const auto rtp = [](Bytes payload) {
    Bytes packet(kPlainPacket.begin(), kPlainPacket.begin() + 12);
    packet.insert(packet.end(), payload.begin(), payload.end());
    return packet;
  };
  // Slice header's first byte: 0x88 = first_mb_in_slice 0 (bit 1); 0x40 = first_mb_in_slice 1 (010).
  EXPECT_TRUE(starts_h264_keyframe(rtp({0x65, 0x88, 0x84})));      // single IDR slice, first
  EXPECT_FALSE(starts_h264_keyframe(rtp({0x65, 0x40, 0x84})));     // single IDR slice, a later one
  EXPECT_TRUE(starts_h264_keyframe(rtp({0x7c, 0x85, 0x88, 1})));   // FU-A start of the first IDR slice
  EXPECT_FALSE(starts_h264_keyframe(rtp({0x7c, 0x85, 0x40, 1})));  // FU-A start of a later IDR slice
  EXPECT_FALSE(starts_h264_keyframe(rtp({0x7c, 0x05, 0x88, 1})));  // FU-A middle of the first IDR slice
  EXPECT_TRUE(starts_h264_keyframe(rtp({0x67, 0x42, 0xc0})));      // SPS
  EXPECT_TRUE(
      starts_h264_keyframe(rtp({0x78, 0x00, 0x03, 0x67, 0x42, 0xc0, 0x00, 0x02, 0x68, 0xce})));  // STAP-A
  EXPECT_FALSE(starts_h264_keyframe(rtp({0x41, 0x9a, 0x20})));                                   // a P slice
  // STAP-A of SPS, PPS and a recovery-point SEI: an intra refresh wave's first picture, which needs the
  // pictures before it (x264 --intra-refresh).
  EXPECT_FALSE(starts_h264_keyframe(
      rtp({0x78, 0x00, 0x03, 0x67, 0x42, 0xc0, 0x00, 0x02, 0x68, 0xce, 0x00, 0x04, 0x06, 0x06, 0x01, 0xc4})));
  // The same aggregate with another SEI (x264's version string, payload type 5) leads an IDR picture.
  EXPECT_TRUE(starts_h264_keyframe(
      rtp({0x78, 0x00, 0x03, 0x67, 0x42, 0xc0, 0x00, 0x02, 0x68, 0xce, 0x00, 0x04, 0x06, 0x05, 0x01, 0xc4})));
  EXPECT_FALSE(starts_h264_keyframe(rtp({0x7c, 0x85})));  // FU-A cut short: nothing to read
  EXPECT_FALSE(starts_h264_keyframe(rtp({0x65})));        // too short
}

}  // namespace
}  // namespace surgilink::media
