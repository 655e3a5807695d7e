// Which encoded access units are IDR pictures: the recorder starts segments and indexes seeks only there.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "surgilink/media/h264_access_unit.hpp"

namespace surgilink::media {
namespace {

using Bytes = std::vector<std::uint8_t>;

// NAL units after four-byte start codes, each a header byte and a little payload.
Bytes annex_b(const std::vector<Bytes>& units) {
  Bytes out;
  for (const auto& unit : units) {
    out.insert(out.end(), {0, 0, 0, 1});
    out.insert(out.end(), unit.begin(), unit.end());
  }
  return out;
}

const Bytes kDelimiter{0x09, 0xf0};
const Bytes kSps{0x67, 0x42, 0xc0, 0x1f};
const Bytes kPps{0x68, 0xce, 0x3c, 0x80};
const Bytes kRecoveryPointSei{0x06, 0x06, 0x01, 0xc4, 0x80};  // payload type 6
const Bytes kIdrSlice{0x65, 0x88, 0x84, 0x00, 0x21};
const Bytes kPSlice{0x41, 0x9a, 0x20, 0x00, 0x12};

TEST(H264AccessUnit, AnIdrPictureIsOne) {
  EXPECT_TRUE(h264_access_unit_has_idr(annex_b({kDelimiter, kSps, kPps, kIdrSlice})));
  EXPECT_TRUE(h264_access_unit_has_idr(annex_b({kIdrSlice})));
  // Three-byte start codes too.
  Bytes short_codes{0, 0, 1};
  short_codes.insert(short_codes.end(), kIdrSlice.begin(), kIdrSlice.end());
  EXPECT_TRUE(h264_access_unit_has_idr(short_codes));
}

TEST(H264AccessUnit, AnIntraRefreshWavesFirstPictureIsNot) {
  // What x264 --intra-refresh writes at each keyframe interval: headers and a recovery point before a P
  // slice.
  EXPECT_FALSE(h264_access_unit_has_idr(annex_b({kDelimiter, kSps, kPps, kRecoveryPointSei, kPSlice})));
  EXPECT_FALSE(h264_access_unit_has_idr(annex_b({kDelimiter, kPSlice, kPSlice})));
}

TEST(H264AccessUnit, NothingReadableIsNoIdr) {
  EXPECT_FALSE(h264_access_unit_has_idr({}));
  EXPECT_FALSE(h264_access_unit_has_idr(Bytes{0, 0, 1}));                 // a start code and nothing after
  EXPECT_FALSE(h264_access_unit_has_idr(Bytes{0x65, 0x88, 0x84, 0x00}));  // no start code
  EXPECT_FALSE(h264_access_unit_has_idr(annex_b({kSps, kPps})));          // headers only
}

}  // namespace
}  // namespace surgilink::media
